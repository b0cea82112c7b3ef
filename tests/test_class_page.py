"""The class page (OUT/summary.html) of a batch of fixture reports: its content read from the
HTML, its validity (html5lib's strict WHATWG parser), and its behaviour in a real headless
Chromium driven by Playwright: no console errors, sorting and the status filter change the
rows, every link resolves, readable without JavaScript, printable. No sandbox runs."""

import re
import shutil
import string
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from urllib.parse import unquote, urlparse

import html5lib
import matplotlib.image
import pytest
from fixture_reports import CLASS, class_reports
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from grader.commands import batch
from grader.results import class_page
from grader.words import messages, say_in

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
NAMESPACE = "{http://www.w3.org/1999/xhtml}"
REPORTS = class_reports()
SCORES = {student: report.score for student, report in REPORTS}
STATUSES = {student: extra.get("status", "graded") for student, (_, extra) in CLASS.items()}


def _batch_output(tmp_path_factory: pytest.TempPathFactory, lang: str) -> Path:
    """A batch's output folder in ``lang``: the class page and every student's feedback page."""
    folder = tmp_path_factory.mktemp(f"batch-{lang}")
    outcomes = [batch.Outcome(student, report) for student, report in REPORTS]
    batch.write_class_files(folder, outcomes, lang, feedback_hidden=False)
    return folder


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _batch_output(tmp_path_factory, "en")


@pytest.fixture(scope="module")
def out_ko(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same batch's output in Korean (``grader batch --lang ko``)."""
    return _batch_output(tmp_path_factory, "ko")


def _tree(out: Path):
    page = (out / "summary.html").read_text(encoding="utf-8")
    return html5lib.HTMLParser(strict=True).parse(page)


def _text(element) -> str:
    return "".join(element.itertext()).strip()


def test_the_page_and_the_pages_it_links_are_valid_html(out: Path) -> None:
    """html5lib's strict parser raises on any parse error of the WHATWG HTML standard
    (unclosed or misnested tags, bad attributes, a missing doctype); ids must be unique."""
    for linked in sorted((out / "feedback").glob("*.html")):
        html5lib.HTMLParser(strict=True).parse(linked.read_text(encoding="utf-8"))
    tree = _tree(out)
    ids = [element.get("id") for element in tree.iter() if element.get("id")]
    assert len(ids) == len(set(ids)), f"ids used twice: {sorted(ids)}"
    assert not tree.findall(f".//{NAMESPACE}link") and not tree.findall(".//*[@src]"), (
        "the page must be self-contained: no stylesheet link, no image or script source"
    )


def test_the_table_lists_every_student_in_id_order_without_javascript(out: Path) -> None:
    rows = _tree(out).findall(f".//{NAMESPACE}table[@id='student-table']/{NAMESPACE}tbody/*")
    cells = [[_text(cell) for cell in row] for row in rows]
    assert [row[0] for row in cells] == sorted(CLASS)
    for row, (student, report) in zip(cells, REPORTS, strict=True):
        expected = [
            student,
            f"{report.score:g}",
            *(f"{e.score:g}" for e in report.exercises),
            STATUSES[student],
            "process" if student == "frank" else "namespaces",
        ]
        assert row == expected, f"{student}'s row: expected {expected}, received {row}"


def test_each_exercise_has_its_mean_and_score_bands_over_graded_submissions(out: Path) -> None:
    """ex02_losses (3.25 points) of the six graded: alice 3.25, bob 1, carol 0, erin 1,
    frank 0, heidi 2.25."""
    rows = _tree(out).findall(f".//{NAMESPACE}section[@id='exercises']//{NAMESPACE}tbody/*")
    cells = {_text(row[0]): [_text(cell) for cell in row[1:11]] for row in rows}
    assert list(cells) == ["ex01_activations", "ex02_losses"]
    mean = f"{(3.25 + 1 + 0 + 1 + 0 + 2.25) / 6:.2f}"
    assert cells["ex02_losses"] == ["3.25", mean, "38%", "1", "2", "0", "2", "1", "0", "1"]
    histogram = _tree(out).find(f".//{NAMESPACE}figure/*")
    assert "7 to 7.5 points: 1" in histogram.get("aria-label")  # alice's full marks


def test_pass_rates_are_grouped_by_exercise_and_hardest_first() -> None:
    rates = class_page.pass_rates(class_page.graded(REPORTS))
    assert list(rates) == ["ex01_activations", "ex02_losses"]
    for exercise, checks in rates.items():
        shares = [check.rate for check in checks]
        assert shares == sorted(shares), f"{exercise}: {[(c.check, c.rate) for c in checks]}"
    graded = [s for s in CLASS if STATUSES[s] == "graded"]
    relu = next(c for c in rates["ex01_activations"] if c.check == "relu")
    assert (relu.passed, relu.total) == (sum("relu" in CLASS[s][0] for s in graded), len(graded))


def test_each_diagnosis_links_the_students_who_got_it(out: Path) -> None:
    rows = _tree(out).findall(f".//{NAMESPACE}section[@id='mistakes']//{NAMESPACE}tbody/*")
    by_text = {_text(row[0]): row for row in rows}
    summed = by_text["summed instead of averaged"]
    links = [(_text(a), a.get("href")) for a in summed.iter(f"{NAMESPACE}a")]
    assert links == [("carol", "feedback/carol.html"), ("frank", "feedback/frank.html")]
    assert _text(summed[1]) == "2"


WORDS_ATTRIBUTES = ("title", "aria-label", "data-shown", "data-sort")
"""The attributes that hold words a reader sees (tooltips, what a screen reader says, the
script's sentences)."""


def _readable(out: Path) -> str:
    """Every text of the class page a reader sees or hears, and the script's words (without
    the fields it fills in)."""
    tree = _tree(out)
    body = tree.find(f"{NAMESPACE}body")
    texts = [
        text
        for element in body.iter()
        if element.tag != f"{NAMESPACE}script"
        for text in (element.text, element.tail)
        if text
    ]
    texts += [_text(tree.find(f".//{NAMESPACE}title"))]
    texts += [e.get(a) for e in tree.iter() for a in WORDS_ATTRIBUTES if e.get(a)]
    return re.sub(r"\{\w+\}", "", "\n".join(texts))  # the script fills in {shown}, {count}


def _english_words() -> set[str]:
    """The words (three letters or more) of the English class page's own sentences: every
    message of ``class_page`` in en.toml, its fields left out."""

    def flat(node: object) -> list[str]:
        return [t for v in node.values() for t in flat(v)] if isinstance(node, dict) else [node]

    fragments = [
        literal
        for text in flat(messages("en")["class_page"])
        for literal, *_ in string.Formatter().parse(text)
    ]
    return {word.lower() for part in fragments for word in re.findall(r"[A-Za-z]{3,}", part)}


def _data_words() -> set[str]:
    """The words that come from the reports, not the page: ids, exercises, checks, messages,
    diagnoses, isolation levels."""
    texts = [student for student, _ in REPORTS]
    for _, report in REPORTS:
        texts += [report.submission.message, report.isolation["level"]]
        texts += [f"{t.exercise} {t.name} {t.message} {t.diagnosis}" for t in report.tests]
    return {word.lower() for text in texts for word in re.findall(r"[A-Za-z]{3,}", text)}


def test_the_korean_page_has_no_english_sentence(out: Path, out_ko: Path) -> None:
    """Every word the English page says of its own is gone from the Korean page (words that
    come from the reports, such as a diagnosis, stay as the reports say them)."""
    english = _readable(out).lower()
    own = {w for w in _english_words() - _data_words() if re.search(rf"\b{w}\b", english)}
    assert {"class", "summary", "students", "median", "diagnoses", "marks"} <= own, own
    korean = _readable(out_ko)
    left = sorted(w for w in own if re.search(rf"\b{w}\b", korean, re.IGNORECASE))
    assert not left, f"English words left on the Korean class page: {left}"
    assert _tree(out_ko).get("lang") == "ko"
    assert say_in("ko", "class_page.title") in korean
    assert say_in("ko", "class_page.submission_status.unreadable") in korean  # dave's status
    assert say_in("ko", "class_page.band.full") in korean


def test_the_batchs_summary_line_is_in_its_language(out: Path) -> None:
    outcomes = [batch.Outcome(student, report) for student, report in REPORTS]
    english = batch.summary_line(outcomes, out)
    assert english.startswith("9 submissions: 6 graded, 1 timeout, 1 error, 1 unreadable")
    korean = batch.summary_line(outcomes, out, "ko")

    def words(line: str) -> set[str]:
        for name in ("gradebook.csv", "summary.html"):
            line = line.replace(str(out / name), "")
        return set(re.findall(r"[A-Za-z]{3,}", line))

    assert len(words(english)) > 5 and not words(korean), korean
    assert korean.startswith("제출물 9개: 채점됨 6개, 시간 초과 1개, 오류 1개, 읽을 수 없음 1개")


# The page in a real browser.


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip(
            f"no Chromium at {CHROMIUM} (on Debian: apt-get install chromium; .ci/run does)"
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Opened:
    """The class page open in the browser, and the errors its console showed so far."""

    page: Page
    errors: list[str] = field(default_factory=list)


@pytest.fixture
def opened(browser: Browser, out: Path) -> Iterator[Opened]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    shown = Opened(context.new_page())

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            shown.errors.append(f"console: {message.text} at {message.location}")

    shown.page.on("console", console)
    shown.page.on("pageerror", lambda error: shown.errors.append(f"uncaught: {error}"))
    shown.page.goto((out / "summary.html").as_uri())
    yield shown
    context.close()


def _ids(page: Page) -> list[str]:
    """The ids of the rows shown, top to bottom."""
    return page.locator("#student-table tbody tr:visible td:first-child").all_inner_texts()


def test_the_page_loads_without_console_errors(opened: Opened) -> None:
    page = opened.page
    assert opened.errors == []
    assert page.locator("#filters").is_visible()  # the script ran and showed the filter
    assert page.locator("#shown").inner_text() == f"{len(CLASS)} of {len(CLASS)} students shown"


def test_the_korean_page_says_in_korean_what_its_script_writes(
    browser: Browser, out_ko: Path
) -> None:
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    page.goto((out_ko / "summary.html").as_uri())
    total = len(CLASS)
    assert page.locator("#shown").inner_text() == say_in(
        "ko", "class_page.shown", shown=total, count=total
    )
    status = page.locator("#student-table th button", has_text=say_in("ko", "class_page.status"))
    assert status.get_attribute("title") == say_in("ko", "class_page.sort")
    graded = say_in("ko", "class_page.submission_status.graded")
    page.get_by_label(f"{graded} (6)").uncheck()
    assert page.locator("#shown").inner_text() == say_in(
        "ko", "class_page.shown", shown=3, count=total
    )
    assert errors == []
    context.close()


def test_clicking_a_header_sorts_the_rows(opened: Opened) -> None:
    page = opened.page
    total = page.locator("#student-table th", has_text="total")
    total.click()
    ascending = sorted(CLASS, key=lambda s: (SCORES[s], s))
    assert _ids(page) == ascending, "sorted by total, lowest first"
    assert total.get_attribute("aria-sort") == "ascending"
    total.click()
    assert [SCORES[s] for s in _ids(page)] == sorted(SCORES.values(), reverse=True)
    assert total.get_attribute("aria-sort") == "descending"
    page.locator("#student-table th", has_text="status").click()
    assert [STATUSES[s] for s in _ids(page)] == sorted(STATUSES.values())
    page.locator("#student-table th", has_text="id").click()
    assert _ids(page) == sorted(CLASS)
    assert opened.errors == []


def test_the_status_filter_hides_and_shows_rows(opened: Opened) -> None:
    page = opened.page
    graded = page.get_by_label("graded (6)")
    graded.uncheck()
    not_graded = sorted(s for s in CLASS if STATUSES[s] != "graded")
    assert _ids(page) == not_graded
    assert page.locator("#shown").inner_text() == f"3 of {len(CLASS)} students shown"
    page.get_by_label("timeout (1)").uncheck()
    assert _ids(page) == [s for s in not_graded if STATUSES[s] != "timeout"]
    graded.check()
    page.get_by_label("timeout (1)").check()
    assert _ids(page) == sorted(CLASS)
    assert opened.errors == []


def test_every_link_resolves(opened: Opened, out: Path) -> None:
    page = opened.page
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(link => link.href)")
    assert len(hrefs) >= len(CLASS)
    for href in hrefs:
        url = urlparse(href)
        assert url.scheme == "file", f"{href}: the page must link only to its own files"
        path = Path(unquote(url.path))
        assert path.is_file(), f"{href}: no file {path}"
        if url.fragment:
            assert page.locator(f"#{url.fragment}").count() == 1, f"{href}: no such anchor"
    assert (out / "feedback" / "jo ann.html").as_uri() in hrefs  # an id with a space


def test_the_page_is_readable_without_javascript(browser: Browser, out: Path) -> None:
    context = browser.new_context(java_script_enabled=False)
    opened = context.new_page()
    opened.goto((out / "summary.html").as_uri())
    assert _ids(opened) == sorted(CLASS)
    assert not opened.locator("#filters").is_visible()  # no control that would do nothing
    context.close()


def test_the_print_view_leaves_out_the_controls(opened: Opened) -> None:
    page = opened.page
    page.emulate_media(media="print")
    assert not page.locator("nav").is_visible() and not page.locator("#filters").is_visible()
    assert _ids(page) == sorted(CLASS)
    assert len(page.pdf()) > 10_000


def test_a_screenshot_shows_the_page(opened: Opened, out: Path) -> None:
    png = opened.page.screenshot(full_page=True)
    (out / "summary.png").write_bytes(png)
    pixels = matplotlib.image.imread(BytesIO(png), format="png")
    height, width = pixels.shape[:2]
    assert width == 1280 and height > 900, f"a full-page screenshot: {width}x{height}"
    assert pixels.reshape(-1, pixels.shape[2]).std(axis=0).max() > 0.05, "a blank screenshot"
