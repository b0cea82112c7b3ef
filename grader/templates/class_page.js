// The class page's student table: sort by a column (click its header), show only some
// statuses. Inlined into OUT/summary.html by grader/results/class_page.py; without it the
// table is plain HTML in id order with every row shown. Its words, in the batch's language,
// are the table's data-shown ("{shown}" of "{count}" students) and data-sort attributes.
(() => {
  "use strict";
  const table = document.getElementById("student-table");
  const filters = document.getElementById("filters");
  const shown = document.getElementById("shown");
  if (!table || !filters || !shown) return;
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);
  const headers = Array.from(table.tHead.rows[0].cells);
  const boxes = Array.from(filters.querySelectorAll("input[type=checkbox]"));
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

  // A cell's sort key: its data-value (a number; empty sorts first), else its text.
  function key(row, column, numeric) {
    const cell = row.cells[column];
    const text = cell.dataset.value ?? cell.textContent.trim();
    if (!numeric) return text;
    return text === "" ? -Infinity : Number(text);
  }

  function sortBy(header) {
    const column = headers.indexOf(header);
    const numeric = header.dataset.type === "number";
    const ascending = header.getAttribute("aria-sort") !== "ascending";
    for (const other of headers) other.removeAttribute("aria-sort");
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    const order = Array.from(body.rows).sort((a, b) => {
      const x = key(a, column, numeric);
      const y = key(b, column, numeric);
      const compared = numeric ? (x > y) - (x < y) : collator.compare(x, y);
      return ascending ? compared : -compared;
    });
    body.append(...order);
  }

  function filter() {
    const wanted = new Set(boxes.filter((box) => box.checked).map((box) => box.value));
    let count = 0;
    for (const row of rows) {
      row.hidden = !wanted.has(row.dataset.status);
      count += row.hidden ? 0 : 1;
    }
    shown.textContent = table.dataset.shown
      .replace("{shown}", String(count))
      .replace("{count}", String(rows.length));
  }

  for (const header of headers) {
    const button = document.createElement("button");
    button.type = "button";
    button.title = table.dataset.sort;
    button.append(...header.childNodes);
    header.append(button);
    button.addEventListener("click", () => sortBy(header));
  }
  for (const box of boxes) box.addEventListener("change", filter);
  filters.hidden = false;
  filter();
})();
