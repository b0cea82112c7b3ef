"""Verdicts and the words that explain them: mine versus gold, the worst element, the mistake.

A check fails by raising ``Verdict`` with a message built here. Every message says what was
called with what input, the expected and the received value at the worst element, the
error and the tolerance, and, when the received values match a known mistake, its name
and a hint. The sentences themselves live in ``messages/<lang>.toml``.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grader.judge.cases import source_words
from grader.judge.process import Answer
from grader.protocol import Foreign
from grader.results.model import CHECK_STATUSES
from grader.words import language, messages, say


class Explanation(str):
    """A "Likely mistake — <name>. <hint>" line, which knows the mistake's name (``explain``)."""

    diagnosis: str

    def __new__(cls, text: str, diagnosis: str) -> "Explanation":
        made = super().__new__(cls, text)
        made.diagnosis = diagnosis
        return made


class Verdict(pytest.fail.Exception):
    """A check's failure, with its status, the message the student reads, and the name of the
    known mistake the judge found evidence for (``diagnosis``, empty when none): a field the
    judge sets, never read back out of the message."""

    def __init__(
        self,
        message: str,
        status: str = "failed",
        *,
        diagnosis: str = "",
        whole_module: bool = False,
    ):
        if status not in CHECK_STATUSES:
            raise ValueError(f"unknown status {status!r}")
        super().__init__(msg=message, pytrace=False)
        self.status = status
        self.message = message
        self.diagnosis = diagnosis
        self.whole_module = whole_module
        """The student's module as a whole failed (it did not import): no case is to blame."""

    @classmethod
    def of(cls, *parts: "str | Verdict", status: str = "failed") -> "Verdict":
        """A verdict whose message is ``parts``, one per line (a Verdict part gives its message
        and status); its diagnosis is the first explained mistake among them (an
        ``Explanation``, or a Verdict part's own diagnosis)."""
        found = [p.diagnosis for p in parts if isinstance(p, Explanation | Verdict) and p.diagnosis]
        earlier = [p for p in parts if isinstance(p, Verdict)]
        text = "\n".join(p.message if isinstance(p, Verdict) else p for p in parts)
        status = earlier[0].status if earlier and status == "failed" else status
        return cls(text, status, diagnosis=found[0] if found else "")

    def add(self, text: str) -> None:
        """Append a paragraph (for example what the student's code printed)."""
        self.message = self.msg = f"{self.message}\n{text}"
        self.args = (self.message,)


# pytest's own outcome exceptions do this too: the short summary then reads
# "Verdict: softmax(x) is wrong ..." instead of naming this module.
Verdict.__module__ = "builtins"


@dataclass(frozen=True)
class Tolerance:
    """Passes when ``|received - expected| <= atol + rtol * |expected|`` element-wise.

    A fixed tolerance, for results whose error is not rounding alone (a trained model); the
    NumPy checks use ``Rounding``, which follows the floating-point error of the input's dtype.
    """

    rtol: float
    atol: float

    @classmethod
    def for_dtype(cls, dtype: np.dtype) -> "Tolerance":
        """float64 results are held to 1e-7 relative, float32 ones to 1e-5 (the default of
        ``Student.check_case`` for checks that know nothing of their function's conditioning)."""
        if np.dtype(dtype) == np.float64:
            return cls(rtol=1e-7, atol=1e-10)
        return cls(rtol=1e-5, atol=1e-6)

    def bound(self, expected: np.ndarray) -> np.ndarray:
        return self.atol + self.rtol * np.abs(expected)

    def explain(self, index: tuple[int, ...], expected: np.ndarray, error: float) -> list[str]:
        bound = float(self.bound(expected)[index])
        return [say("compare.error", error=error, atol=self.atol, rtol=self.rtol, bound=bound)]


ULPS = 8
"""How many roundings, in units of the result's sensitivity, a correct answer may be off by:
the few of the student's formula and tf.keras's own together (TensorFlow's tanh alone is up to
4 ulps from NumPy's in float64)."""

FLOAT32_EPS = float(np.finfo(np.float32).eps)


@dataclass(frozen=True, eq=False)
class Rounding:
    """The tolerance that follows floating-point error: how far a correct formula computed in
    ``dtype`` can land from tf.keras's answer, element-wise.

    ```
    bound = ULPS * (eps * (|expected| + 1 + sensitivity)
                    + eps_float32 * float32_sensitivity) + allowance
    ```
    - ``eps`` is the machine epsilon of ``dtype`` (float32: 1.19e-7, float64: 2.22e-16):
      rounding a value ``v`` to that dtype moves it by up to ``eps / 2 * |v|``.
    - ``sensitivity = sum_j |v_j * d expected / d v_j|`` over the function's inputs and the
      intermediate values every way of computing it must round: how far the answer moves per
      relative change of each of them (``|x * f'(x)|`` for an element-wise ``f``, that is the
      condition number times ``|f(x)|``). Times ``eps`` it is the error that rounding them
      causes, which no formula avoids: softmax in float32 at ``|x| = 1000`` cannot do much
      better than ``1000 * eps``. ``|expected|`` and ``1`` count the rounding of the answer
      itself and of values of order 1 (``1 + e``, ``1 - s``, a probability).
    - ``float32_sensitivity``: the same for values Keras holds in float32 whatever the
      result's dtype (an optimizer's hyper-parameters), with float32's epsilon.
    - ``allowance``: differences that are not rounding: where the checks accept more than one
      formula (epsilon inside or outside the root), or where Keras departs from the
      documented formula; ``allowance_reason`` names it (a key of ``compare.allowance``).
    - ``at``: the input's magnitude the message quotes, as ``(name, |value| per element)``.

    Every field but ``dtype`` broadcasts against the expected array.
    """

    dtype: str
    sensitivity: Any = 0.0
    float32_sensitivity: Any = 0.0
    allowance: Any = 0.0
    allowance_reason: str = ""
    at: tuple[str, Any] | None = None

    @property
    def eps(self) -> float:
        return float(np.finfo(self.dtype).eps)

    def bound(self, expected: np.ndarray) -> np.ndarray:
        rounding = self.eps * (np.abs(expected) + 1 + self.sensitivity)
        return ULPS * (rounding + FLOAT32_EPS * np.asarray(self.float32_sensitivity)) + (
            self.allowance
        )

    def explain(self, index: tuple[int, ...], expected: np.ndarray, error: float) -> list[str]:
        """The bound at ``index``, term by term: "tolerance for float32 at |x| = 1000: ..."."""

        def at(value: Any) -> float:
            return float(np.broadcast_to(value, expected.shape)[index])

        bound = float(self.bound(expected)[index])
        terms = say(
            "compare.rounding_terms",
            ulps=ULPS,
            eps=self.eps,
            expected=abs(at(expected)),
            sensitivity=at(self.sensitivity),
        )
        if at(self.float32_sensitivity):
            terms += say(
                "compare.rounding_float32",
                ulps=ULPS,
                eps=FLOAT32_EPS,
                sensitivity=at(self.float32_sensitivity),
            )
        if at(self.allowance):
            terms += say(f"compare.allowance.{self.allowance_reason}", value=at(self.allowance))
        name, magnitude = self.at or ("expected", np.abs(expected))
        return [
            say("compare.rounding_error", error=error, bound=bound),
            say(
                "compare.rounding",
                dtype=self.dtype,
                name=name,
                magnitude=at(magnitude),
                terms=terms,
                bound=bound,
            ),
            say("compare.rounding_why", dtype=self.dtype, eps=self.eps),
        ]


@dataclass(frozen=True)
class Mistake:
    """A known wrong answer: ``matches(received)`` says whether the student made it."""

    id: str
    matches: Callable[[np.ndarray], bool]
    fields: dict[str, Any] = field(default_factory=dict)
    about_shape: bool = False
    """True for a mistake that shows in the result's shape; those are tried when the shape is
    wrong, the others only on results of the right shape."""

    def explain(self) -> Explanation:
        name = say(f"mistake.{self.id}.name", **self.fields)
        hint = say(f"mistake.{self.id}.hint", **self.fields)
        return Explanation(say("compare.mistake", name=name, hint=hint), name)


def gives(
    mistake_id: str, wrong: Any, tolerance: Tolerance | None = None, **fields: Any
) -> Mistake:
    """The mistake whose answer is the array ``wrong`` (or whatever ``wrong()`` computes)."""

    def matches(received: np.ndarray) -> bool:
        try:
            with np.errstate(all="ignore"):
                value = np.asarray(wrong() if callable(wrong) else wrong, dtype=np.float64)
        except Exception:
            return False
        tol = tolerance or Tolerance(rtol=1e-5, atol=1e-8)
        return value.shape == received.shape and bool(
            np.allclose(received, value, rtol=tol.rtol, atol=tol.atol, equal_nan=True)
        )

    return Mistake(mistake_id, matches, fields)


def shaped(mistake_id: str, shape: tuple[int, ...]) -> Mistake:
    """The mistake that shows as a result of shape ``shape`` instead of the expected one."""
    return Mistake(mistake_id, lambda received: received.shape == shape, about_shape=True)


def not_finite(mistake_id: str) -> Mistake:
    """The mistake that shows as inf or nan where the right answer is finite."""
    return Mistake(mistake_id, lambda received: not bool(np.all(np.isfinite(received))))


def float32_as_written(value: float | None) -> str:
    """A setting Keras keeps in float32 as the student wrote it: the shortest decimal that
    gives the same float32 (``0.01``, not ``0.009999999776482582``); ``None`` as is."""
    if value is None:
        return "None"
    return str(np.float32(value))


def shown_path(path: Path | str, base: Path) -> str:
    """``path`` as a student should read it: inside ``base`` (the grader's temporary folder,
    pytest's base temp) as ``<tmp>/...``, never the machine's own folders."""
    try:
        return f"<tmp>/{Path(path).relative_to(base).as_posix()}"
    except ValueError:
        return str(path)


def describe(value: Any) -> str:
    """A value in a few words: small 0-d and 1-d arrays in full, others by dtype and shape."""
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return f"{value.item()!r} ({value.dtype})"
        if value.ndim == 1 and value.size <= 8:
            text = np.array2string(value, precision=6, separator=", ", max_line_width=10**6)
            return f"{text} ({value.dtype})"
        return say("words.array", dtype=value.dtype, shape=value.shape)
    if value is None:
        return "None"
    if isinstance(value, Foreign):
        return say("words.object", type=value.type_name)
    if isinstance(value, list | tuple):
        return say("words.sequence", kind=type(value).__name__, count=len(value))
    return f"{type(value).__name__} {value!r}"


def explain(mistake_id: str, **fields: Any) -> Explanation:
    """ "Likely mistake — <name>. <hint>" for a known mistake."""
    return Mistake(mistake_id, lambda received: True, fields).explain()


def _status_message(
    answer: Answer, call: str, file: str, timeout: float, exercise: str
) -> tuple[str, list[str]]:
    """The status of a call that gave no value, and its message's lines (an ``Explanation``
    among them when the error is evidence of a known mistake)."""
    error = answer.error
    assert error is not None
    fields = {
        "call": call,
        "file": file,
        "type": error.type,
        "message": error.message,
        "name": call.split("(")[0],
        "seconds": timeout,
    }
    status = {"not_attempted": "not_attempted", "timeout": "timeout"}.get(error.kind, "error")
    if error.kind == "import" and error.type == "timeout":  # the import itself ran too long
        status = "timeout"
    key = {
        "missing": "status.missing",
        "import": "status.import",
        "timeout": "status.timeout",
        "crashed": "status.crashed",
        "not_attempted": "status.not_attempted",
        "unreadable": "status.unreadable",
    }.get(error.kind, "status.exception")
    if error.kind == "missing" and "(" not in call:
        key = "error_hint.missing_attribute"
    if error.kind == "timeout" and error.type == "repeat":
        key = "status.timeout_repeat"
    if error.kind == "crashed" and error.type == "stale":
        key = "status.stale"
    if error.kind == "import" and error.type in ("timeout", "crashed"):  # the process, not Python
        key = "status.import_stopped"
    if error.kind == "import" and error.repeat:  # shown in full under the first check
        return status, [say("status.import_repeat", file=file)]
    if error.kind == "not_attempted" and error.raised_in not in ("", error.called, "__init__"):
        key = "status.not_attempted_callee"
        fields["callee"] = error.raised_in
    lines = [say(key, **fields)]
    if error.where and error.kind != "not_attempted":
        lines.append(say("status.where", place=where_words(error.where)))
    if error.code:  # a syntax error: the line, and a caret where Python stopped reading it
        code = error.code.expandtabs(4)
        lines += ["    " + code, "    " + " " * max(error.column - 1, 0) + "^"]
    lines += _error_hints(error.message, exercise)
    return status, lines


WHERE = re.compile(
    r"(?P<file>[^,]+), line (?P<line>\d+)(?:, in (?P<function>[^:]+?))?(?P<code>: .*)?"
)
"""The student's process's account of the line that raised (``grader.worker.serve._where``)."""


def where_words(where: str) -> str:
    """``activations.py, line 12, in softmax: <code>`` in the feedback language; the code
    itself as it is. A text of another shape (the student's process wrote it) as it came."""
    found = WHERE.fullmatch(where)
    if found is None:
        return where
    key = "status.place_function" if found["function"] else "status.place_line"
    place = say(key, file=found["file"], line=found["line"], function=found["function"])
    return place + (found["code"] or "")


ERROR_HINTS = (
    ("operands could not be broadcast", "broadcast.{exercise}"),
    ("only 0-dimensional arrays can be converted", "error_hint.math_module"),
    ("only length-1 arrays can be converted", "error_hint.math_module"),
    ("'NoneType'", "error_hint.none_operand"),
    ("indexing arrays could not be broadcast", "error_hint.fancy_indexing"),
    ("must end in `.weights.h5`", "error_hint.weights_h5"),
    ("Layer count mismatch", "error_hint.architecture_mismatch"),
    ("expected shape", "error_hint.architecture_mismatch"),
    ("Resource temporarily unavailable", "error_hint.process_limit"),
    ("File too large", "error_hint.output_limit"),
)
"""Words in an exception's message, and the hint they call for."""
ERROR_MISTAKES = {("operands could not be broadcast", "ex03_optimizers"): "state_shared"}
"""Words in an exception's message that, in an exercise, are evidence of a known mistake: an
optimizer's step can fail to broadcast only by mixing two parameters' shapes."""


def _error_hints(message: str, exercise: str) -> list[str]:
    """Hints for an exception's message: the known mistake it is evidence of (an
    ``Explanation``), else each matching hint; ``{exercise}`` picks the exercise's own
    sentence, or the ``default`` one."""
    for (words, where), mistake_id in ERROR_MISTAKES.items():
        if words in message and exercise == where:
            return [explain(mistake_id)]
    table = messages(language())
    hints = []
    for words, key in ERROR_HINTS:
        if words in message:
            section, _, name = key.partition(".")
            chosen = name.format(exercise=exercise)
            hints.append(say(f"{section}.{chosen if chosen in table[section] else 'default'}"))
    return hints


def value_of(answer: Answer, call: str, *, file: str, timeout: float, exercise: str) -> Any:
    """The answer's value, or the Verdict that says why there is none."""
    if answer.error is not None:
        status, lines = _status_message(answer, call, file, timeout, exercise)
        if answer.printed.strip():
            lines.append(say("status.printed", text=answer.printed.rstrip()))
        if answer.error.kind != "import":
            raise Verdict.of(*lines, status=status)
        verdict = Verdict("\n".join(lines), status, whole_module=True)
        kind = answer.error.type
        syntax = kind in ("SyntaxError", "IndentationError", "TabError")
        verdict.diagnosis = say(
            "table.fix_syntax" if syntax else "table.fix_import", file=file, type=kind
        )
        raise verdict
    return answer.value


def as_float_array(
    value: Any,
    call: str,
    expected_shape: tuple[int, ...],
    why: str,
    mistakes: Sequence[Mistake] = (),
) -> np.ndarray:
    """The value as a float array of the expected shape, or the Verdict that names the problem.

    A NumPy scalar or a Python number is taken as a 0-d array: NumPy's own functions return
    those for 0-d inputs.
    """
    if value is None:
        raise Verdict(say("shape.none", call=call))
    scalar = isinstance(value, int | float | np.generic)
    if not isinstance(value, np.ndarray) and not scalar:
        raise Verdict(say("shape.wrong_type", call=call, received=describe(value)))
    array = np.asarray(value)
    if array.dtype.kind != "f":
        raise Verdict(say("shape.not_float", call=call, dtype=array.dtype))
    if array.shape != expected_shape:
        lines = [
            say(
                "shape.wrong_shape",
                call=call,
                received=array.shape,
                expected=expected_shape,
                why=why,
            )
        ]
        lines += first_mistake(array, [m for m in mistakes if m.about_shape])
        raise Verdict.of(*lines)
    return array


def first_mistake(
    received: np.ndarray, mistakes: Sequence[Mistake], expected: np.ndarray | None = None
) -> list[str]:
    """The explanation of the first known mistake the received values match, if any.

    A mistake whose own values match ``expected`` too is no evidence (on this input it gives
    the right answer, so it cannot be why the answer is wrong) and is passed over.
    """
    received64 = np.asarray(received, dtype=np.float64)
    for mistake in mistakes:
        if mistake.matches(received64) and (expected is None or not mistake.matches(expected)):
            return [mistake.explain()]
    return []


def _inputs_at(
    inputs: dict[str, np.ndarray], index: tuple[int, ...], shape: tuple[int, ...]
) -> str:
    """The inputs that line up with the output (their leading shape is the output's), at
    ``index``: the row or the element the worst output element was computed from."""
    shown = [
        f"{name}{list(index)} = {describe(np.asarray(array[index]))}"
        for name, array in inputs.items()
        if index and np.shape(array)[: len(shape)] == shape
    ]
    return f" ({'; '.join(shown)})" if shown else ""


def check_close(
    received: np.ndarray,
    expected: np.ndarray,
    *,
    call: str,
    case: str,
    source: str,
    inputs: dict[str, np.ndarray],
    tolerance: "Tolerance | Rounding",
    mistakes: Sequence[Mistake] = (),
    where: str = "",
) -> None:
    """Raise a Verdict unless ``received`` is within tolerance of ``expected`` everywhere."""
    received64 = np.asarray(received, dtype=np.float64)
    expected64 = np.asarray(expected, dtype=np.float64)
    with np.errstate(all="ignore"):
        error = np.abs(received64 - expected64)
        bound = np.broadcast_to(tolerance.bound(expected64), expected64.shape)
        excess = np.where(np.isfinite(error), error / bound, np.inf)
    if bool(np.all(excess <= 1)):
        return
    index = tuple(int(i) for i in np.unravel_index(int(np.argmax(excess)), excess.shape))
    gold, mine = expected64[index], received64[index]
    lines = [say("compare.heading", call=call, case=case)]
    if inputs:
        words = "; ".join(f"{name} = {describe(value)}" for name, value in inputs.items())
        lines.append(say("compare.inputs", inputs=words))
    if where:
        lines.append(where)
    at = _inputs_at(inputs, index, expected64.shape) if index else ""
    lines.append(
        say("compare.worst", index=list(index) if index else say("compare.only_one"), at=at)
    )
    lines.append(say("compare.expected", source=source_words(source), value=f"{gold:.10g}"))
    lines.append(say("compare.received", value=f"{mine:.10g}"))
    if np.isfinite(mine):
        lines += tolerance.explain(index, expected64, float(error[index]))
    else:
        lines.append(say("compare.nonfinite", value=mine, expected=f"{gold:.10g}"))
    lines += first_mistake(received64, [m for m in mistakes if not m.about_shape], expected64)
    raise Verdict.of(*lines)
