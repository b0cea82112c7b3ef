"""The grader package's layers: each part imports only the parts below it.

The packages are grouped by the process they run in (README.md, "The grader's layout"). The
code that runs beside a student's code (``grader.worker``) must not reach anything that
grades; the score report's formats (``grader.results``) must not reach the judge. Imports are
read with ``ast``, those inside functions included, so a lazy import counts too.
"""

import ast
from pathlib import Path

import pytest

from grader import PACKAGE_DIR

CORE = {"grader", "grader.catalog", "grader.words", "grader.particles", "grader.protocol"}
ALLOWED = {
    "core": {"core"},
    "worker": {"worker", "protocol"},
    "isolation": {"core", "worker", "isolation"},
    "results": {"core", "results"},
    "judge": {"core", "worker", "isolation", "results", "judge"},
    "checks": {"core", "judge", "checks"},
    "commands": {"core", "worker", "isolation", "results", "judge", "checks", "commands"},
}
"""The layers each layer may import from (``protocol`` alone is the part of the core the
worker may use)."""
ENTRY_POINTS = {("grader", "grader.commands.check")}
"""Imports across the layers on purpose: ``grader.check(...)``, the one name a notebook calls,
is the package's own function, which imports its implementation when it is called."""


def layer_of(module: str) -> str:
    """``grader.judge.plugin`` -> ``judge``; the core's modules -> ``core``."""
    if module in CORE:
        return "core"
    part = module.split(".")[1]
    if part == "__main__":
        return "commands"
    if part == "hidden_example":  # an example hidden suite: checks, as an instructor writes
        return "checks"
    return part


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str) -> bool:
    path = PACKAGE_DIR.parent / name.replace(".", "/")
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imported(path: Path) -> list[tuple[int, str]]:
    """Every grader module ``path`` imports, with the line: ``from grader.x import y`` names
    ``grader.x.y`` when that is a module, else ``grader.x``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.append((node.lineno, candidate if _is_module(candidate) else node.module))
    return [(line, name) for line, name in found if name == "grader" or name.startswith("grader.")]


def target_layer(name: str) -> str:
    if name == "grader.protocol":
        return "protocol"
    return layer_of(name)


SOURCES = sorted(PACKAGE_DIR.rglob("*.py"))


def test_every_module_has_a_layer() -> None:
    layers = {layer_of(module_name(path)) for path in SOURCES}
    assert layers <= set(ALLOWED), f"modules outside every layer: {layers - set(ALLOWED)}"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE_DIR)))
def test_imports_point_down(path: Path) -> None:
    module = module_name(path)
    layer = layer_of(module)
    allowed = ALLOWED[layer] | ({"protocol"} if "core" in ALLOWED[layer] else set())
    wrong = [
        f"line {line}: {name} ({target_layer(name)})"
        for line, name in imported(path)
        if target_layer(name) not in allowed and (module, name) not in ENTRY_POINTS
    ]
    assert not wrong, f"{module} ({layer}) may import only {sorted(allowed)}: " + "; ".join(wrong)


def test_the_worker_holds_no_grading_code() -> None:
    """What a student's process can import of the kit: no expected values, no reference maths,
    no mistake simulators, no checks, no data files."""
    worker = PACKAGE_DIR / "worker"
    files = sorted(p.name for p in worker.iterdir() if p.name != "__pycache__")
    assert all(name.endswith(".py") for name in files), f"data files in grader/worker: {files}"
    for path in worker.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for word in ("golden", "solutions", "reference", "optimizer_rules", "grader.checks"):
            assert word not in text, f"{path.name} mentions {word!r}"
