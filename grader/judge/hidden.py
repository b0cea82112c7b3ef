"""Hidden checks: an instructor's extra checks, kept outside the kit (``--hidden-tests PATH``).

A hidden suite is a folder::

    PATH/points.toml          [ex01_activations]
                              softmax_more_inputs = 2
    PATH/ex01_activations.py  def test_softmax_more_inputs(student: Student) -> None: ...

Each module is named after an exercise and written like the kit's own check modules
(``grader/checks/<exercise>.py``): ``test_<check>`` functions that take the ``student``
fixture. ``points.toml`` gives every hidden check its points, one table per exercise, as
``grader/exercises.toml`` does for the visible checks. Hidden checks count in the score and are
marked ``hidden`` in the score report. The suite is trusted code: it is imported in the judging
process; the student's code still runs only behind the ``student`` fixture.
"""

import importlib.util
import inspect
import tomllib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from grader.catalog import exercise, exercises

POINTS_FILE = "points.toml"


class HiddenSuiteError(ValueError):
    """A hidden suite that cannot be used; the message names the file at fault."""


@dataclass(frozen=True)
class HiddenSuite:
    """An instructor's hidden checks, loaded and checked against their points."""

    folder: Path
    points: dict[str, dict[str, int]]
    """Points of each hidden check, by exercise name, then check name."""
    modules: dict[str, ModuleType]
    """The hidden check module of each exercise the suite covers."""


def load_hidden_suite(folder: Path) -> HiddenSuite:
    """The suite in ``folder``, or a ``HiddenSuiteError`` that says what is wrong and where.

    Refused: a missing folder or points file, a module or points table not named after an
    exercise, a module that cannot be imported, a check without points, points for a check
    that does not exist, points that are not a whole number above 0, and a hidden check with
    the name of one of the exercise's visible checks.
    """
    folder = folder.resolve()
    if not folder.is_dir():
        raise HiddenSuiteError(f"{folder} is not a folder")
    points_path = folder / POINTS_FILE
    points = _read_points(points_path)
    modules = {}
    for path in sorted(folder.glob("*.py")):
        try:
            exercise(path.stem)
        except KeyError as error:
            raise HiddenSuiteError(
                f"{path}: not named after an exercise: {error.args[0]}"
            ) from None
        modules[path.stem] = _import(path)
    for name, module in modules.items():
        checks = _checks_in(module)
        path = folder / f"{name}.py"
        visible = set(exercise(name).points) & checks
        if visible:
            raise HiddenSuiteError(
                f"{path}: test_{sorted(visible)[0]} has the name of a visible check of {name}; "
                "give hidden checks names of their own"
            )
        unpointed = sorted(checks - set(points.get(name, {})))
        if unpointed:
            raise HiddenSuiteError(
                f"{path}: test_{unpointed[0]} has no points in {points_path} [{name}]"
            )
    for name, table in points.items():
        path = folder / f"{name}.py"
        if name not in modules:
            raise HiddenSuiteError(f"{points_path}: [{name}] gives points, but {path} is missing")
        unknown = sorted(set(table) - _checks_in(modules[name]))
        if unknown:
            raise HiddenSuiteError(
                f"{points_path}: [{name}] {unknown[0]} has no check: "
                f"{path} defines no test_{unknown[0]}"
            )
    return HiddenSuite(folder=folder, points=points, modules=modules)


def _read_points(path: Path) -> dict[str, dict[str, int]]:
    example = "for example\n[ex01_activations]\nsoftmax_more_inputs = 2"
    try:
        with path.open("rb") as f:
            table = tomllib.load(f)
    except FileNotFoundError:
        raise HiddenSuiteError(
            f"{path} is missing: it gives each hidden check its points, {example}"
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise HiddenSuiteError(f"{path}: {error}") from None
    if not table:
        raise HiddenSuiteError(f"{path} gives no points: the suite has no checks; {example}")
    known = [e.name for e in exercises()]
    points: dict[str, dict[str, int]] = {}
    for name, checks in table.items():
        if not isinstance(checks, dict):
            raise HiddenSuiteError(f"{path}: {name} must be a table [{name}] of check = points")
        if name not in known:
            raise HiddenSuiteError(
                f"{path}: [{name}]: no exercise named {name!r}; "
                f"the exercises are {', '.join(known)}"
            )
        for check, value in checks.items():
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise HiddenSuiteError(
                    f"{path}: [{name}] {check} = {value!r}: points must be a whole number above 0"
                )
        points[name] = dict(checks)
    return points


def _import(path: Path) -> ModuleType:
    """The hidden check module at ``path``, imported under a name of its own."""
    spec = importlib.util.spec_from_file_location(f"hidden_checks_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise HiddenSuiteError(f"{path} cannot be imported")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as error:
        raise HiddenSuiteError(
            f"{path} could not be imported: {type(error).__name__}: {error}"
        ) from None
    return module


def _checks_in(module: ModuleType) -> set[str]:
    """The check names of a module's ``test_<check>`` functions."""
    return {
        name.removeprefix("test_")
        for name, obj in vars(module).items()
        if name.startswith("test_") and inspect.isfunction(obj)
    }
