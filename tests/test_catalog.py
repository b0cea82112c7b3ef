"""The kit's developer check: every exercise is complete and consistent under its one name."""

import ast
import importlib
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from kit import EXERCISES, ROOT, SOLUTIONS

from grader.catalog import KIT_MAX_SCORE, exercises, run_directly_block
from grader.judge.optimizer_rules import VARIANTS
from grader.words import MESSAGES_DIR, messages

EXERCISE_NAMES = [e.name for e in exercises()]
SUGGESTED_POINTS = {
    "ex01_activations": 15,
    "ex02_losses": 10,
    "ex03_optimizers": 15,
    "ex04_neuron": 12,
    "ex05_build_compile": 12,
    "ex06_train_validate": 12,
    "ex07_regularize": 14,
    "ex08_save_load": 10,
}


def test_names_are_unique_and_well_formed() -> None:
    assert len(set(EXERCISE_NAMES)) == len(EXERCISE_NAMES)
    assert all(re.fullmatch(r"ex\d\d_[a-z0-9_]+", name) for name in EXERCISE_NAMES)
    assert sorted(EXERCISE_NAMES) == EXERCISE_NAMES, "course order is name order"


@pytest.mark.parametrize("exercise", exercises(), ids=EXERCISE_NAMES)
def test_every_exercise_has_its_files(exercise) -> None:
    for path in (
        EXERCISES / exercise.relative_path,
        SOLUTIONS / exercise.relative_path,
        EXERCISES / exercise.name / "README.md",
        EXERCISES / exercise.name / "README.ko.md",
        ROOT / "grader" / "checks" / f"{exercise.name}.py",
    ):
        assert path.is_file(), f"{exercise.name}: {path} is missing"


@pytest.mark.parametrize("exercise", exercises(), ids=EXERCISE_NAMES)
def test_every_check_has_points_and_every_points_entry_a_check(exercise) -> None:
    module = importlib.import_module(exercise.check_module)
    checks = {
        name.removeprefix("test_")
        for name, obj in vars(module).items()
        if name.startswith("test_") and inspect.isfunction(obj)
    }
    assert checks == set(exercise.points)
    assert all(isinstance(p, int) and p > 0 for p in exercise.points.values())


def test_points() -> None:
    points = {e.name: e.max_score for e in exercises()}
    assert points == {name: SUGGESTED_POINTS[name] for name in points}
    assert sum(SUGGESTED_POINTS.values()) == KIT_MAX_SCORE


def test_every_check_module_belongs_to_an_exercise() -> None:
    modules = {p.stem for p in (ROOT / "grader" / "checks").glob("ex*.py")}
    assert modules == set(EXERCISE_NAMES)


def _definitions(path: Path) -> dict[str, tuple[str, str | None]]:
    """Every function and class: its signature (as source) and docstring."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: dict[str, tuple[str, str | None]] = {"<module>": ("", ast.get_docstring(tree))}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.ClassDef):
                name = f"{prefix}{child.name}"
                signature = ast.unparse(child.args) if isinstance(child, ast.FunctionDef) else ""
                found[name] = (signature, ast.get_docstring(child))
                visit(child, f"{name}.")

    visit(tree, "")
    return found


@pytest.mark.parametrize("exercise", exercises(), ids=EXERCISE_NAMES)
def test_stub_and_solution_share_names_signatures_and_docstrings(exercise) -> None:
    stub = _definitions(EXERCISES / exercise.relative_path)
    solution = _definitions(SOLUTIONS / exercise.relative_path)
    public = {
        k: v
        for k, v in solution.items()
        if not k.split(".")[-1].startswith("_") or k.endswith("__init__")
    }
    assert stub == public


@pytest.mark.parametrize("exercise", exercises(), ids=EXERCISE_NAMES)
def test_defines_lists_the_stubs_functions_and_classes(exercise) -> None:
    tree = ast.parse((EXERCISES / exercise.relative_path).read_text(encoding="utf-8"))
    defined = [n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)]
    assert list(exercise.defines) == defined


@pytest.mark.parametrize("exercise", exercises(), ids=EXERCISE_NAMES)
def test_stub_bodies_are_todo_and_raise(exercise) -> None:
    source = (EXERCISES / exercise.relative_path).read_text(encoding="utf-8")
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            body = [
                s
                for s in node.body
                if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
            ]
            assert len(body) == 1 and isinstance(body[0], ast.Raise), node.name
            assert ast.unparse(body[0]) == "raise NotImplementedError", node.name
    assert source.count("# TODO") == source.count("raise NotImplementedError")
    assert not re.search(r"^\s*(from|import)\s+solutions", source, re.MULTILINE)


@pytest.mark.parametrize("exercise", exercises(), ids=EXERCISE_NAMES)
def test_stub_and_solution_end_by_saying_how_to_check_them(exercise) -> None:
    """Run as a script, a stub or solution prints how its checks run (``run_directly_block``)."""
    block = run_directly_block(exercise)
    for folder in (EXERCISES, SOLUTIONS):
        source = (folder / exercise.relative_path).read_text(encoding="utf-8")
        assert source.endswith("\n\n\n" + block), (
            f"{folder.name}/{exercise.relative_path} must end with two blank lines and:\n{block}"
        )
        done = subprocess.run(
            [sys.executable, "-c", block],
            capture_output=True,
            text=True,
            encoding="utf-8",
            env={**os.environ, "PYTHONIOENCODING": "utf-8"},
            check=True,
        )
        assert done.stdout.endswith(f"    pytest exercises/{exercise.name}\n")


def _mistake_ids() -> set[str]:
    ids = {v for variants in VARIANTS.values() for v in variants}
    for path in (ROOT / "grader" / "checks").glob("ex*.py"):
        ids |= set(
            re.findall(
                r'(?:gives|Mistake|not_finite)\(\s*"([a-z_0-9]+)"', path.read_text(encoding="utf-8")
            )
        )
    return ids | {"ignored_hyperparameter", "wrong_default", "iterations_not_counted"}


@pytest.mark.parametrize("lang", [p.stem for p in MESSAGES_DIR.glob("*.toml")])
def test_every_mistake_has_words_in_every_language(lang: str) -> None:
    table = messages(lang)
    missing = {m for m in _mistake_ids() if m not in table["mistake"]}
    assert not missing
    assert set(table["broadcast"]) <= {*EXERCISE_NAMES, "default"}
