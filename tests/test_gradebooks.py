"""`grader gradebook OUT`: a batch's reports as Canvas's and Moodle's import files and a plain
CSV; the roster, the students with no submission, the submissions with no roster entry, and
the late penalty in its own column. Built from small reports: no sandbox runs."""

import csv
import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from fixture_reports import report_with_score

from grader.commands import gradebook
from grader.results import gradebooks

DUE = "2026-11-20T23:59:00+00:00"
ROSTER = """submission,name,canvas_id,sis_user_id,sis_login_id,section,id_number,email,submitted_at
alice,"Kim, Alice",101,S-1,alice@uni,A,2026001,alice@uni.example,2026-11-22T10:00:00+00:00
bob,"Lee, Bob",102,S-2,bob@uni,A,2026002,bob@uni.example,2026-11-20T12:00:00+00:00
carol,"Park, Carol",103,S-3,carol@uni,B,2026003,carol@uni.example,
,"Choi, Erin",104,S-4,erin@uni,B,2026004,erin@uni.example,
"""
"""alice: 2.75 points, 1 day 10 h late (two started days); bob: 7.25, on time; carol: her
grading failed; Erin submitted nothing; dave (below) submitted but is not on the roster."""


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "results"
    folder.mkdir()
    reports = {
        "alice": report_with_score("alice", {"sigmoid", "crossentropy_clipping"}),
        "bob": report_with_score(
            "bob", {"sigmoid", "relu", "softmax", "mean_squared_error", "crossentropy_clipping"}
        ),
        "carol": report_with_score("carol", set(), status="error"),
        "dave": report_with_score("dave", {"relu"}),
    }
    for student, report in reports.items():
        (folder / f"{student}.json").write_text(json.dumps(report.to_dict()))
    (folder / "gradebook.csv").write_text("id,total\n")
    (folder / "roster.csv").write_text(ROSTER)
    return folder


def _make(out: Path, fmt: str, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "grader", "gradebook", str(out), "--format", fmt, *args]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def _book(out: Path, fmt: str, capsys, **options) -> tuple[list[list[str]], str]:
    options.setdefault("roster", out / "roster.csv")
    code = gradebook.make_gradebook(gradebook.Options(out=out, format=fmt, **options))
    captured = capsys.readouterr()
    assert code == 0, captured.err
    text = (out / f"gradebook-{fmt}.csv").read_text()
    return list(csv.reader(io.StringIO(text))), captured.err


LATE = {"due": DUE, "late_penalty": "10%/day"}


def test_canvas_import_has_canvas_headers_and_points_possible(out: Path, capsys) -> None:
    rows, err = _book(out, "canvas", capsys, **LATE)
    assert rows[0] == [
        "Student", "ID", "SIS User ID", "SIS Login ID", "Section",
        "Deep-learning exercises", "Late penalty",
    ]  # fmt: skip
    assert rows[1] == ["    Points Possible", "", "", "", "", "7.25", ""]
    by_name = {row[0]: row for row in rows[2:]}
    assert set(by_name) == {"Kim, Alice", "Lee, Bob", "Park, Carol", "Choi, Erin"}
    assert by_name["Kim, Alice"][1:5] == ["101", "S-1", "alice@uni", "A"]
    # 2.75 points, two started days late at 10 % of 7.25 a day: 1.45 off, 1.3 left
    assert by_name["Kim, Alice"][5:] == ["1.3", "1.45"]
    assert by_name["Lee, Bob"][5:] == ["7.25", "0"]
    assert by_name["Park, Carol"][5:] == ["", ""]  # grading failed: no zero, and named
    assert by_name["Choi, Erin"][5:] == ["", ""]
    assert "dave" in err and "no roster entry" in err and "NOT in this file" in err
    assert "carol" in err and "not graded" in err
    assert "Choi, Erin" in err and "submitted nothing" in err


def test_missing_zero_gives_the_absent_student_a_zero(out: Path, capsys) -> None:
    rows, _ = _book(out, "canvas", capsys, missing="zero")
    erin = next(row for row in rows if row[0] == "Choi, Erin")
    carol = next(row for row in rows if row[0] == "Park, Carol")
    assert erin[5] == "0" and carol[5] == ""  # a failed grading is never a silent zero


def test_moodle_import_matches_by_id_number_or_email(out: Path, capsys) -> None:
    rows, _ = _book(out, "moodle", capsys, assignment="Lab 1", **LATE)
    assert rows[0] == ["ID number", "Email address", "Lab 1", "Late penalty"]
    by_id = {row[0]: row for row in rows[1:]}
    assert by_id["2026001"] == ["2026001", "alice@uni.example", "1.3", "1.45"]
    assert by_id["2026002"][2:] == ["7.25", "0"]
    assert "dave" not in {row[1] for row in rows}


def test_plain_csv_keeps_unmatched_submissions(out: Path, capsys) -> None:
    rows, err = _book(out, "csv", capsys, **LATE)
    header, body = rows[0], rows[1:]
    table = {row[0]: dict(zip(header, row, strict=True)) for row in body}
    assert table["dave"]["total"] == "1.5" and table["dave"]["status"] == "graded"
    assert table["alice"]["late_days"] == "2" and table["alice"]["late_penalty"] == "1.45"
    assert table["alice"]["score"] == "2.75" and table["alice"]["total"] == "1.3"
    assert table["carol"]["status"] == "error"
    assert "dave" in err and "kept in the plain CSV" in err


def _decimal(cell: str) -> Decimal:
    return Decimal(cell) if cell else Decimal(0)


def test_every_format_adds_up_to_the_reports_total(out: Path, capsys) -> None:
    """What each file gives a student plus its late penalty is the report's score, to the
    last digit, with fractional points (0.5, 2.25) and a fractional penalty (1.45)."""
    reports, _ = gradebook.read_reports(out)
    names = {"Kim, Alice": "alice", "Lee, Bob": "bob", "2026001": "alice", "2026002": "bob"}
    for fmt, per_exercise in [("canvas", False), ("canvas", True), ("moodle", True)]:
        rows, _ = _book(out, fmt, capsys, per_exercise=per_exercise, **LATE)
        for row in rows:
            if row[0] in names:
                score_cells = row[5:] if fmt == "canvas" else row[2:]
                scores = [_decimal(c) for c in score_cells[:-1]]
                penalty = _decimal(score_cells[-1])
                expected = Decimal(repr(reports[names[row[0]]].score))
                if per_exercise:  # exercises' points before the penalty
                    assert sum(scores) == expected, (fmt, row)
                else:
                    assert sum(scores) + penalty == expected, (fmt, row)
    rows, _ = _book(out, "csv", capsys, **LATE)
    for row in rows[1:]:
        record = dict(zip(rows[0], row, strict=True))
        if record["submission"] in reports:
            expected = Decimal(repr(reports[record["submission"]].score))
            assert _decimal(record["total"]) + _decimal(record["late_penalty"]) == expected
            exercises = [k for k in record if k.startswith("ex")]
            assert sum(_decimal(record[k]) for k in exercises) == expected


def test_per_exercise_columns_have_their_own_points_possible(out: Path, capsys) -> None:
    rows, _ = _book(out, "canvas", capsys, per_exercise=True)
    assert rows[0][5:] == [
        "Deep-learning exercises: ex01_activations",
        "Deep-learning exercises: ex02_losses",
        "Late penalty",
    ]
    assert rows[1][5:] == ["4", "3.25", ""]


def test_the_late_rule() -> None:
    rule = gradebooks.LateRule.parse(DUE, "10%/day", "15%")
    due = datetime(2026, 11, 20, 23, 59, tzinfo=UTC)
    assert rule.days_late(due) == 0
    assert rule.days_late(datetime(2026, 11, 21, 0, 0, tzinfo=UTC)) == 1
    assert rule.days_late(datetime(2026, 11, 22, 23, 59, tzinfo=UTC)) == 2
    # 3 days at 10 % of 7.25 is 2.175; the cap is 15 %: 1.0875
    assert rule.penalty(3, Decimal("7.25"), Decimal("7.25")) == Decimal("1.0875")
    assert rule.penalty(3, Decimal("0.5"), Decimal("7.25")) == Decimal("0.5")  # not below 0
    points = gradebooks.LateRule.parse(DUE, "2.5/day")
    assert points.penalty(2, Decimal(100), Decimal(100)) == Decimal(5)
    for bad in [("10%", None), ("ten/day", None), ("10%/day", "half")]:
        with pytest.raises(ValueError):
            gradebooks.LateRule.parse(DUE, *bad)
    with pytest.raises(ValueError, match="--due"):
        gradebooks.LateRule.parse("next friday", "10%/day")


def test_the_cap_is_written_to_the_last_digit(out: Path, capsys) -> None:
    # bob came in 1.5 days after this due time: 2 days at 10 % is 1.45, capped at 15 %
    rows, _ = _book(out, "csv", capsys, due="2026-11-19T00:00+00:00",
                    late_penalty="10%/day", late_cap="15%")  # fmt: skip
    bob = next(dict(zip(rows[0], r, strict=True)) for r in rows[1:] if r[0] == "bob")
    assert bob["late_penalty"] == "1.0875" and bob["total"] == "6.1625"


@pytest.mark.parametrize(
    ("roster", "message"),
    [
        ("name,email\nA,a@x\n", "no 'submission' column"),
        ("submission,nickname\nalice,al\n", "unknown column"),
        ("submission\nalice\nalice\n", "listed twice"),
    ],
)
def test_a_bad_roster_is_refused_with_the_reason(
    out: Path, roster: str, message: str, capsys
) -> None:
    (out / "bad.csv").write_text(roster)
    options = gradebook.Options(out=out, format="canvas", roster=out / "bad.csv")
    assert gradebook.make_gradebook(options) == 2
    assert message in capsys.readouterr().err
    assert not (out / "gradebook-canvas.csv").exists()


def test_the_submissions_mtime_is_the_stated_fallback(out: Path, tmp_path: Path, capsys) -> None:
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    late = datetime(2026, 11, 21, 1, 0, tzinfo=UTC).timestamp()
    for student in ("alice", "bob", "dave"):
        (submissions / f"{student}.zip").write_bytes(b"")
        os.utime(submissions / f"{student}.zip", (late, late))
    rows, err = _book(out, "csv", capsys, roster=None, submissions=submissions, **LATE)
    table = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert table["dave"]["late_days"] == "1"
    assert table["carol"]["late_days"] == "" and "no submission time" in err and "carol" in err


def test_canvas_needs_a_roster_and_the_command_runs(out: Path) -> None:
    done = _make(out, "canvas")
    assert done.returncode == 2 and "--roster" in done.stderr
    done = _make(out, "moodle", "--roster", str(out / "roster.csv"), "--to", str(out / "m.csv"))
    assert done.returncode == 0, done.stderr
    assert (out / "m.csv").read_text().startswith("ID number,Email address,")
    assert "dave" in done.stderr
