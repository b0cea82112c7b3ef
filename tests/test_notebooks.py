"""Notebooks handed in: graded by their definitions, never run, to the score of their .py twin.

The notebooks are built from the reference solutions (``tests/notebooks/build.py``): a Colab
one with outputs and widget state, Jupyter 4.4 and 4.5 ones, cells reordered and duplicated
with a later fix, a syntax error in an unrelated cell, a top-level cell that would train for
hours, magics and shell lines, several exercises in one notebook, helper functions, a mix of
``.py`` and ``.ipynb``, flat, in exercise folders and zipped. Broken notebooks each get a
message in their exercise's checks, and the batch goes on.
"""

import json
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path
from typing import Any

import pytest
from kit import CORPUS, SOLUTIONS
from notebooks import build

from grader.catalog import exercise
from grader.commands import submission_files as archive
from grader.commands.notebook_code import read_cell
from grader.results.formats import points_text
from grader.results.model import fingerprint, validate

EX01, EX02 = exercise("ex01_activations"), exercise("ex02_losses")
ONLY = "ex01_activations,ex02_losses"
WRONG_SOFTMAX = (CORPUS / "wrong" / "ex01_activations__softmax_wrong_axis.py").read_text()
HELPERS = """\
import numpy as np

EPSILON = 1e-7
LOW, HIGH = EPSILON, 1 - EPSILON
rng = np.random.default_rng(0)  # calls something: not kept, and nothing needs it


def _clipped(p):
    return np.clip(p, LOW, HIGH)


def _mean_last(values):
    return np.mean(values, axis=-1)


def binary_crossentropy(y_true, y_pred):
    p = _clipped(y_pred)
    return _mean_last(-(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))


def categorical_crossentropy(y_true, y_pred):
    p = _clipped(y_pred / np.sum(y_pred, axis=-1, keepdims=True))
    return -np.sum(y_true * np.log(p), axis=-1)


def sparse_categorical_crossentropy(y_true, y_pred):
    labels = np.asarray(y_true).astype(np.intp)[..., np.newaxis]
    return -np.log(np.take_along_axis(_clipped(y_pred), labels, axis=-1))[..., 0]


def mean_squared_error(y_true, y_pred):
    return _mean_last((y_true - y_pred) ** 2)
"""
"""ex02 written with helpers and constants of its own: its .py twin is this text."""
MAGICS = "%matplotlib inline\n!pip install -q numpy\nfiles = !ls\n%load_ext autoreload\n"
BROKEN_CELL = "def plot_losses(history:\n    plt.plot(history)\n"


def cells(source: str) -> list[str]:
    return build.definitions(source)


def _solution_py(folder: Path, activations: str, losses: str) -> Path:
    for name, text in ((EX01, activations), (EX02, losses)):
        (folder / name.relative_path).parent.mkdir(parents=True, exist_ok=True)
        (folder / name.relative_path).write_text(text, encoding="utf-8")
    return folder


def _zip(folder: Path) -> Path:
    path = folder.with_suffix(".zip")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archived:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                archived.write(file, file.relative_to(folder).as_posix())
    for file in sorted(folder.rglob("*"), reverse=True):
        file.unlink() if file.is_file() else file.rmdir()
    folder.rmdir()
    return path


def _class(root: Path) -> dict[str, str]:
    """Every submission of the batch, by id; what each is for."""
    root.mkdir()
    made = {}

    # The .py twins.
    _solution_py(root / "py_right", build.ACTIVATIONS, build.LOSSES)
    _solution_py(root / "py_wrong", build.ACTIVATIONS + "\n\n" + WRONG_SOFTMAX, HELPERS)
    made |= {"py_right": "twin", "py_wrong": "twin"}

    # Colab: both exercises in one notebook, outputs, widgets, a Drive cell; flat.
    colab = build.colab(cells(build.ACTIVATIONS) + cells(build.LOSSES))
    build.write(colab, root / "colab" / "Homework1.ipynb")
    made["colab"] = "py_right"

    # Jupyter 4.4, one notebook per exercise, zipped.
    for name, source in ((EX01, build.ACTIVATIONS), (EX02, build.LOSSES)):
        build.write(build.jupyter(cells(source), 4), root / "v44" / f"{name.name}.ipynb")
    _zip(root / "v44")
    made["v44"] = "py_right"

    # Jupyter 4.5 in exercise folders: cells reordered (the imports last), a first softmax
    # with a mistake fixed in a later duplicate of its cell.
    first, *rest = cells(build.ACTIVATIONS)
    wrong_first = textwrap.dedent(WRONG_SOFTMAX.split('"""', 2)[2])
    ordered = [*reversed(rest[:4]), wrong_first, *rest[4:], first]
    softmax_cell = next(c for c in rest if c.startswith("def softmax"))
    ordered.remove(softmax_cell)
    ordered.append(softmax_cell)
    build.write(
        build.jupyter(ordered), root / "v45" / "ex01_activations" / "ex01_activations.ipynb"
    )
    build.write(build.jupyter(cells(build.LOSSES)), root / "v45" / "ex02_losses" / "work.ipynb")
    made["v45"] = "py_right"

    # Magics, shell lines, a syntax error in an unrelated cell, a training cell.
    noisy = [MAGICS, *cells(build.ACTIVATIONS), BROKEN_CELL, build.TRAINING]
    noisy += [MAGICS + cells(build.LOSSES)[0], *cells(build.LOSSES)[1:], build.TRAINING]
    build.write(build.jupyter(noisy), root / "noisy" / "lab" / "all_exercises.ipynb")
    made["noisy"] = "py_right"

    # A wrong ex01 (a later cell overrides softmax) and ex02 with helpers: the wrong twin.
    wrong = [*cells(build.ACTIVATIONS), WRONG_SOFTMAX]
    build.write(build.jupyter(wrong), root / "nb_wrong" / "ex01_activations.ipynb")
    build.write(build.jupyter(cells(HELPERS)), root / "nb_wrong" / "ex02_losses.ipynb")
    made["nb_wrong"] = "py_wrong"

    # A .py for ex01 (it wins over the notebook's wrong one), the notebook for ex02.
    mixed = root / "mixed"
    _solution_py(mixed, build.ACTIVATIONS, "")
    (mixed / EX02.relative_path).unlink()
    build.write(build.jupyter(wrong + cells(build.LOSSES)), mixed / "notebook.ipynb")
    made["mixed"] = "py_right"

    # Broken: not JSON and cut off; no code cell and no definition; 200 MB of "outputs".
    (root / "broken_json").mkdir()
    (root / "broken_json" / "ex01_activations.ipynb").write_text("{'cells': [", encoding="utf-8")
    whole = json.dumps(build.jupyter(cells(build.LOSSES)), indent=1)
    (root / "broken_json" / "ex02_losses.ipynb").write_text(whole[: len(whole) // 2])
    made["broken_json"] = "broken"
    empty = build.jupyter([])
    empty["cells"] = [{"cell_type": "markdown", "id": "m1", "metadata": {}, "source": "# Notes"}]
    build.write(empty, root / "broken_empty" / "ex01_activations.ipynb")
    plots = build.jupyter(["import numpy as np\nx = np.linspace(0, 1)\nprint(x.mean())\n"])
    build.write(plots, root / "broken_empty" / "ex02_losses.ipynb")
    made["broken_empty"] = "broken"
    huge = root / "broken_huge" / "ex01_activations.ipynb"
    huge.parent.mkdir()
    with huge.open("wb") as file:
        file.truncate(200 * 2**20)  # sparse: it costs no disk, and it is never read
    build.write(build.jupyter(cells(build.LOSSES)), root / "broken_huge" / "ex02_losses.ipynb")
    made["broken_huge"] = "broken"
    return made


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], dict]:
    root = tmp_path_factory.mktemp("notebooks")
    made = _class(root / "in")
    out = root / "out"
    done = _batch(root / "in", out)
    assert done.returncode == 0, done.stdout + done.stderr
    reports = {name: json.loads((out / f"{name}.json").read_text()) for name in made}
    return root, reports, made


def _batch(submissions: Path, out: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "grader", "batch", str(submissions), "--out", str(out)]
    command += ["--only", ONLY, "--timeout", "120", "--workers", "2"]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)


def _results(report: dict[str, Any]) -> list[tuple[str, str, float, str]]:
    return [(t["exercise"], t["name"], t["score"], t["status"]) for t in report["tests"]]


@pytest.mark.parametrize(
    "name", ["colab", "v44", "v45", "noisy", "nb_wrong", "mixed"], ids=lambda n: n
)
def test_a_notebook_scores_what_its_py_twin_scores(graded, name: str) -> None:
    _, reports, made = graded
    report, twin = reports[name], reports[made[name]]
    validate(report)
    assert report["submission"]["status"] == "graded", report["submission"]["message"]
    assert _results(report) == _results(twin)
    assert report["score"] == twin["score"]


def test_the_twins_are_what_they_should_be(graded) -> None:
    _, reports, _ = graded
    assert reports["py_right"]["score"] == reports["py_right"]["max_score"] == 25
    failed = {t["name"] for t in reports["py_wrong"]["tests"] if t["status"] != "passed"}
    assert failed == {"softmax", "softmax_axis", "softmax_extreme"}


def test_the_report_says_which_file_and_which_cells(graded) -> None:
    _, reports, _ = graded
    noisy = {s["exercise"]: s for s in reports["noisy"]["submission"]["sources"]}
    assert noisy.keys() == {"ex01_activations", "ex02_losses"}
    source = noisy["ex01_activations"]
    assert (source["file"], source["kind"]) == ("lab/all_exercises.ipynb", "notebook")
    by_cell = {c["cell"]: c for c in source["cells"]}
    assert by_cell[1]["notes"][0].startswith("nothing kept: only magics, shell lines")
    assert any("%matplotlib inline" in n for n in by_cell[1]["notes"])
    syntax = next(c for c in source["cells"] if any("syntax error" in n for n in c["notes"]))
    assert not syntax["taken"] and "line 1" in syntax["notes"][0]
    training = [
        c for c in source["cells"] if any("for epoch in range(1000)" in n for n in c["notes"])
    ]
    assert training and not any(c["taken"] for c in training)
    assert {n for c in source["cells"] for n in c["names"]} >= set(EX01.defines) | {"np"}
    # ex02's cells are in the same notebook: ex01's module leaves them out, and says why.
    loss_cell = by_cell[len(cells(build.ACTIVATIONS)) + 5]  # after the magics, ours, two more
    assert not loss_cell["taken"]
    assert loss_cell["notes"] == ["defines nothing ex01_activations uses"]
    mixed = {s["exercise"]: s for s in reports["mixed"]["sources"]}
    assert (mixed["ex01_activations"]["kind"], mixed["ex02_losses"]["kind"]) == ("py", "notebook")
    assert "a .py file wins over a notebook" in mixed["ex01_activations"]["notes"][0]
    v45 = {s["exercise"]: s for s in reports["v45"]["sources"]}
    fixed = [c for c in v45["ex01_activations"]["cells"] if "softmax" in c["names"]]
    replaced = [c for c in v45["ex01_activations"]["cells"] if "defined again" in str(c)]
    assert len(fixed) == 1 and fixed[0]["cell"] == len(v45["ex01_activations"]["cells"])
    assert len(replaced) == 1 and not replaced[0]["taken"]


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("broken_json", {EX01.name: "not valid JSON", EX02.name: "not valid JSON"}),
        ("broken_empty", {EX01.name: "has no code cells", EX02.name: "defines none of"}),
        ("broken_huge", {EX01.name: "more than the 100 MB"}),
    ],
    ids=["broken_json", "broken_empty", "broken_huge"],
)
def test_a_broken_notebook_says_why_in_its_checks(graded, name: str, words: dict) -> None:
    _, reports, _ = graded
    report = reports[name]
    validate(report)
    assert report["submission"]["status"] == "graded"
    for exercise_name, expected in words.items():
        rows = [t for t in report["tests"] if t["exercise"] == exercise_name]
        assert rows and all(t["status"] == "error" for t in rows)
        assert all(expected in t["message"] for t in rows), rows[0]["message"]
    if name == "broken_huge":  # the other exercise of the submission is still graded
        assert report["exercises"][1]["score"] == EX02.max_score


def test_new_outputs_do_not_regrade(graded) -> None:
    root, reports, _ = graded
    path = root / "in" / "colab" / "Homework1.ipynb"
    notebook = json.loads(path.read_text())
    build.write(build.with_new_outputs(notebook), path)
    done = _batch(root / "in", root / "out")
    assert done.returncode == 0, done.stderr
    assert f"skipped {len(reports)} submissions unchanged" in done.stderr


# Reading alone, without grading: quick.


def _read(folder: Path) -> archive.SubmissionFiles:
    return archive.read_submission(folder, [EX01, EX02])


def test_the_fingerprint_is_of_the_extracted_code(tmp_path: Path) -> None:
    notebook = build.colab(cells(build.ACTIVATIONS))
    build.write(notebook, tmp_path / "a" / "hw.ipynb")
    build.write(build.with_new_outputs(notebook), tmp_path / "b" / "hw.ipynb")
    first, second = _read(tmp_path / "a"), _read(tmp_path / "b")
    assert first.files and fingerprint(first.files) == fingerprint(second.files)
    ids = [c.id for c in first.sources[EX01.name].cells]
    assert ids[0] == "c0001" and ids[-1] is None  # Colab's ids, from the cells' metadata
    code = first.files[EX01.relative_path].decode()
    assert "def softmax" in code and "google.colab" not in code and "drive.mount" not in code


def test_an_untouched_stub_py_gives_way_to_the_notebook(tmp_path: Path) -> None:
    stub = (SOLUTIONS.parent / "exercises" / EX01.relative_path).read_text()
    (tmp_path / EX01.name).mkdir()
    (tmp_path / EX01.relative_path).write_text(stub)
    build.write(build.jupyter(cells(build.ACTIVATIONS)), tmp_path / "ex01_activations.ipynb")
    taken = _read(tmp_path)
    assert taken.sources[EX01.name].kind == "notebook"
    assert "still the stub" in taken.sources[EX01.name].to_dict("en")["notes"][1]
    assert "아직 처음 받은 그대로" in taken.sources[EX01.name].to_dict("ko")["notes"][1]


def test_a_huge_notebook_in_a_zip_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "s.zip"
    with zipfile.ZipFile(path, "w") as archived:
        archived.writestr("ex01_activations.ipynb", b"{" + b" " * 5000 + b"}")
    taken = archive.read_submission(path, [EX01], archive.Limits(notebook_bytes=1000))
    assert taken.unavailable[EX01.name].key == "too_large"
    assert taken.files == {}


def test_more_notebooks_than_the_limit_are_listed_not_read(tmp_path: Path) -> None:
    for i in range(3):
        build.write(build.jupyter(["x = 1\n"]), tmp_path / f"n{i}.ipynb")
    taken = archive.read_submission(tmp_path, [EX01], archive.Limits(notebooks=2))
    assert [i.reason.startswith("a notebook, not read") for i in taken.ignored] == [
        False,
        False,
        True,
    ]


def test_only_the_py_files_are_read_when_every_exercise_has_one(tmp_path: Path) -> None:
    _solution_py(tmp_path, build.ACTIVATIONS, build.LOSSES)
    (tmp_path / "scratch.ipynb").write_text("not even JSON")
    taken = _read(tmp_path)
    assert taken.unavailable == {} and {s.kind for s in taken.sources.values()} == {"py"}
    assert taken.ignored[0].reason.startswith("a notebook, not read")


@pytest.mark.parametrize(
    ("source", "kept", "notes"),
    [
        ("EPSILON = 1e-7\nLOW, HIGH = EPSILON, 1 - EPSILON\n", ["EPSILON", "LOW", "HIGH"], []),
        ("model = build_model()\nmodel.fit(x, y)\n", [], ["statement", "statement"]),
        ("%time f()\n!nvidia-smi\nimport numpy as np\n", ["np"], ["magic", "magic"]),
        ("@cache\ndef f(x):\n    return x\n", ["f"], []),
        ("if True:\n    %time f()\n    g = 1\n", [], ["magic", "statement"]),
        ("from __future__ import annotations\nfrom pathlib import *\n", [], ["statement"]),
        ('"""A note."""\nprint(1)\n', [], ["statement"]),
    ],
)
def test_what_a_cell_keeps(source: str, kept: list[str], notes: list[str]) -> None:
    cell = read_cell(source, 1)
    assert cell.dropped is None
    assert [n for d in cell.definitions for n in d.names] == kept
    assert [note.key for note in cell.notes] == notes


def test_a_cell_magic_or_a_syntax_error_drops_the_cell_only() -> None:
    assert read_cell("%%time\ndef f():\n    pass\n", 1).dropped.key == "cell_magic"
    dropped = read_cell("def f(:\n    pass\n%matplotlib inline\n", 4).dropped
    assert (dropped.key, dropped.fields["line"]) == ("syntax_error", 1)


def test_grader_grade_takes_a_zipped_notebook(tmp_path: Path) -> None:
    folder = tmp_path / "upload"
    build.write(build.colab(cells(build.ACTIVATIONS)), folder / "ex01_activations.ipynb")
    zipped = _zip(folder)
    report_path = tmp_path / "zip.json"
    command = [sys.executable, "-m", "grader", "grade", str(zipped), "--json", str(report_path)]
    done = subprocess.run(
        [*command, "--only", EX01.name, "--quiet", "--no-reference"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(report_path.read_text())
    assert report["score"] == EX01.max_score
    assert report["sources"][0]["file"] == "ex01_activations.ipynb"


def test_gradescope_shows_the_student_each_cell_graded_or_left_out(tmp_path: Path) -> None:
    """The upload lands in /autograder/submission and every exercise is graded; the results'
    top-level output, which the student sees, says what each cell of the notebook gave."""
    root = tmp_path / "autograder"
    noisy = [MAGICS, *cells(build.LOSSES), BROKEN_CELL, build.TRAINING]
    build.write(build.jupyter(noisy), root / "submission" / "ex02_losses.ipynb")
    command = [sys.executable, "-m", "grader", "autograde", "gradescope", "--root", str(root)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == EX02.max_score  # the noise costs nothing
    missing = [t for t in results["tests"] if t["name"].startswith(EX01.name)]
    assert missing and all(
        "neither ex01_activations/activations.py" in t["output"] for t in missing
    )
    assert results.get("visibility", "visible") == "visible"  # the student sees its output
    assert results["output_format"] == "text"
    output = results["output"].splitlines()
    assert output[0] == f"{points_text(EX02.max_score)} / 100 points"
    assert "ex02_losses: Graded from the notebook ex02_losses.ipynb" in results["output"]
    cells_said = _cells_said(output, "ex02_losses.ipynb")
    assert cells_said.keys() == set(range(1, len(noisy) + 1))
    assert cells_said[1] == [
        "not graded",
        "nothing kept: only magics, shell lines or top-level statements, which are not run "
        "when grading",
        "line 1: an IPython magic or shell line, left out: %matplotlib inline",
        "line 2: an IPython magic or shell line, left out: !pip install -q numpy",
        "line 3: an IPython magic or shell line, left out: files = !ls",
        "line 4: an IPython magic or shell line, left out: %load_ext autoreload",
    ]
    graded = [said[0] for said in cells_said.values() if said[0].startswith("graded")]
    names = {
        n for line in graded for n in line.removeprefix("graded, for ex02_losses: ").split(", ")
    }
    assert len(graded) == len(cells(build.LOSSES)) and names == {"np", "EPSILON", *EX02.defines}
    broken, training = cells_said[len(noisy) - 1], cells_said[len(noisy)]
    assert broken[0] == "not graded" and broken[1].startswith("left out: a syntax error at line 1")
    assert training[:2] == ["not graded", "defines nothing ex02_losses uses"]
    assert "line 4: a top-level statement, not run when grading: for epoch in range(1000):" in (
        training
    )


def _cells_said(output: list[str], notebook: str) -> dict[int, list[str]]:
    """What an output's listing of ``notebook`` says of each cell, by position: its use, then
    its notes."""
    heading = f"{notebook}, cell by cell (counted from the top, markdown cells included):"
    assert heading in output, "\n".join(output)
    start = output.index(heading)
    said: dict[int, list[str]] = {}
    for line in output[start + 1 :]:
        if not line.startswith("  "):
            break
        if line.startswith("  cell "):
            position, _, use = line.removeprefix("  cell ").partition(": ")
            said[int(position)] = [use]
        else:
            said[max(said)].append(line.strip())
    return said


def test_the_notebooks_of_a_submission_are_read_up_to_a_total(tmp_path: Path) -> None:
    for name in (EX01, EX02):
        source = build.ACTIVATIONS if name is EX01 else build.LOSSES
        build.write(build.jupyter(cells(source)), tmp_path / f"{name.name}.ipynb")
    first = (tmp_path / "ex01_activations.ipynb").stat().st_size
    taken = archive.read_submission(tmp_path, [EX01, EX02], archive.Limits(notebooks_bytes=first))
    assert EX01.relative_path in taken.files
    assert taken.unavailable[EX02.name].key == "too_much"
    assert "MB" in taken.unavailable[EX02.name].words("ko")
