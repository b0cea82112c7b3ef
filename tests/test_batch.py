"""grader batch: a class graded submission by submission, hostile archives refused, a
gradebook row for everyone, reruns that skip what did not change."""

import csv
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from kit import SOLUTIONS, corpus
from processes import command_line, descendants, running

from grader import GRADER_ROOT
from grader.catalog import exercise, exercises
from grader.commands import batch
from grader.commands import judge_run as judge_process
from grader.commands import submission_files as archive
from grader.isolation import fork_server
from grader.results import class_page as class_summary
from grader.results.model import ScoreReport, validate

LOSSES = SOLUTIONS / "ex02_losses" / "losses.py"
ACTIVATIONS = SOLUTIONS / "ex01_activations" / "activations.py"
HIDDEN = GRADER_ROOT / "grader" / "hidden_example"
TIMEOUT = 10
"""The batch's time limit in these tests: five times what grading ex02_losses takes."""
TOKEN = uuid.uuid4().hex[:8]
"""In the names a hostile zip tries to write outside the submissions folder."""


def run_batch(submissions: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "grader", "batch", str(submissions), "--out", str(out)]
    done = subprocess.run(
        [*command, "--only", "ex02_losses", *extra],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def write_zip(path: Path, members: dict[str, bytes], links: dict[str, str] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zipped:
        for name, content in members.items():
            zipped.writestr(zipfile.ZipInfo(name), content)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.create_system = 3
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zipped.writestr(info, target)
    return path


def zip_bomb(path: Path) -> Path:
    """520 MiB of zeros in a 2 MiB zip, under the name of a student file."""
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zipped,
        zipped.open("ex02_losses/losses.py", "w", force_zip64=True) as member,
    ):
        for _ in range(520):
            member.write(bytes(2**20))
    return path


def losses_with(source: str) -> bytes:
    """The reference losses.py with ``source`` appended (its definitions win)."""
    return LOSSES.read_bytes() + b"\n\n" + textwrap.dedent(source).encode()


def wrong_mse() -> bytes:
    entry = next(e for e in corpus("wrong") if e.id == "ex02_losses__mse_reduced_to_scalar")
    return losses_with(entry.path.read_text(encoding="utf-8"))


def folder_with(root: Path, files: dict[str, bytes]) -> Path:
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(content)
    return root


@pytest.fixture(scope="module")
def classroom(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A class: full marks (with junk beside), a wrong answer, flat uploads, an unsafe name, a
    corrupt zip, a zip bomb, a hostile zip, code that sleeps at import, HTML in an error."""
    root = tmp_path_factory.mktemp("classroom") / "submissions"
    shutil.copytree(SOLUTIONS, root / "alice")
    alice = root / "alice"
    folder_with(
        alice,
        {
            "conftest.py": b"import os; os.system('echo pwned')\n",
            "ex02_losses/test_mine.py": b"def test_x(): pass\n",
            "ex02_losses/__pycache__/losses.cpython-311.pyc": b"\0",
            "notes.txt": b"my notes\n",
        },
    )
    (alice / "ex02_losses" / "secret.py").symlink_to("/etc/hostname")
    write_zip(root / "bob.zip", {"bob/ex02_losses/losses.py": wrong_mse(), "README.md": b"hi"})
    write_zip(root / "frank.zip", {"losses.py": LOSSES.read_bytes()})
    folder_with(root / "Grace Hopper", {"losses.py": LOSSES.read_bytes()})
    valid = write_zip(root / "carol.zip", {"ex02_losses/losses.py": LOSSES.read_bytes()})
    valid.write_bytes(valid.read_bytes()[: valid.stat().st_size // 2])
    zip_bomb(root / "erin.zip")
    write_zip(
        root / "trudy.zip",
        {
            f"../evil-{TOKEN}.py": b"pwned = 1\n",
            "../ex02_losses/losses.py": LOSSES.read_bytes(),
            f"/tmp/evil-{TOKEN}.py": b"pwned = 1\n",
            f"..\\evil2-{TOKEN}.py": b"pwned = 1\n",
        },
        links={"ex02_losses/losses.py": str(LOSSES)},
    )
    folder_with(
        root / "dave",
        {"ex02_losses/losses.py": b"import time\ntime.sleep(600)\n" + LOSSES.read_bytes()},
    )
    folder_with(
        root / "mallory",
        {
            "ex02_losses/losses.py": losses_with(
                """
                def binary_crossentropy(y_true, y_pred):
                    raise ValueError("<script>alert(1)</script>")
                """
            )
        },
    )
    (root / "grades.xlsx").write_bytes(b"not a submission")
    return root


@pytest.fixture(scope="module")
def graded(classroom: Path) -> dict[str, Any]:
    out = classroom.parent / "out"
    done = run_batch(classroom, out, "--workers", "2", "--timeout", str(TIMEOUT))
    reports = {p.stem: json.loads(p.read_text()) for p in out.glob("*.json")}
    with (out / "gradebook.csv").open(newline="") as f:
        rows = {row["id"]: row for row in csv.DictReader(f)}
    return {
        "out": out,
        "done": done,
        "reports": reports,
        "rows": rows,
    }


GRACE = batch.student_id("Grace Hopper")
EVERYONE = {"alice", "bob", "carol", "dave", "erin", "frank", GRACE, "mallory", "trudy"}


def test_every_submission_gets_a_row_and_a_valid_report(graded: dict[str, Any]) -> None:
    rows, reports = graded["rows"], graded["reports"]
    assert set(rows) == set(reports) == EVERYONE
    statuses = {student: row["status"] for student, row in rows.items()}
    assert statuses == {
        "alice": "graded",
        "bob": "graded",
        "carol": "unreadable",
        "dave": "timeout",
        "erin": "unreadable",
        "frank": "graded",
        GRACE: "graded",
        "mallory": "graded",
        "trudy": "graded",
    }
    for student, report in reports.items():
        validate(report)
        assert report["submission"]["id"] == student
        assert float(rows[student]["total"]) == report["score"]
        assert float(rows[student]["ex02_losses"]) == report["exercises"][0]["score"]
    scores = {student: report["score"] for student, report in reports.items()}
    assert scores["alice"] == scores["frank"] == scores[GRACE] == 10
    assert scores["bob"] == 9  # mean_squared_error (1 point)
    assert scores["mallory"] == 5  # binary_crossentropy, and the clipping and inputs checks use it
    assert scores["carol"] == scores["dave"] == scores["erin"] == scores["trudy"] == 0
    assert "grades.xlsx" in graded["done"].stderr
    assert "9 submissions: 6 graded, 1 timeout, 2 unreadable (0 skipped" in graded["done"].stdout


def test_an_unsafe_name_gets_a_safe_id() -> None:
    assert GRACE.startswith("Grace_Hopper-") and batch.student_id("alice.zip") == "alice"
    for name in ("../x", "a/b", ".hidden", "x\0y", "<script>", "x" * 300, "김철수 최종.zip"):
        student = batch.student_id(name)
        assert batch.SAFE_ID.fullmatch(student), student
    assert batch.student_id("a b") != batch.student_id("a_b")


def test_a_timed_out_submission_is_stopped_and_explained(graded: dict[str, Any]) -> None:
    dave = graded["reports"]["dave"]
    assert dave["submission"]["message"] == f"stopped after {TIMEOUT} s (--timeout)"
    assert {t["status"] for t in dave["tests"]} == {"timeout"}
    first, *rest = dave["tests"]  # its import was stopped at the limit; the rest never ran
    assert "no answer within" in first["message"]
    assert all(f"time limit of {TIMEOUT} s" in t["message"] for t in rest)
    assert dave["incomplete"]
    assert dave["fingerprint"]["files"].keys() == {"ex02_losses/losses.py"}


def test_unreadable_zips_are_explained(graded: dict[str, Any]) -> None:
    carol, erin = graded["reports"]["carol"], graded["reports"]["erin"]
    assert "not a readable zip file" in carol["submission"]["message"]
    assert "zip bomb" in erin["submission"]["message"]
    for report in (carol, erin):
        assert {t["status"] for t in report["tests"]} == {"error"}
        assert report["submission"]["message"] in report["tests"][0]["message"]


def test_files_outside_the_layout_are_ignored_with_the_reason(graded: dict[str, Any]) -> None:
    ignored = {
        student: {i["path"]: i["reason"] for i in report["submission"]["ignored"]}
        for student, report in graded["reports"].items()
    }
    alice = ignored["alice"]
    assert "test or pytest configuration" in alice["conftest.py"]
    assert "test or pytest configuration" in alice["ex02_losses/test_mine.py"]
    assert "cache" in alice["ex02_losses/__pycache__/"]
    assert "symbolic link" in alice["ex02_losses/secret.py"]
    assert alice["notes.txt"] == "not a file the exercises define"
    assert "not graded in this run" in alice["ex01_activations/activations.py"]
    assert ignored["bob"] == {"README.md": "not a file the exercises define"}
    assert ignored["frank"] == ignored[GRACE] == {}
    reports = graded["reports"]
    assert reports["alice"]["fingerprint"]["files"].keys() == {"ex02_losses/losses.py"}
    assert reports["frank"]["fingerprint"] == reports["alice"]["fingerprint"]


def test_a_hostile_zip_is_never_extracted(graded: dict[str, Any], classroom: Path) -> None:
    trudy = graded["reports"]["trudy"]
    reasons = {i["path"]: i["reason"] for i in trudy["submission"]["ignored"]}
    assert "symbolic link" in reasons["ex02_losses/losses.py"]
    for path in (
        f"../evil-{TOKEN}.py",
        "../ex02_losses/losses.py",
        f"/tmp/evil-{TOKEN}.py",
        f"..\\evil2-{TOKEN}.py",
    ):
        assert reasons[path] == "its path leaves the submission"
    assert trudy["fingerprint"]["files"] == {}
    assert "was not found" in trudy["tests"][0]["message"]
    for outside in (
        classroom.parent / f"evil-{TOKEN}.py",
        classroom.parent / "ex02_losses",
        Path(f"/tmp/evil-{TOKEN}.py"),
        classroom.parent / f"evil2-{TOKEN}.py",
    ):
        assert not outside.exists()


def test_summary_page_has_the_plots_and_escapes_student_text(graded: dict[str, Any]) -> None:
    page = (graded["out"] / "summary.html").read_text(encoding="utf-8")
    alice = graded["reports"]["alice"]
    charts = 1 + len(alice["exercises"]) + len(alice["tests"])  # totals, bands, pass rates
    assert page.count("<svg") == charts
    assert "Pass rate per check" in page and "Most common diagnoses" in page
    assert "the loss is averaged over the whole batch" in page  # bob's diagnosis
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # mallory's error message
    assert page.count("<script>") == 1  # the page's own, sorting its table
    for student in graded["reports"]:
        assert f'href="feedback/{quote(student)}.html"' in page
        assert (graded["out"] / "feedback" / f"{student}.html").is_file()
    assert "zip bomb" in page and "stopped after" in page  # the submissions to look at


def test_summary_warns_when_isolation_is_weak(graded: dict[str, Any]) -> None:
    reports = sorted((s, ScoreReport.from_dict(r)) for s, r in graded["reports"].items())
    walled = {"level": "namespaces", "note": "walled in"}
    strong = [(s, replace(r, isolation=walled)) for s, r in reports]
    assert class_summary.isolation_warning(strong) == ""
    student, report = strong[-1]
    weak = [*strong[:-1], (student, replace(report, isolation={"level": "process", "note": "<b>"}))]
    page = class_summary.summary_html(weak)
    assert 'class="warning"' in page and "process (1)" in page and "&lt;b&gt;" in page
    assert 'class="warning"' not in class_summary.summary_html(strong)
    alice = graded["reports"]["alice"]
    assert graded["rows"]["alice"]["isolation"] == alice["isolation"]["level"]
    stood = [layer["name"] for layer in alice["isolation"]["layers"] if layer["active"]]
    assert stood and graded["rows"]["alice"]["walls"] == "+".join(stood)


def small_class(root: Path) -> Path:
    folder_with(root / "alice", {"ex02_losses/losses.py": LOSSES.read_bytes()})
    write_zip(root / "bob.zip", {"ex02_losses/losses.py": wrong_mse()})
    folder_with(root / "frank", {"losses.py": LOSSES.read_bytes(), "conftest.py": b""})
    (root / "carol.zip").write_bytes(b"PK\x03\x04 not really")
    return root


def test_results_do_not_depend_on_the_number_of_workers(tmp_path: Path) -> None:
    submissions = small_class(tmp_path / "submissions")
    shutil.rmtree(submissions / "frank")  # alice, bob and carol are enough here
    results = {}
    for workers in ("1", "2"):
        out = tmp_path / f"out-{workers}"
        run_batch(submissions, out, "--workers", workers, "--timeout", str(TIMEOUT))
        reports = {p.stem: json.loads(p.read_text()) for p in sorted(out.glob("*.json"))}
        outcomes = {
            student: (
                report["score"],
                report["submission"]["status"],
                [(t["name"], t["status"], t["score"]) for t in report["tests"]],
            )
            for student, report in reports.items()
        }
        results[workers] = (outcomes, (out / "gradebook.csv").read_text())
    assert results["1"] == results["2"]
    outcomes = results["1"][0]
    assert outcomes["bob"][0] == 9 and outcomes["carol"][1] == "unreadable"


def test_a_rerun_skips_unchanged_submissions_and_regrades_changed_ones(tmp_path: Path) -> None:
    submissions = small_class(tmp_path / "submissions")
    out = tmp_path / "out"
    run_batch(submissions, out, "--timeout", str(TIMEOUT))
    before = {p.name: p.read_bytes() for p in out.glob("*.json")}

    again = run_batch(submissions, out, "--timeout", str(TIMEOUT))
    assert "skipped 3 submissions unchanged" in again.stderr  # carol is unreadable: retried
    assert "(3 skipped, unchanged)" in again.stdout
    assert {p.name: p.read_bytes() for p in out.glob("*.json") if p.stem != "carol"} == {
        name: content for name, content in before.items() if name != "carol.json"
    }

    (submissions / "bob.zip").unlink()
    write_zip(submissions / "bob.zip", {"ex02_losses/losses.py": LOSSES.read_bytes()})
    (submissions / "frank" / "notes.txt").write_text("not graded: changes nothing")
    changed = run_batch(submissions, out, "--timeout", str(TIMEOUT))
    assert "skipped 2 submissions unchanged" in changed.stderr
    bob = json.loads((out / "bob.json").read_text())
    assert bob["score"] == 10
    assert bob["fingerprint"] != json.loads(before["bob.json"])["fingerprint"]
    assert (out / "alice.json").read_bytes() == before["alice.json"]


def test_a_rerun_regrades_when_the_grader_or_options_change(tmp_path: Path) -> None:
    submissions = small_class(tmp_path / "submissions")
    settings = batch.Settings(submissions, tmp_path / "out", only=("ex02_losses",), timeout=5)
    entry = next(e for e in batch.find_submissions(submissions)[0] if e.id == "alice")
    files = archive.read_submission(entry.path, settings.chosen).files
    report = batch.stand_in_report(settings, files, "timeout", "stopped")
    report = batch.with_submission(
        report, entry, None, settings.graded_with(), "timeout", "stopped"
    )
    settings.out.mkdir()
    (settings.out / "alice.json").write_text(json.dumps(report.to_dict()))
    assert batch.kept_report(entry, settings, settings.graded_with()) is not None
    for changed in (replace(settings, timeout=6), replace(settings, lang="ko")):
        assert batch.kept_report(entry, changed, changed.graded_with()) is None
    other_grader = {**settings.graded_with(), "grader": "0.0.0+edited"}
    assert batch.kept_report(entry, settings, other_grader) is None
    (entry.path / "ex02_losses" / "losses.py").write_text("# edited\n")
    assert batch.kept_report(entry, settings, settings.graded_with()) is None


def test_a_crashed_judge_gets_an_error_report_and_the_batch_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    submissions = small_class(tmp_path / "submissions")
    crash = "import sys; print('Traceback: judge exploded', file=sys.stderr); sys.exit(3)"

    def judge_command(
        staged: Path, report: Path, settings: batch.Settings, staging: Path | None = None
    ) -> list[str]:
        if staged.joinpath("ex02_losses", "losses.py").read_bytes() == wrong_mse():
            return [sys.executable, "-c", crash]
        return real(staged, report, settings, staging)

    real = batch.judge_command
    monkeypatch.setattr(batch, "judge_command", judge_command)
    settings = batch.Settings(
        submissions,
        tmp_path / "out",
        only=("ex02_losses",),
        reference=SOLUTIONS,  # the hidden example asks the reference solutions
        hidden_tests=HIDDEN,
        timeout=30,
    )
    outcomes = {o.id: o for o in batch.run(settings)}
    assert {i: o.status for i, o in outcomes.items()} == {
        "alice": "graded",
        "bob": "error",
        "carol": "unreadable",
        "frank": "graded",
    }
    bob = json.loads((settings.out / "bob.json").read_text())
    assert "exit code 3" in bob["submission"]["message"]
    assert "judge exploded" in bob["submission"]["message"]
    assert {t["status"] for t in bob["tests"]} == {"error"} and bob["score"] == 0
    alice = outcomes["alice"].report.to_dict()
    assert alice["score"] == alice["max_score"] == bob["max_score"] > 10  # hidden checks too
    assert [(t["name"], t["hidden"]) for t in bob["tests"]] == [
        (t["name"], t["hidden"]) for t in alice["tests"]
    ]


def test_a_judge_out_of_time_is_killed_with_its_whole_group(tmp_path: Path) -> None:
    pid_file = tmp_path / "grandchild.pid"
    script = (
        "import subprocess, sys, time; "
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)']); "
        f"open({str(pid_file)!r}, 'w').write(str(child.pid)); time.sleep(600)"
    )
    start = time.monotonic()
    judged = judge_process.run_judge([sys.executable, "-c", script], tmp_path, timeout=2)
    assert judged.timed_out and time.monotonic() - start < 30
    grandchild = int(pid_file.read_text())
    for _ in range(50):
        if not _alive(grandchild):
            break
        time.sleep(0.1)
    assert not _alive(grandchild)


def test_the_judge_gets_the_fork_servers_address(tmp_path: Path) -> None:
    show = f"import os; print(os.environ[{fork_server.ADDRESS_VARIABLE!r}])"
    judged = judge_process.run_judge(
        [sys.executable, "-c", show], tmp_path, 60, address="/run/fork.sock"
    )
    assert judged.code == 0 and judged.output.strip() == "/run/fork.sock"


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, killed but not yet reaped, does not)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "State:\tZ" not in status


def test_choose_takes_the_exact_path_else_the_only_file_of_its_name() -> None:
    losses = exercise("ex02_losses")
    layouts = {
        "exact": (["ex02_losses/losses.py", "old/losses.py"], "ex02_losses/losses.py"),
        "flat": (["losses.py", "notes.txt"], "losses.py"),
        "nested": (["work/week2/losses.py"], "work/week2/losses.py"),
        "ambiguous": (["a/losses.py", "b/losses.py"], None),
        "absent": (["ex02_losses/loss.py"], None),
    }
    for name, (paths, expected) in layouts.items():
        assert archive.choose(paths, losses) == expected, name


def test_a_linked_folder_is_not_followed(tmp_path: Path) -> None:
    folder_with(tmp_path / "elsewhere", {"losses.py": LOSSES.read_bytes()})
    student = tmp_path / "student"
    student.mkdir()
    (student / "ex02_losses").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    taken = archive.read_submission(student, [exercise("ex02_losses")])
    assert taken.files == {} and taken.problem == ""
    assert [(i.path, "symbolic link" in i.reason) for i in taken.ignored] == [("ex02_losses", True)]


def test_a_file_name_that_is_not_utf8_is_listed_readably(tmp_path: Path) -> None:
    student = folder_with(tmp_path / "student", {"losses.py": LOSSES.read_bytes()})
    (student / os.fsdecode(b"caf\xe9.txt")).write_text("notes")
    taken = archive.read_submission(student, [exercise("ex02_losses")])
    assert [i.path for i in taken.ignored] == ["caf\ufffd.txt"]
    assert json.dumps([i.to_dict() for i in taken.ignored], ensure_ascii=False).encode()


def test_zip_limits(tmp_path: Path) -> None:
    chosen = list(exercises())
    limits = archive.Limits(members=5, declared_bytes=10_000, file_bytes=1_000)
    many = write_zip(tmp_path / "many.zip", {f"f{i}.txt": b"" for i in range(6)})
    assert "more than the limit of 5" in archive.read_submission(many, chosen, limits).problem
    big = write_zip(tmp_path / "big.zip", {"data.bin": bytes(20_000)})
    assert "zip bomb" in archive.read_submission(big, chosen, limits).problem
    large = write_zip(tmp_path / "large.zip", {"losses.py": bytes(5_000)})
    taken = archive.read_submission(large, chosen, archive.Limits(file_bytes=1_000))
    assert taken.files == {} and "more than the 1000" in taken.ignored[0].reason


def test_a_zip_that_lies_about_sizes_is_read_only_as_far_as_it_declares(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "liar.zip", {"losses.py": bytes(3_000_000)})
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.index(signature)
        data[at + offset : at + offset + 4] = (100).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    assert zipfile.ZipFile(path).infolist()[0].file_size == 100
    taken = archive.read_submission(path, [exercise("ex02_losses")])
    assert taken.files == {} and taken.problem == ""
    assert taken.ignored[0].path == "losses.py"
    assert "cannot be read from the zip" in taken.ignored[0].reason


def test_the_judge_gets_the_folders_to_hide(tmp_path: Path) -> None:
    hidden = tmp_path / "hidden"
    hidden.mkdir()
    settings = batch.Settings(tmp_path / "in", tmp_path / "out", hidden_tests=hidden)
    command = batch.judge_command(tmp_path / "staged", tmp_path / "r.json", settings)
    hide = [command[i + 1] for i, arg in enumerate(command) if arg == "--hide"]
    # The batch's temporary folder too: every student's staged files and the fork server.
    temporary = Path(tempfile.gettempdir())
    expected = (settings.submissions, settings.out, temporary, hidden)
    assert hide == [str(p.resolve()) for p in expected]
    assert command[command.index("--hidden-tests") + 1] == str(hidden.resolve())
    assert "--no-reference" in command


def test_checks_done_before_the_time_limit_still_count(tmp_path: Path) -> None:
    """`grader grade --deadline` (what the batch's --timeout sets): the exercise graded before
    the limit keeps its points; the one whose import never ends is stopped at the limit."""
    submission = folder_with(
        tmp_path / "sub",
        {
            "ex01_activations/activations.py": ACTIVATIONS.read_bytes(),
            "ex02_losses/losses.py": b"import time\ntime.sleep(600)\n" + LOSSES.read_bytes(),
        },
    )
    report_path = tmp_path / "report.json"
    started = time.monotonic()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "grader",
            "grade",
            str(submission),
            "--json",
            str(report_path),
            "--only",
            "ex01_activations,ex02_losses",
            "--deadline",
            "20",
            "--quiet",
        ],
        check=True,
        capture_output=True,
    )
    assert time.monotonic() - started < 20 + 30
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["score"] == 15  # all of ex01
    assert {t["status"] for t in report["tests"] if t["exercise"] == "ex02_losses"} == {"timeout"}
    assert "20 s" in report["incomplete"]


def test_keras_exercises_get_full_marks_in_a_batch(tmp_path: Path) -> None:
    """The Keras exercises save files, plot and load models: in a batch, with the fork server
    and the whole temporary folder hidden, the reference solutions still get full marks."""
    keras_exercises = ("ex06_train_validate", "ex07_regularize", "ex08_save_load")
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    shutil.copytree(SOLUTIONS, submissions / "ada")
    out = tmp_path / "out"
    run_batch(submissions, out, "--only", ",".join(keras_exercises))
    report = json.loads((out / "ada.json").read_text(encoding="utf-8"))
    failing = [f"{t['name']}: {t['message'][:300]}" for t in report["tests"] if t["score"] == 0]
    assert report["score"] == report["max_score"], failing
    assert report["isolation"]["level"] == "namespaces"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to see the batch's processes")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stopped_batch_leaves_no_process_behind(tmp_path: Path, signum: int) -> None:
    """Cancelled by a scheduler (SIGTERM: Slurm's scancel, a pod's deletion) or by Ctrl-C, the
    batch kills its judges, the fork server and the students' processes before it ends, and
    says a rerun keeps what was written."""
    submissions = tmp_path / "class"
    (submissions / "sleeper").mkdir(parents=True)
    (submissions / "sleeper" / "losses.py").write_text("import time\n\ntime.sleep(600)\n")
    command = [sys.executable, "-m", "grader", "batch", str(submissions), "--out"]
    # A process that ignores SIGINT (a pytest-xdist worker does) passes that on to what it
    # starts; one with a handler does not: the batch gets Ctrl-C as a terminal would send it.
    ignored = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        started = subprocess.Popen(
            [*command, str(tmp_path / "out"), "--only", "ex02_losses", "--timeout", "300"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    finally:
        signal.signal(signal.SIGINT, ignored)
    seen: set[int] = set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(seen) < 4:  # fork server, judge, sandbox, student
        seen |= descendants(started.pid)
        time.sleep(0.2)
    time.sleep(1)
    seen |= descendants(started.pid)
    assert len(seen) >= 2, f"the batch started no judge within 60 s: {seen}"
    started.send_signal(signum)
    _, stderr = started.communicate(timeout=60)
    assert started.returncode == {signal.SIGTERM: 143, signal.SIGINT: 130}[signum], stderr
    assert "a rerun keeps the reports written so far" in stderr
    deadline = time.monotonic() + 15
    while (alive := {p: command_line(p) for p in seen if running(p)}) and (
        time.monotonic() < deadline
    ):
        time.sleep(0.2)
    assert not alive, f"still running after the batch ended: {alive}"
