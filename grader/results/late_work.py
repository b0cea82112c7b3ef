"""Late work on Gradescope: the instructor's late rule applied to one submission.

``grader export gradescope --late-penalty RATE [--late-cap CAP]`` puts the rule in the
autograder zip (``late_work.json``, a ``LatePolicy``). At grading time Gradescope's
``/autograder/submission_metadata.json`` says when the work came in (``created_at``) and when
it was due (``assignment.due_date``; ``assignment.late_due_date`` when set); ``late_work``
applies the same ``LateRule`` as ``grader gradebook``. The result is its own test in
results.json (``with_late_line``), never folded into a check: a penalty, or why none was
taken. Missing or malformed metadata takes nothing off and says so. Reading the files is the
autograde step's (``grader.commands.export``); these functions are pure.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from grader.results.formats import points_text
from grader.results.gradebooks import LateRule, parse_datetime, points
from grader.words import say

METADATA_FILE = "submission_metadata.json"
"""Gradescope's metadata of the submission being graded, in ``/autograder``."""
SETTINGS_FILE = "late_work.json"
"""The late rule in the autograder zip (``/autograder/source``)."""


@dataclass(frozen=True)
class LatePolicy:
    """The instructor's late rule without its due date, which Gradescope gives per submission."""

    penalty: str
    """As ``--late-penalty``: ``10%/day`` or ``2.5/day`` (points)."""
    cap: str | None = None
    """As ``--late-cap``: ``50%`` or ``30`` (points); None: no cap."""

    def rule(self, due: datetime) -> LateRule:
        """The ``LateRule`` for ``due``; ``ValueError`` naming the option when it is not one."""
        return LateRule.due_at(due, self.penalty, self.cap)

    def words(self) -> str:
        """The rule as the student reads it: ``10%/day, at most 50%``."""
        if self.cap is None:
            return self.penalty
        return say("platform.late_rule_capped", penalty=self.penalty, cap=self.cap)

    def to_dict(self) -> dict[str, Any]:
        return {"late_penalty": self.penalty, "late_cap": self.cap}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "LatePolicy":
        """The policy of ``late_work.json``; ``ValueError`` unless it is a rule."""
        if not isinstance(data, Mapping) or not isinstance(data.get("late_penalty"), str):
            raise ValueError('it needs "late_penalty", such as "10%/day"')
        cap = data.get("late_cap")
        if cap is not None and not isinstance(cap, str):
            raise ValueError('"late_cap" must be text, such as "50%", or null')
        policy = cls(data["late_penalty"], cap)
        policy.rule(datetime.now().astimezone())  # refuse a rule that is not one
        return policy


@dataclass(frozen=True)
class LateWork:
    """What the late rule made of one submission."""

    penalty: Decimal
    """Points taken off: 0 on time, and 0 when the times could not be read."""
    days: int | None
    """Days late, each day begun counting as one; None when not known."""
    note: str
    """What the student reads: when it came in, when it was due, what was taken off, or why
    nothing could be."""


def not_applied(reason: str) -> LateWork:
    """No penalty, and why none could be worked out."""
    return LateWork(Decimal(0), None, say("platform.late_not_applied", reason=reason))


def _moment(metadata: Mapping[str, Any], *keys: str) -> datetime | None:
    """The time at ``metadata[keys[0]][keys[1]]...``; None when it is absent or null;
    ``ValueError`` saying which field when it is not an ISO 8601 time with its offset."""
    value: Any = metadata
    for key in keys:
        value = value.get(key) if isinstance(value, Mapping) else None
    if value is None:
        return None
    field = ".".join(keys)
    where = say("platform.late_bad_field", field=field, file=METADATA_FILE, value=value)
    if not isinstance(value, str):
        raise ValueError(where)
    try:
        return parse_datetime(value, field)
    except ValueError:
        raise ValueError(where) from None


def late_work(
    metadata_text: str | None, policy: LatePolicy, score: float, max_score: float
) -> LateWork:
    """The late rule applied to the submission ``metadata_text`` (Gradescope's
    ``submission_metadata.json``, None when there is none) describes, whose checks earned
    ``score`` of ``max_score`` points. Never raises: unreadable times take nothing off."""
    if metadata_text is None:
        return not_applied(say("platform.late_no_metadata", file=METADATA_FILE))
    try:
        metadata = json.loads(metadata_text)
        if not isinstance(metadata, Mapping):
            raise ValueError("it is not a JSON object")
    except ValueError as error:
        return not_applied(say("platform.late_bad_metadata", file=METADATA_FILE, error=error))
    try:
        submitted = _moment(metadata, "created_at")
        due = _moment(metadata, "assignment", "due_date")
        late_due = _moment(metadata, "assignment", "late_due_date")
    except ValueError as error:
        return not_applied(str(error))
    if submitted is None or due is None:
        field = "created_at" if submitted is None else "assignment.due_date"
        missing = say("platform.late_bad_field", field=field, file=METADATA_FILE, value="null")
        return not_applied(missing)
    return _applied(policy, (submitted, due, late_due), points(score), points(max_score))


def _applied(
    policy: LatePolicy,
    moments: tuple[datetime, datetime, datetime | None],
    score: Decimal,
    max_score: Decimal,
) -> LateWork:
    """The rule applied to the times (submitted, due, late due or None)."""
    submitted, due, late_due = moments
    rule = policy.rule(due)
    days = rule.days_late(submitted)
    times = {"submitted": submitted.isoformat(), "due": due.isoformat()}
    if not days:
        return LateWork(Decimal(0), 0, say("platform.late_on_time", **times))
    penalty = rule.penalty(days, score, max_score)
    note = say(
        "platform.late_penalised",
        **times,
        days=days,
        rule=policy.words(),
        penalty=points_text(penalty),
    )
    if late_due is not None and submitted > late_due:
        note += " " + say("platform.late_after_late_due", late_due=late_due.isoformat())
    return LateWork(penalty, days, note)


def with_late_line(results: Mapping[str, Any], late: LateWork) -> dict[str, Any]:
    """Gradescope's ``results.json`` with the late rule's own test, and the top-level score
    lowered by the penalty.

    Gradescope's autograder specification (https://gradescope-autograders.readthedocs.io/en/
    latest/specs/, "Output format" and "Test case status") documents a top-level ``score``
    that "overrides total of tests if specified", and tests with a ``status`` and no score
    information as "informational checks with a passing or failing status"; it says nothing of
    a negative test score. So the total is set at the top (the checks' points less the
    penalty), and the late rule's test carries no ``score`` nor ``max_score``: its status is
    ``failed`` when points were taken, its output says what and why, and ``extra_data`` (the
    specification's "extra data to be stored") records the penalty and the days late. The
    checks' tests still add up to the points before the penalty."""
    line = {
        "name": say("platform.late_penalty_column"),
        "status": "failed" if late.penalty else "passed",
        "output": late.note,
        "visibility": "visible",
        "extra_data": {"late_penalty": float(late.penalty), "days_late": late.days},
    }
    total = points(results["score"]) - late.penalty
    output = f"{results['output']}\n{late.note}"
    if late.penalty:
        maximum = sum(points(test["max_score"]) for test in results["tests"])
        output += "\n" + say(
            "platform.late_total", score=points_text(total), max_score=points_text(maximum)
        )
    return {**results, "score": float(total), "output": output, "tests": [*results["tests"], line]}
