"""grader.check(...) from a real Jupyter kernel (nbclient and ipykernel).

The generated exercise notebook is run cell by cell as a student would: a wrong softmax, then a
fix, then a relu that ends its process and one that never returns. Each ``grader.check`` cell
shows the score table and the failing checks' messages as HTML and as text, and the kernel
is still alive at the end: the student's code never ran in it.
"""

from pathlib import Path

import pytest
from kit import CORPUS, EXERCISES, SOLUTIONS

from grader.catalog import exercise
from grader.commands.release import exercise_notebook

nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
from nbformat.v4 import new_code_cell  # noqa: E402

EX01 = exercise("ex01_activations")
CHECK = 'grader.check("ex01_activations")'
WRONG_SOFTMAX = (CORPUS / "wrong" / "ex01_activations__softmax_wrong_axis.py").read_text()


@pytest.fixture(scope="module")
def outputs() -> list[dict[str, str]]:
    notebook = exercise_notebook(EX01, EXERCISES, install_from=str(Path(SOLUTIONS).parent))
    stub_check = notebook.cells.pop()  # the generated last cell: grader.check(...)
    assert stub_check.source.endswith(CHECK)
    solution = (SOLUTIONS / EX01.relative_path).read_text(encoding="utf-8")
    cells = [
        stub_check.source,  # the stubs as given: nothing written yet
        solution + "\n\n" + WRONG_SOFTMAX.split('"""', 2)[2],  # all written, softmax wrong
        CHECK,
        solution,  # fixed
        CHECK,
        "import os\n\ndef relu(x):\n    os._exit(3)\n",
        CHECK,
        "def relu(x):\n    while True:\n        pass\n",
        CHECK,
        "41 + 1",
    ]
    notebook.cells += [new_code_cell(source) for source in cells]
    checks = len(notebook.cells) - len(cells)
    nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3").execute()
    found = []
    for cell in notebook.cells[checks:]:
        data: dict[str, str] = {}
        for output in cell.get("outputs", []):
            data |= {k: str(v) for k, v in output.get("data", {}).items()}
            if output.get("output_type") == "error":
                data["error"] = f"{output['ename']}: {output['evalue']}"
        found.append(data)
    return found


def test_the_stubs_score_nothing(outputs) -> None:
    text = outputs[0]["text/plain"]
    assert "ex01_activations  0 / 15  0 / 14" in text
    assert "not attempted yet" in text


def test_a_wrong_softmax_is_diagnosed_in_html_and_text(outputs) -> None:
    shown = outputs[2]
    assert "ex01_activations  12 / 15  11 / 14" in shown["text/plain"]
    assert "softmax along the wrong axis" in shown["text/plain"]
    assert "<table>" in shown["text/html"] and "softmax along the wrong axis" in shown["text/html"]
    assert "expected (keras.activations.softmax)" in shown["text/html"]


def test_the_fix_scores_full_marks(outputs) -> None:
    assert "Total  15 / 15" in outputs[4]["text/plain"]
    assert "<details" not in outputs[4]["text/html"]


def test_os_exit_and_an_endless_loop_leave_the_kernel_alive(outputs) -> None:
    exited, looped, last = outputs[6], outputs[8], outputs[9]
    assert "ended with exit code 3" in exited["text/plain"]
    assert "did not finish within 10 s" in looped["text/plain"]
    assert last == {"text/plain": "42"}
