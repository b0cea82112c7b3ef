"""What a check holds: the student's code for one exercise, reached through plain data.

``Student`` turns every way a call can go wrong (not attempted, an exception, a timeout, a
crash, a missing function) into a ``Verdict`` with the right status, so a check only
states what it expects.
"""

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from grader.catalog import Exercise
from grader.judge.cases import Case, cases_for, describe_case
from grader.judge.process import Answer, Handle, Submission
from grader.judge.reference import reference_cases
from grader.judge.verdict import (
    Mistake,
    Rounding,
    Tolerance,
    Verdict,
    as_float_array,
    check_close,
    describe,
    value_of,
)
from grader.words import say


def call_text(function: str, args: Sequence[str], kwargs: dict[str, Any]) -> str:
    """``softmax(x, axis=0)``: how a call reads in feedback."""
    words = [*args, *(f"{k}={v!r}" for k, v in kwargs.items())]
    return f"{function}({', '.join(words)})"


class Student:
    """The student's module of one exercise, as the checks see it."""

    def __init__(
        self, exercise: Exercise, submission: Submission, reference_dir: Path | None = None
    ):
        self.exercise = exercise
        self.submission = submission
        self.reference_dir = reference_dir

    def cases(self, check: str) -> list[Case]:
        """The recorded cases of ``check``, and random ones when a reference is given."""
        recorded = cases_for(self.exercise.name, check)
        if self.reference_dir is None:
            return recorded
        return recorded + reference_cases(self.exercise, check, self.reference_dir)

    def settle(self, answer: Answer, call: str) -> Answer:
        """The answer, or the Verdict that says why it has no value."""
        value_of(
            answer,
            call,
            file=self.exercise.filename,
            timeout=self.submission.timeout,
            exercise=self.exercise.name,
        )
        return answer

    def call(self, function: str, *args: Any, text: str | None = None, **kwargs: Any) -> Answer:
        """Call ``function``; a Verdict if it gives no value."""
        text = text or call_text(function, [describe_arg(a) for a in args], kwargs)
        return self.settle(self.submission.call(function, *args, **kwargs), text)

    def create(self, class_name: str, **kwargs: Any) -> Handle:
        text = call_text(class_name, [], kwargs)
        answer = self.settle(self.submission.create(class_name, **kwargs), text)
        return answer.value

    def call_method(self, handle: Handle, method: str, *args: Any, text: str) -> Answer:
        return self.settle(self.submission.call_method(handle, method, *args), text)

    def attribute(self, handle: Handle, name: str) -> Any:
        text = f"{handle.type_name}.{name}"
        return self.settle(self.submission.attribute(handle, name), text).value

    def check_case(
        self,
        case: Case,
        args: Sequence[str],
        *,
        source: str,
        mistakes: Sequence[Mistake] = (),
        tolerance: Tolerance | Rounding | None = None,
        shape_rule: str | None = None,
    ) -> np.ndarray:
        """Call ``case.function`` on the case's arrays named ``args`` and its kwargs, and
        compare with ``case["expected"]`` within ``tolerance`` (the NumPy checks pass their
        ``Rounding``; without one, ``Tolerance.for_dtype``); returns the received array."""
        expected = case["expected"]
        text = call_text(case.function, args, case.kwargs)
        try:
            answer = self.call(case.function, *(case[a] for a in args), text=text, **case.kwargs)
            why = shape_rule or say("why.input_shape")
            received = as_float_array(answer.value, text, expected.shape, why, mistakes)
        except Verdict as verdict:
            if verdict.whole_module:  # the module did not import: the case is beside the point
                raise
            inputs = "; ".join(f"{a} = {describe(case[a])}" for a in args)
            where = say("compare.case", case=describe_case(case), inputs=inputs)
            raise Verdict.of(verdict, where) from None
        try:
            check_close(
                received,
                expected,
                call=text,
                case=describe_case(case),
                source=case.source or source,
                inputs={a: case[a] for a in args},
                mistakes=mistakes,
                tolerance=tolerance or Tolerance.for_dtype(expected.dtype),
            )
        except Verdict as verdict:
            if not answer.printed.strip():
                raise
            printed = say("status.printed", text=answer.printed.rstrip())
            raise Verdict.of(verdict, printed) from None
        return received

    def expect_inputs_untouched(
        self, calls: Sequence[tuple[str, Sequence[str], Callable[[], Answer]]]
    ) -> None:
        """Each ``(call text, argument names, call)`` returns a value and leaves its inputs as
        they were.

        Checked once every function has been written (a function still to do makes the whole
        check 'not attempted'), and only on functions that work: a call that raises, times out
        or returns None leaves nothing verified, so the check fails with that reason.
        """
        to_do = []
        for text, names, make_call in calls:
            answer = make_call()
            if answer.error is not None and answer.error.kind == "not_attempted":
                to_do.append(text)
                continue
            if answer.modified:
                which = ", ".join(argument_name(label, names) for label in answer.modified)
                raise Verdict(say("compare.modified", call=text, which=which))
            if self.settle(answer, text).value is None:
                raise Verdict(say("shape.none", call=text))
        if to_do:
            raise Verdict(
                say("status.not_attempted", call=", ".join(to_do), file=self.exercise.filename),
                "not_attempted",
            )


LIST_CHANGES = (
    (" (the list item was replaced)", "compare.item_replaced"),
    (" (items added or removed)", "compare.items_added_or_removed"),
)
"""How the student's process labels an input list a call changed
(``grader.worker.serve._changed_lists``), and the words for it."""


def argument_name(label: str, names: Sequence[str]) -> str:
    """``"argument 2[0]"`` as ``"params[0]"`` when the second argument is called params;
    a changed list's label in the feedback language."""
    for suffix, key in LIST_CHANGES:
        if label.endswith(suffix):
            return say(key, label=argument_name(label.removesuffix(suffix), names))
    position, _, rest = label.removeprefix("argument ").partition("[")
    if not position.isdigit() or not 0 < int(position) <= len(names):
        return label
    return names[int(position) - 1] + (f"[{rest}" if rest else "")


def describe_arg(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"<{value.dtype} array {value.shape}>"
    if isinstance(value, list):
        return f"<list of {len(value)} arrays>"
    return repr(value)
