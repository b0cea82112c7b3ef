"""Reading one student's submission, a folder or a zip, without trusting anything in it.

This is the one rule every way of grading follows (``grader grade``, ``grader batch``,
Gradescope's ``grader autograde``). Only the student files the exercises define are taken: at
``<exercise>/<module>.py``, else the only ``<module>.py`` anywhere, where cache,
version-control and environment folders (``__pycache__``, ``.git``, ``.venv``,
``site-packages``, ``__MACOSX``, ...) are never searched. An exercise with no such file (or
only its untouched stub) is taken from a notebook (``.ipynb``) that defines its functions or
classes, one named after the exercise first (``ex01_activations.ipynb``, or any notebook in
``ex01_activations/``), else the one defining most of them: its definitions are extracted
(``grader.commands.notebook_code``) into the module staged at ``<exercise>/<module>.py``, and
``sources`` says, per exercise, which file was graded and which cells were taken. Everything
else is listed with the reason it was left out. Nothing is unpacked: no path from a submission
is ever used to write a file, links are never followed, and files are read with a byte cap,
whatever a zip's headers declare.
"""

import os
import re
import stat
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from grader.catalog import Exercise, exercises
from grader.commands.notebook_code import (
    CellUse,
    Note,
    Notebook,
    NotebookError,
    extract,
    read_notebook,
    untouched_stub,
)

SKIPPED_FOLDERS = frozenset(
    {
        "__pycache__",
        "__MACOSX",
        ".git",
        ".hg",
        ".svn",
        ".ipynb_checkpoints",
        ".pytest_cache",
        ".mypy_cache",
        ".ruff_cache",
        ".venv",
        "venv",
        "site-packages",
        "node_modules",
        ".idea",
        ".vscode",
    }
)
"""Folders never searched for student files: caches, version control, environments."""
CONFIGURATION_FILES = frozenset(
    {"conftest.py", "pytest.ini", "tox.ini", "setup.cfg", "setup.py", "pyproject.toml"}
)
TEST_FILE = re.compile(r"(test_.*|.*_test)\.py")
LISTED_IGNORED = 200
"""Ignored files listed one by one; any more are counted in one last entry."""


@dataclass(frozen=True)
class Limits:
    """What a submission may hold before it is refused or a file is left out."""

    members: int = 10_000
    """Entries in a zip, or files and folders in a folder."""
    declared_bytes: int = 512 * 2**20
    """Uncompressed bytes a zip's members may declare all together (a zip bomb declares more)."""
    file_bytes: int = 2**20
    """Bytes one student file may have, as declared and as read. At most one file is read per
    exercise, so what is read in all is capped too."""
    notebook_bytes: int = 100 * 2**20
    """Bytes one notebook may have (outputs included), as declared and as read: a bigger one is
    not read at all, and the report says how to make it smaller."""
    notebooks: int = 20
    """Notebooks read from one submission at most."""
    notebooks_bytes: int = 200 * 2**20
    """Bytes of notebooks read from one submission at most, all together."""


@dataclass(frozen=True)
class Ignored:
    """A file of the submission that is not graded, and why."""

    path: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "reason": self.reason}


@dataclass(frozen=True)
class Source:
    """Where one exercise's graded module came from."""

    exercise: str
    file: str
    """The path in the submission of the ``.py`` or the notebook."""
    kind: str
    """``py`` or ``notebook``."""
    notes: tuple[Note, ...] = ()
    cells: tuple[CellUse, ...] = ()
    """For a notebook: what each code cell gave the module, or why it was left out."""

    def to_dict(self, lang: str) -> dict[str, Any]:
        return {
            "exercise": self.exercise,
            "file": printable(self.file),
            "kind": self.kind,
            "notes": [note.words(lang) for note in self.notes],
            "cells": [cell.to_dict(lang) for cell in self.cells],
        }


@dataclass
class SubmissionFiles:
    """What was taken from one submission."""

    source: str
    """``folder`` or ``zip``."""
    files: dict[str, bytes] = field(default_factory=dict)
    """The student files, by ``Exercise.relative_path`` (where they are staged)."""
    ignored: list[Ignored] = field(default_factory=list)
    problem: str = ""
    """Why nothing could be read (a corrupt zip, a zip bomb); empty when it could."""
    sources: dict[str, Source] = field(default_factory=dict)
    """Which file each exercise's module was taken from, by exercise name."""
    unavailable: dict[str, Note] = field(default_factory=dict)
    """Why an exercise has no module when a notebook could have been it (unreadable, or
    defining none of its names), by exercise name: said in its checks' messages."""

    def sources_list(self, lang: str) -> list[dict[str, Any]]:
        return [self.sources[name].to_dict(lang) for name in sorted(self.sources)]

    def found(self, lang: str) -> dict[str, Any]:
        """What staging found, as the report says it (``ignored``, ``sources``) and why an
        exercise has no module (``missing_reasons``): ``grader batch`` hands this to its judge,
        which sees only the staged files (``grader grade --staging``)."""
        return {
            "ignored": [item.to_dict() for item in self.ignored],
            "sources": self.sources_list(lang),
            "missing_reasons": self.missing_reasons(lang),
        }

    def missing_reasons(self, lang: str) -> dict[str, str]:
        """Why each exercise in ``unavailable`` has no module, said in its checks instead of
        "file not found"."""
        return {name: note.words(lang) for name, note in self.unavailable.items()}


class _RefusedError(Exception):
    """The whole submission cannot be read; the message says why, for the instructor."""


class _LeftOutError(Exception):
    """One file cannot be taken; the message is the reason listed for it."""

    def __init__(self, message: str, size: int | None = None) -> None:
        super().__init__(message)
        self.size = size
        """The file's size, when it is what left it out."""


def printable(name: str) -> str:
    """``name`` as text that can be written anywhere: a file name that is not UTF-8 (kept by
    Python as lone surrogates) gets replacement characters."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def choose(paths: Iterable[str], exercise: Exercise) -> str | None:
    """The student's file for ``exercise`` among a submission's file paths (``/``-separated,
    relative to its root, skipped folders already left out): ``<exercise>/<module>.py``, else
    the only ``<module>.py``."""
    paths = list(paths)
    if exercise.relative_path in paths:
        return exercise.relative_path
    found = [p for p in paths if p.rpartition("/")[2] == exercise.filename]
    return found[0] if len(found) == 1 else None


def read_submission(
    path: Path, chosen: Sequence[Exercise], limits: Limits = Limits()
) -> SubmissionFiles:
    """The student files of the folder or zip at ``path`` for the ``chosen`` exercises."""
    source = "zip" if path.is_file() else "folder"
    result = SubmissionFiles(source)
    try:
        if source == "zip":
            _read_zip(path, chosen, limits, result)
        else:
            _read_folder(path, chosen, limits, result)
    except _RefusedError as refused:
        return SubmissionFiles(source, problem=str(refused))
    result.ignored = sorted(
        (Ignored(printable(item.path), item.reason) for item in result.ignored),
        key=lambda item: item.path,
    )
    if len(result.ignored) > LISTED_IGNORED:
        more = len(result.ignored) - LISTED_IGNORED
        result.ignored[LISTED_IGNORED:] = [Ignored("...", f"and {more} more files, not listed")]
    return result


def write_files(taken: SubmissionFiles, folder: Path) -> None:
    """Stage the files ``read_submission`` took into ``folder``, each at its exercise's
    ``<exercise>/<module>.py``: no path from the submission is used."""
    for relative_path, content in taken.files.items():
        (folder / relative_path).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative_path).write_bytes(content)


def _take(
    paths: dict[str, Any],
    read: Callable[[Any, int], bytes],
    chosen: Sequence[Exercise],
    result: SubmissionFiles,
    limits: Limits,
) -> None:
    """Read the file ``choose`` finds for each exercise, else take it from a notebook; list
    every other path as ignored."""
    picked: dict[str, str] = {}
    stubs: dict[str, str] = {}
    for exercise in chosen:
        path = choose(paths, exercise)
        if path is None:
            continue
        picked[exercise.name] = path
        try:
            content = read(paths[path], limits.file_bytes)
        except _LeftOutError as error:
            result.ignored.append(Ignored(path, str(error)))
            continue
        result.files[exercise.relative_path] = content
        result.sources[exercise.name] = Source(exercise.name, path, "py")
        if untouched_stub(content, exercise):
            stubs[exercise.name] = path
    notebooks = _notebooks(paths, read, chosen, result, limits, stubs)
    used = _from_notebooks(notebooks, chosen, result, stubs)
    for path in paths:
        if path in used or path in picked.values():
            continue
        if path in notebooks:
            found = notebooks[path]
            reason = (
                found.note.words("en")
                if isinstance(found, NotebookError)
                else "a notebook not used: a .py file, or another notebook, was graded for each "
                "exercise it defines, or it defines none of their functions and classes"
            )
            result.ignored.append(Ignored(path, reason))
        elif path.lower().endswith(".ipynb"):
            reason = _TOO_MANY.format(limits.notebooks) if notebooks else _NOT_READ
            result.ignored.append(Ignored(path, reason))
        else:
            result.ignored.append(Ignored(path, _reason(path, chosen, picked)))


_NOT_READ = "a notebook, not read: every exercise graded has its .py file"
_TOO_MANY = "a notebook, not read: only the first {} notebooks of a submission are read"


def _notebooks(
    paths: dict[str, Any],
    read: Callable[[Any, int], bytes],
    chosen: Sequence[Exercise],
    result: SubmissionFiles,
    limits: Limits,
    stubs: dict[str, str],
) -> dict[str, Notebook | NotebookError]:
    """The submission's notebooks, read, when an exercise may come from one: each one's cells,
    or why it cannot be read."""
    if all(e.name in result.sources and e.name not in stubs for e in chosen):
        return {}
    found: dict[str, Notebook | NotebookError] = {}
    left = limits.notebooks_bytes
    for path in [p for p in paths if p.lower().endswith(".ipynb")][: limits.notebooks]:
        try:
            data = read(paths[path], min(limits.notebook_bytes, left))
            left -= len(data)
            found[path] = read_notebook(data, printable(path))
        except _LeftOutError as error:
            if error.size is not None and error.size <= limits.notebook_bytes:
                fields = {"file": path, "limit": limits.notebooks_bytes / 2**20}
                found[path] = NotebookError(Note("too_much", fields))
                continue
            if error.size is not None:
                fields = {"size": error.size / 2**20, "limit": limits.notebook_bytes / 2**20}
                found[path] = NotebookError(Note("too_large", {"file": path, **fields}))
            else:
                found[path] = NotebookError(Note("unreadable", {"file": path, "error": str(error)}))
        except NotebookError as error:
            found[path] = error
    return found


def named_for(path: str, exercise: Exercise) -> bool:
    """Whether a notebook's path names the exercise: ``ex01_activations*.ipynb``,
    ``activations.ipynb``, or any notebook in a folder ``ex01_activations/``."""
    folder, _, name = path.rpartition("/")
    stem = name[: -len(".ipynb")]
    return (
        stem.startswith(exercise.name)
        or stem == exercise.module
        or folder.rpartition("/")[2] == exercise.name
    )


def _from_notebooks(
    notebooks: dict[str, Notebook | NotebookError],
    chosen: Sequence[Exercise],
    result: SubmissionFiles,
    stubs: dict[str, str],
) -> set[str]:
    """Take each exercise without a written ``.py`` from the notebook that defines it; the
    notebooks used."""
    used: set[str] = set()
    readable = {p: n for p, n in notebooks.items() if isinstance(n, Notebook)}
    broken = {p: n for p, n in notebooks.items() if isinstance(n, NotebookError)}
    if not notebooks:
        return used
    for exercise in chosen:
        names = ", ".join(exercise.defines)
        defining = {p: n.defines(exercise) for p, n in readable.items() if n.defines(exercise)}
        if exercise.name in result.sources and exercise.name not in stubs:
            if defining:
                source = result.sources[exercise.name]
                note = Note("py_wins", {"file": source.file, "notebook": ", ".join(defining)})
                result.sources[exercise.name] = replace(source, notes=(note,))
            continue
        if not defining:
            if exercise.name in stubs:
                continue
            mine = [p for p in notebooks if named_for(p, exercise)]
            if mine and mine[0] in broken:
                result.unavailable[exercise.name] = broken[mine[0]].note
            elif mine:
                note = Note("no_definitions", {"file": mine[0], "names": names})
                result.unavailable[exercise.name] = note
            elif broken:
                problems = tuple(error.note for error in broken.values())
                result.unavailable[exercise.name] = Note("not_found_broken", {"problems": problems})
            else:
                result.unavailable[exercise.name] = Note(
                    "not_found", {"file": exercise.relative_path, "names": names}
                )
            continue
        path = _best_notebook(defining, exercise)
        notes = [Note("from_notebook", {"file": path})]
        if exercise.name in stubs:
            notes.append(Note("stub_py", {"file": stubs[exercise.name], "notebook": path}))
        if len(defining) > 1 and not named_for(path, exercise):
            notes.append(Note("several", {"notebooks": ", ".join(sorted(defining)), "file": path}))
        extraction = extract(readable[path], exercise)
        result.files[exercise.relative_path] = extraction.code
        result.sources[exercise.name] = Source(
            exercise.name, path, "notebook", tuple(notes), extraction.cells
        )
        used.add(path)
    return used


def _best_notebook(defining: dict[str, list[str]], exercise: Exercise) -> str:
    """The notebook named after the exercise, else the one defining most of its names (the
    first by path among equals)."""
    named = sorted(p for p in defining if named_for(p, exercise))
    if named:
        return named[0]
    return min(defining, key=lambda p: (-len(defining[p]), p))


def _reason(path: str, chosen: Sequence[Exercise], picked: dict[str, str]) -> str:
    name = path.rpartition("/")[2]
    owner = next((e for e in exercises() if e.filename == name), None)
    if owner is not None:
        if owner not in chosen:
            return f"{owner.name} is not graded in this run"
        if owner.name in picked:
            return f"another {name} was chosen: {picked[owner.name]}"
        return (
            f"several files are named {name} and none is at {owner.relative_path}: "
            "which one to grade is unclear"
        )
    if name in CONFIGURATION_FILES or TEST_FILE.fullmatch(name):
        return "a test or pytest configuration file: only the grader's own checks run"
    if name.endswith((".pyc", ".pyo")) or name == ".DS_Store":
        return "a cache file"
    return "not a file the exercises define"


def _capped(data: bytes, limit: int) -> bytes:
    if len(data) > limit:
        raise _LeftOutError(
            f"larger than {limit} bytes, the most a student file may have", len(data)
        )
    return data


def _read_folder(
    root: Path, chosen: Sequence[Exercise], limits: Limits, result: SubmissionFiles
) -> None:
    files: dict[str, str] = {}
    pending, count = [(str(root), "")], 0
    while pending:
        folder, prefix = pending.pop()
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except OSError as error:
            raise _RefusedError(f"the folder {prefix or '.'} cannot be listed: {error}") from None
        count += len(entries)
        if count > limits.members:
            raise _RefusedError(f"it holds more than {limits.members} files and folders")
        for entry in entries:
            path = prefix + entry.name
            if entry.is_symlink():
                result.ignored.append(Ignored(path, "a symbolic link: links are never followed"))
            elif entry.is_dir(follow_symlinks=False):
                if entry.name in SKIPPED_FOLDERS:
                    result.ignored.append(Ignored(path + "/", _SKIPPED_FOLDER))
                else:
                    pending.append((entry.path, path + "/"))
            elif entry.is_file(follow_symlinks=False):
                files[path] = entry.path
            else:
                result.ignored.append(Ignored(path, "not a regular file"))

    def read(path: str, limit: int) -> bytes:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            with os.fdopen(os.open(path, flags), "rb") as file:
                status = os.fstat(file.fileno())
                if not stat.S_ISREG(status.st_mode):
                    raise _LeftOutError("not a regular file")
                if status.st_size > limit:  # not read at all
                    raise _LeftOutError(
                        f"larger than {limit} bytes, the most a student file may have",
                        status.st_size,
                    )
                return _capped(file.read(limit + 1), limit)
        except OSError as error:
            raise _LeftOutError(f"cannot be read: {error.strerror or error}") from None

    _take(files, read, chosen, result, limits)


_SKIPPED_FOLDER = "a cache, version-control or environment folder: never searched"
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError)


def _read_zip(
    path: Path, chosen: Sequence[Exercise], limits: Limits, result: SubmissionFiles
) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            members = _zip_members(archive, limits, result)

            def read(info: zipfile.ZipInfo, limit: int) -> bytes:
                if info.file_size > limit:
                    raise _LeftOutError(
                        f"declares {info.file_size} bytes, more than the {limit} a student "
                        "file may have",
                        info.file_size,
                    )
                if info.flag_bits & 0x1:
                    raise _LeftOutError("encrypted")
                try:
                    with archive.open(info) as member:
                        return _capped(member.read(limit + 1), limit)
                except _ZIP_ERRORS as error:
                    raise _LeftOutError(f"cannot be read from the zip: {error}") from None

            _take(members, read, chosen, result, limits)
    except _ZIP_ERRORS as error:
        raise _RefusedError(f"it is not a readable zip file ({error})") from None


def _zip_members(
    archive: zipfile.ZipFile, limits: Limits, result: SubmissionFiles
) -> dict[str, zipfile.ZipInfo]:
    """The zip's regular files by safe path; the others listed as ignored."""
    infos = archive.infolist()
    if len(infos) > limits.members:
        raise _RefusedError(
            f"it holds {len(infos)} entries, more than the limit of {limits.members}"
        )
    declared = sum(info.file_size for info in infos)
    if declared > limits.declared_bytes:
        raise _RefusedError(
            f"it would unpack to {declared} bytes, more than the limit of "
            f"{limits.declared_bytes} (a zip bomb, or data that does not belong in it)"
        )
    members: dict[str, zipfile.ZipInfo] = {}
    counts = Counter(_safe_path(info.filename) for info in infos)
    skipped_folders = set()
    for info in infos:
        path, mode = _safe_path(info.filename), info.external_attr >> 16
        if path is None:
            result.ignored.append(Ignored(info.filename, "its path leaves the submission"))
        elif stat.S_ISLNK(mode):
            result.ignored.append(Ignored(path, "a symbolic link: links are never followed"))
        elif info.is_dir() or stat.S_ISDIR(mode):
            continue
        elif stat.S_IFMT(mode) not in (0, stat.S_IFREG):  # many zips set no file type
            result.ignored.append(Ignored(path, "not a regular file"))
        elif folder := _skipped_folder(path):
            skipped_folders.add(folder)
        elif counts[path] > 1:
            result.ignored.append(Ignored(path, "the zip holds this path more than once"))
        else:
            members[path] = info
    result.ignored += [Ignored(folder, _SKIPPED_FOLDER) for folder in skipped_folders]
    return members


def _safe_path(name: str) -> str | None:
    """The member's path with ``/`` separators, or None if it is absolute or climbs out."""
    name = name.replace("\\", "/")
    if name.startswith("/") or re.match(r"[A-Za-z]:", name) or "\0" in name:
        return None
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if not parts or ".." in parts:
        return None
    return "/".join(parts) + ("/" if name.endswith("/") else "")


def _skipped_folder(path: str) -> str:
    """The outermost skipped folder ``path`` lies in (``__MACOSX/``), or an empty string."""
    parts = path.split("/")[:-1]
    for i, part in enumerate(parts):
        if part in SKIPPED_FOLDERS:
            return "/".join(parts[: i + 1]) + "/"
    return ""
