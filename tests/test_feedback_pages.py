"""Each student's feedback page (OUT/feedback/<id>.md and .html), from the score report, in
the batch's language; hidden checks summed unless --feedback-hidden. No sandbox runs."""

import html.parser
from pathlib import Path

import pytest
from fixture_reports import mixed_report

from grader.commands import batch
from grader.results.feedback import feedback_html, feedback_markdown
from grader.results.model import ScoreReport

IGNORED = [{"path": "ex02_losses/test_mine.py", "reason": "a test file: the kit's checks grade"}]


def test_markdown_page_has_the_table_failing_checks_hints_and_ignored_files() -> None:
    page = feedback_markdown(mixed_report(ignored=IGNORED), "alice", "en")
    assert page.startswith("# Feedback for alice\n\n**Total: 2 / 7.25**\n")
    assert "| ex01_activations | 2 / 4 | 2 / 3 |" in page
    assert "### ex02_losses/mean_squared_error: wrong answer: summed instead of averaged" in page
    assert "expected 0.25, received 0.5." in page
    assert "(hint: grader hint ex02_losses)" in page
    assert "### ex01_activations/softmax: not attempted yet" in page
    assert "- `ex02_losses/test_mine.py`: a test file" in page


def test_hidden_checks_are_summed_unless_asked_for() -> None:
    report = mixed_report(hidden=True)
    page = feedback_markdown(report, "alice", "en")
    assert "SECRET-INPUT" not in page and "secret_shapes" not in page
    assert "1 hidden checks (not shown here): 0 passed, 0 / 1.5 points" in page
    assert "**Total: 2 / 8.75**" in page  # the total is the report's, hidden checks included
    assert "| ex02_losses | 0 / 3.25 | 0 / 2 |" in page
    shown = feedback_markdown(report, "alice", "en", hidden=True)
    assert "SECRET-INPUT" in shown and "| ex02_losses | 0 / 4.75 | 0 / 3 |" in shown


class _Checker(html.parser.HTMLParser):
    """Collects the text and the tags left open, to see the page is well formed."""

    VOID = frozenset({"meta", "br", "hr", "img", "link", "input"})

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.text: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs) -> None:
        self.scripts += tag == "script"
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag) -> None:
        assert self.open and self.open[-1] == tag, (self.open, tag)
        self.open.pop()

    def handle_data(self, data) -> None:
        self.text.append(data)


def test_html_page_is_well_formed_and_in_the_course_language() -> None:
    data = mixed_report(ignored=IGNORED).to_dict()
    data["tests"][3]["message"] = "<script>alert(1)</script> expected 0.25"
    report = ScoreReport.from_dict(data)
    page = feedback_html(report, "alice", "ko")
    checker = _Checker()
    checker.feed(page)
    assert checker.open == [] and checker.scripts == 0  # the message is text, not markup
    text = "".join(checker.text)
    assert "alice 학생 피드백" in text and "합계: 2 / 7.25" in text
    assert "<script>alert(1)</script> expected 0.25" in text
    assert "틀린 답: summed instead of averaged" in text
    assert '<html lang="ko">' in page


def test_batch_writes_a_page_per_student(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    submissions = tmp_path / "submissions"
    for student in ("alice", "bob"):
        (submissions / student).mkdir(parents=True)
    reports = {"alice": mixed_report(hidden=True), "bob": mixed_report()}

    def graded(todo, settings, graded_with, console):
        return {e.id: batch.Outcome(e.id, reports[e.id]) for e in todo}

    monkeypatch.setattr(batch, "_grade_all", graded)
    settings = batch.Settings(submissions=submissions, out=tmp_path / "out", lang="ko")
    batch.run(settings)
    pages = sorted(p.name for p in (tmp_path / "out" / "feedback").iterdir())
    assert pages == ["alice.html", "alice.md", "bob.html", "bob.md"]
    alice = (tmp_path / "out" / "feedback" / "alice.md").read_text()
    assert alice.startswith("# alice 학생 피드백") and "SECRET-INPUT" not in alice
    shown = batch.Settings(
        submissions=submissions, out=tmp_path / "shown", lang="en", feedback_hidden=True
    )
    batch.run(shown)
    assert "SECRET-INPUT" in (tmp_path / "shown" / "feedback" / "alice.md").read_text()
