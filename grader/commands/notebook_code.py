"""The code a student's notebook defines, read from its JSON and never run.

A notebook is graded by its definitions, not by its cells' order or ids and not by what its
top-level statements do. Each code cell is parsed with ``ast``:

- IPython magics and shell lines (``%matplotlib inline``, ``!pip install ...``, ``x = !ls``)
  are dropped with a note; a ``%%`` cell magic drops its whole cell.
- A cell with a syntax error is dropped, with the error; the other cells still count.
- Kept: imports, functions, classes, and constant assignments: ``NAME = value`` (or
  ``NAME: type = value``, or a tuple of names) where ``value`` calls nothing, so that no
  assignment can train, load or plot (``EPSILON = 1e-7`` is kept, ``model = build()`` is not).
- Every other top-level statement (a call, a loop, ``model.fit(...)``, ``print``, a plot) is
  not kept: it is listed with its line, and never run.

The last definition of a name, in the notebook's order (the order "Run all" follows), wins.
An exercise's module holds the winning definitions of its names (``Exercise.defines``) and of
every name they use, their helpers and imports included, in the notebook's order except that
each comes after what it reads as it runs (an import re-done in a later cell still precedes
the annotations that use it): a cell that defines nothing the exercise uses is dropped with
that reason.
"""

import ast
import json
import re
from dataclasses import dataclass, field
from typing import Any

from grader.catalog import Exercise
from grader.words import say_in

_MAGIC_LINE = re.compile(r"\s*(?:[%!]|[A-Za-z_][\w\s,]*=\s*[%!])")
"""A line IPython turns into a magic or shell call: ``%time f()``, ``!ls``, ``files = !ls``."""
EXCERPT = 60
"""Characters of a statement quoted in a note."""


@dataclass(frozen=True)
class Note:
    """One thing said about a notebook or a cell, as a key of ``[notebook]`` in the messages
    and its fields: put in words in the report's language by ``words``."""

    key: str
    fields: dict[str, Any] = field(default_factory=dict)

    def words(self, lang: str) -> str:
        """The note in ``lang``; a field holding notes is put in words too."""
        fields = {
            key: " ".join(n.words(lang) for n in value) if isinstance(value, tuple) else value
            for key, value in self.fields.items()
        }
        return say_in(lang, f"notebook.{self.key}", **fields)


class NotebookError(Exception):
    """The notebook cannot be read at all; ``note`` says why, in the student's words."""

    def __init__(self, note: Note) -> None:
        super().__init__(note.key)
        self.note = note


@dataclass(frozen=True)
class Definition:
    """One kept top-level statement of a cell."""

    cell: int
    names: tuple[str, ...]
    """The names it binds; empty for ``from x import *``, which is always kept."""
    source: str
    uses: frozenset[str]
    """Every name it mentions (in a body, a default, a decorator, a base class)."""
    needs: frozenset[str] = frozenset()
    """The names it reads when it runs: a function's decorators, defaults and annotations, a
    class's bases and body, an assignment's value (not what a function body reads later)."""


@dataclass
class Cell:
    """One code cell as read: what it defines and what was left out of it."""

    position: int
    """1-based, among all the notebook's cells (markdown included)."""
    id: str | None
    definitions: list[Definition] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    """Lines and statements left out of it (magics, top-level statements)."""
    dropped: Note | None = None
    """Why the whole cell was left out (a syntax error, a cell magic), or None."""


@dataclass
class Notebook:
    path: str
    cells: list[Cell]

    def winners(self) -> dict[str, Definition]:
        """Each name's last definition."""
        found: dict[str, Definition] = {}
        for cell in self.cells:
            for definition in cell.definitions:
                found |= dict.fromkeys(definition.names, definition)
        return found

    def defines(self, exercise: Exercise) -> list[str]:
        """The exercise's names this notebook defines."""
        winners = self.winners()
        return [name for name in exercise.defines if name in winners]


@dataclass(frozen=True)
class CellUse:
    """What one code cell gave one exercise's module."""

    position: int
    id: str | None
    taken: bool
    names: tuple[str, ...]
    notes: tuple[Note, ...]
    """For a cell left out, the first is the reason."""

    def to_dict(self, lang: str) -> dict[str, Any]:
        return {
            "cell": self.position,
            "id": self.id,
            "taken": self.taken,
            "names": list(self.names),
            "notes": [note.words(lang) for note in self.notes],
        }


def read_notebook(data: bytes, path: str) -> Notebook:
    """The cells of the notebook ``data`` (nbformat 4.0 to 4.5; a cell's id is its own, 4.5, or
    the one Colab keeps in its metadata; other metadata and widget state are ignored). Raises
    ``NotebookError`` when it is not a notebook or has no code cell."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise NotebookError(Note("not_utf8", {"file": path, "error": str(error)})) from None
    import nbformat  # only for a notebook: most submissions have none

    captured: dict[str, Any] = {}
    try:
        notebook = nbformat.reads(text, as_version=4, capture_validation_error=captured)
    except nbformat.reader.NotJSONError:
        detail = _json_error(text)
        raise NotebookError(Note("not_json", {"file": path, "error": detail})) from None
    except Exception as error:  # nbformat raises many kinds for JSON that is not a notebook
        note = Note("not_notebook", {"file": path, "error": f"{type(error).__name__}: {error}"})
        raise NotebookError(note) from None
    raw_cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(raw_cells, list):
        raise NotebookError(Note("not_notebook", {"file": path, "error": "no list of cells"}))
    cells = []
    for position, raw in enumerate(raw_cells, start=1):
        if not isinstance(raw, dict) or raw.get("cell_type") != "code":
            continue
        source = raw.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        metadata = raw.get("metadata")
        cell_id = raw.get("id") or (metadata.get("id") if isinstance(metadata, dict) else None)
        cells.append(read_cell(source, position, cell_id if isinstance(cell_id, str) else None))
    if not cells:
        raise NotebookError(Note("no_code", {"file": path}))
    return Notebook(path, cells)


def _json_error(text: str) -> str:
    try:
        json.loads(text)
    except ValueError as error:
        return str(error)
    return "not a JSON object"


def read_cell(source: str, position: int, cell_id: str | None = None) -> Cell:
    """What one code cell's ``source`` defines."""
    cell = Cell(position, cell_id)
    first = source.lstrip().partition("\n")[0]
    if first.startswith("%%"):
        cell.dropped = Note("cell_magic", {"magic": first.split()[0]})
        return cell
    try:
        tree = ast.parse(source)
    except SyntaxError:
        source = _without_magics(source, cell)
        try:
            tree = ast.parse(source)
        except SyntaxError as error:
            cell.notes.clear()
            cell.dropped = Note("syntax_error", {"line": error.lineno or 0, "error": error.msg})
            return cell
    lines = source.splitlines()
    for node in tree.body:
        names = _kept_names(node)
        if names is None:
            if not _is_plain_string(node):
                cell.notes.append(Note("statement", {"line": node.lineno, "code": _excerpt(node)}))
            continue
        start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        text = "\n".join(lines[start - 1 : node.end_lineno])
        if node.col_offset or _shares_a_line(node, tree.body):
            text = ast.unparse(node)
        uses = frozenset(n.id for n in ast.walk(node) if isinstance(n, ast.Name))
        cell.definitions.append(Definition(position, names, text, uses, _needs(node)))
    return cell


def _needs(node: ast.stmt) -> frozenset[str]:
    """The names ``node`` reads as it runs, outside the bodies of the functions it defines."""
    found: set[str] = set()
    pending: list[ast.AST] = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            args = current.args
            pending += [*args.defaults, *(d for d in args.kw_defaults if d is not None)]
            if not isinstance(current, ast.Lambda):
                pending += current.decorator_list
                every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
                pending += [a.annotation for a in every if a is not None and a.annotation]
                pending += [current.returns] if current.returns else []
            continue
        if isinstance(current, ast.Name):
            found.add(current.id)
        pending += ast.iter_child_nodes(current)
    return frozenset(found)


def _in_running_order(definitions: list[Definition]) -> list[Definition]:
    """``definitions`` (in the notebook's order) with each after the ones it ``needs`` as it
    runs: an import moved to a later cell still comes before the annotations that use it."""
    placed: list[Definition] = []
    visiting: list[Definition] = []

    def place(definition: Definition) -> None:
        if any(definition is d for d in placed) or any(definition is d for d in visiting):
            return  # placed already, or a cycle: the notebook's order decides
        visiting.append(definition)
        for other in definitions:
            if other is not definition and definition.needs & set(other.names):
                place(other)
        visiting.pop()
        placed.append(definition)

    for definition in definitions:
        place(definition)
    return placed


def _without_magics(source: str, cell: Cell) -> str:
    """``source`` with every magic and shell line blanked (``pass`` where indented)."""
    kept = []
    for number, line in enumerate(source.splitlines(), start=1):
        if _MAGIC_LINE.match(line):
            cell.notes.append(Note("magic", {"line": number, "code": line.strip()[:EXCERPT]}))
            indent = line[: len(line) - len(line.lstrip())]
            kept.append(f"{indent}pass" if indent else "")
        else:
            kept.append(line)
    return "\n".join(kept)


def _kept_names(node: ast.stmt) -> tuple[str, ...] | None:
    """The names a kept statement binds, or None when the statement is not kept."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return (node.name,)
    if isinstance(node, ast.Import):
        return tuple((a.asname or a.name).partition(".")[0] for a in node.names)
    if isinstance(node, ast.ImportFrom):
        if node.module == "__future__" or node.level:
            return None
        return tuple(a.asname or a.name for a in node.names if a.name != "*")
    if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names = [_target_names(t) for t in targets]
        if any(n is None for n in names) or not _calls_nothing(node.value):
            return None
        return tuple(name for group in names if group for name in group)
    return None


def _target_names(target: ast.expr) -> list[str] | None:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Tuple | ast.List):
        inner = [_target_names(t) for t in target.elts]
        if any(n is None for n in inner):
            return None
        return [name for group in inner if group for name in group]
    return None


def _calls_nothing(value: ast.expr) -> bool:
    unsafe = (ast.Call, ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr)
    return not any(isinstance(n, unsafe) for n in ast.walk(value))


def _is_plain_string(node: ast.stmt) -> bool:
    """A bare string (a docstring-like comment): nothing to say about it."""
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)


def _shares_a_line(node: ast.stmt, body: list[ast.stmt]) -> bool:
    return any(
        other is not node and other.lineno <= node.end_lineno and node.lineno <= other.end_lineno
        for other in body
    )


def _excerpt(node: ast.stmt) -> str:
    text = ast.unparse(node).partition("\n")[0]
    return text if len(text) <= EXCERPT else text[: EXCERPT - 3] + "..."


@dataclass(frozen=True)
class Extraction:
    """One exercise's module, taken from a notebook."""

    code: bytes
    cells: tuple[CellUse, ...]


def extract(notebook: Notebook, exercise: Exercise) -> Extraction:
    """The module of ``exercise``'s winning definitions and all they use, and what each code
    cell gave it."""
    winners = notebook.winners()
    included: list[Definition] = []
    pending = [name for name in exercise.defines if name in winners]
    pending += [d for c in notebook.cells for d in c.definitions if not d.names]  # import *
    while pending:
        item = pending.pop()
        definition = winners.get(item) if isinstance(item, str) else item
        if definition is None or any(definition is d for d in included):
            continue
        included.append(definition)
        pending += sorted(definition.uses)
    ordered = _in_running_order(
        [d for c in notebook.cells for d in c.definitions if any(d is i for i in included)]
    )
    where = re.sub(r"[\x00-\x1f\x7f]", "?", notebook.path)  # a name cannot end the comment
    header = f"# {exercise.name}, extracted by the grader from {where}; never run as a"
    parts = [header, "# notebook: only its definitions are graded."]
    for definition in ordered:
        parts += ["", f"# cell {definition.cell}", definition.source]
    # A lone surrogate (JSON can spell one) stays as it is: the module then fails to import,
    # and its checks say so.
    code = ("\n".join(parts) + "\n").encode("utf-8", "surrogatepass")
    uses = tuple(_use(cell, included, winners, exercise) for cell in notebook.cells)
    return Extraction(code, uses)


def _use(
    cell: Cell, included: list[Definition], winners: dict[str, Definition], exercise: Exercise
) -> CellUse:
    if cell.dropped is not None:
        return CellUse(cell.position, cell.id, False, (), (cell.dropped, *cell.notes))
    taken = [d for d in cell.definitions if any(d is i for i in included)]
    names = tuple(n for d in taken for n in d.names if winners.get(n) is d)
    replaced = sorted({n for d in cell.definitions for n in d.names if winners.get(n) is not d})
    notes = list(cell.notes)
    if replaced:
        notes.append(Note("replaced", {"names": ", ".join(replaced)}))
    if taken:
        return CellUse(cell.position, cell.id, True, names, tuple(notes))
    if not cell.definitions:
        reason = Note("nothing_kept" if cell.notes else "empty")
    elif replaced and all(winners.get(n) is not d for d in cell.definitions for n in d.names):
        reason = notes.pop()
    else:
        reason = Note("unused", {"exercise": exercise.name})
    return CellUse(cell.position, cell.id, False, (), (reason, *notes))


def untouched_stub(code: bytes, exercise: Exercise) -> bool:
    """Whether ``code`` (a student's ``.py``) is still the stub: each of the exercise's
    functions and classes it defines still raises ``NotImplementedError`` somewhere."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return False
    wanted = set(exercise.defines)
    found = [
        node
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name in wanted
    ]
    return bool(found) and all(_raises_not_implemented(node) for node in found)


def _raises_not_implemented(node: ast.AST) -> bool:
    return any(
        isinstance(n, ast.Raise)
        and n.exc is not None
        and "NotImplementedError" in ast.unparse(n.exc)
        for n in ast.walk(node)
    )
