"""Korean feedback is Korean: no English sentence reaches a student who asked for ``--lang ko``.

The wrong-implementation corpus is graded in Korean and every message is searched for a run of
three or more lowercase English words. Code keeps its own words (function names, dtypes,
``keras.layers.Dense``, paths), and so do the texts the student's own code produced: what it
printed, the exception it raised and the line that raised it; those parts are left out of the
search.
"""

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from kit import Job, corpus, grade_all, results, submission_with

from grader.judge.cases import Case, describe_case, golden_cases, phrase_words
from grader.judge.process import Submission
from grader.judge.verdict import Verdict, value_of
from grader.words import messages

WRONG = corpus("wrong")
KOREAN = messages("ko")

WORD = r"(?:\d+-d|[a-z][a-z0-9]+)"
ENGLISH_RUN = re.compile(rf"(?<![\w.`'\"=-]){WORD}(?: {WORD}){{2,}}(?![\w(`'\"=-])")
"""Three or more lowercase words in a row (``float64`` and ``3-d`` count as words; single
letters, as in ``n x n``, do not), none of them part of an identifier, a call or a setting."""
PYTHON_EXCEPTION = re.compile(
    r"\b[A-Z]\w*(?:Error|Exception|Exit|Interrupt)(?::| 예외가 발생했습니다:) .*$", re.MULTILINE
)
"""An exception's class and, after it, the message Python or the student's code gave it."""
STUDENT_LINE = re.compile(
    "^" + re.escape(KOREAN["status"]["where"].partition("{place}")[0]) + ".*$", re.MULTILINE
)
"""The line that says where the student's code raised, and shows that line of code."""


def _printed_heading() -> str:
    return KOREAN["status"]["printed"].partition("{text}")[0]


def english_in(message: str) -> list[str]:
    """The runs of English words in a Korean message, outside code and the student's words."""
    text = message.split(_printed_heading(), 1)[0]
    text = re.sub(r"`[^`]*`", " ", text)
    text = PYTHON_EXCEPTION.sub(" ", text)
    text = STUDENT_LINE.sub(" ", text)
    return ENGLISH_RUN.findall(text)


def test_the_search_finds_english_and_spares_code() -> None:
    assert english_in("sigmoid(x): the process running your code was killed by SIGKILL")
    assert english_in("(경우: 3-d float64 array, axis=0; 입력: x)")
    assert not english_in("keras.layers.Dense(units=1)을(를) 쓰세요. float64 배열 (2, 3, 4)")
    assert not english_in("softmax에서 ValueError 예외가 발생했습니다: could not be broadcast")
    assert not english_in("  위치: activations.py 12번째 줄: for i in range(n)")
    assert not english_in("출력:\n" + _printed_heading() + "\nhello there my friend")


@pytest.fixture(scope="module")
def korean(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Each wrong entry graded in Korean on the checks it fails (test_corpus.py shows that
    those are the only ones it fails); the others say in Korean that they were not run."""
    root = tmp_path_factory.mktemp("korean")
    jobs: list[Job] = [(submission_with(e, root / e.id), e.exercise, e.fails) for e in WRONG]
    return {e.id: report for e, report in zip(WRONG, grade_all(jobs, "--lang=ko"), strict=True)}


def _texts(report: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for (exercise, name), result in results(report).items():
        if result.get("message"):
            yield f"{exercise}::{name}", result["message"]


def test_wrong_corpus_feedback_has_no_english(korean: dict[str, dict[str, Any]]) -> None:
    found = {
        f"{entry} {where}": runs
        for entry, report in korean.items()
        for where, message in _texts(report)
        if (runs := english_in(message))
    }
    assert not found, "\n".join(f"{k}: {v}" for k, v in sorted(found.items()))
    graded = [m for report in korean.values() for _, m in _texts(report)]
    diagnosed = sum("이런 실수로 보입니다" in m for m in graded)
    assert diagnosed >= len(WRONG) // 2, "the corpus was not graded in Korean"


@pytest.mark.parametrize(
    "exercise", ["ex01_activations", "ex02_losses", "ex03_optimizers", "ex04_neuron"]
)
def test_every_recorded_case_reads_the_same_in_english_and_as_korean(
    exercise: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for case in golden_cases(exercise):
        assert phrase_words(case.description) == case.description, "a phrase was not recognised"
        assert describe_case(case) == case.description
    monkeypatch.setenv("GRADER_LANG", "ko")
    for case in golden_cases(exercise):
        words = describe_case(case)
        assert not english_in(words), (case.description, words)
        assert re.search("[가-힣]", words) or re.fullmatch(r"\[[\d., -]+\]", words), words


def test_an_unknown_description_is_told_from_the_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADER_LANG", "ko")
    x = np.zeros((2, 3), dtype=np.float32)
    case = Case("c", "c", "f", "a brand new kind of input", {"axis": 0}, {"x": x, "expected": x})
    assert describe_case(case) == "x = 모양이 (2, 3)인 float32 배열; axis=0"


def _korean_verdict(tmp_path: Path, source: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The Korean message of a call to ``f()`` in a module with ``source``."""
    monkeypatch.setenv("GRADER_LANG", "ko")
    module = tmp_path / "mod.py"
    module.write_text(source, encoding="utf-8")
    submission = Submission(module, timeout=2.0)
    try:
        answer = submission.call("f")
    finally:
        submission.close()
    with pytest.raises(Verdict) as raised:
        value_of(answer, "f()", file="mod.py", timeout=2.0, exercise="ex01_activations")
    return raised.value.message


def test_killed_by_a_signal_in_korean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    message = _korean_verdict(
        tmp_path,
        "import os, signal\n\ndef f():\n    os.kill(os.getpid(), signal.SIGKILL)\n",
        monkeypatch,
    )
    assert "SIGKILL 신호로 종료되었습니다" in message, message
    assert not english_in(message), message


def test_timeout_in_korean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    message = _korean_verdict(tmp_path, "def f():\n    while True:\n        pass\n", monkeypatch)
    assert "2초 안에 끝나지 않아" in message, message
    assert not english_in(message), message


def test_import_timeout_with_printed_output_in_korean(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("grader.judge.process.IMPORT_TIMEOUT", 2.0)
    source = "print('loading my data now', flush=True)\nwhile True:\n    pass\n"
    message = _korean_verdict(tmp_path, source, monkeypatch)
    assert "시간 초과" in message, message
    assert _printed_heading() + "loading my data now" in message, message
    assert not english_in(message), message


def test_import_crash_with_printed_output_in_korean(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = "import os\nprint('about to leave', flush=True)\nos._exit(3)\n"
    message = _korean_verdict(tmp_path, source, monkeypatch)
    assert "종료 코드 3" in message, message
    assert _printed_heading() + "about to leave" in message, message
    assert not english_in(message), message


def test_error_location_in_korean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    message = _korean_verdict(tmp_path, "def f():\n    return 1 / 0\n", monkeypatch)
    assert "mod.py" in message and "2번째 줄" in message, message
    assert "  at " not in message and "line 2" not in message, message
