"""Reading one student's submission, a folder or a zip, without trusting anything in it.

This is the one rule every way of grading follows (``grader grade``, ``grader batch``,
Gradescope's ``grader autograde``). Only the student files the exercises define are taken: at
``<exercise>/<module>.py``, else the only ``<module>.py`` anywhere, where cache,
version-control and environment folders (``__pycache__``, ``.git``, ``.venv``,
``site-packages``, ``__MACOSX``, ...) are never searched. Everything else is listed with the
reason it was left out. Nothing is extracted: no path from a submission is ever used to write
a file, links are never followed, and files are read with a byte cap, whatever a zip's headers
declare.
"""

import os
import re
import stat
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.catalog import Exercise, exercises

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


@dataclass(frozen=True)
class Ignored:
    """A file of the submission that is not graded, and why."""

    path: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "reason": self.reason}


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


class _RefusedError(Exception):
    """The whole submission cannot be read; the message says why, for the instructor."""


class _LeftOutError(Exception):
    """One file cannot be taken; the message is the reason listed for it."""


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
    read: Callable[[Any], bytes],
    chosen: Sequence[Exercise],
    result: SubmissionFiles,
) -> None:
    """Read the file ``choose`` finds for each exercise; list every other path as ignored."""
    picked = {}
    for exercise in chosen:
        path = choose(paths, exercise)
        if path is None:
            continue
        picked[exercise.name] = path
        try:
            result.files[exercise.relative_path] = read(paths[path])
        except _LeftOutError as error:
            result.ignored.append(Ignored(path, str(error)))
    for path in paths:
        if path not in picked.values():
            result.ignored.append(Ignored(path, _reason(path, chosen, picked)))


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
        raise _LeftOutError(f"larger than {limit} bytes, the most a student file may have")
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

    def read(path: str) -> bytes:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            with os.fdopen(os.open(path, flags), "rb") as file:
                if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                    raise _LeftOutError("not a regular file")
                return _capped(file.read(limits.file_bytes + 1), limits.file_bytes)
        except OSError as error:
            raise _LeftOutError(f"cannot be read: {error.strerror or error}") from None

    _take(files, read, chosen, result)


_SKIPPED_FOLDER = "a cache, version-control or environment folder: never searched"
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError)


def _read_zip(
    path: Path, chosen: Sequence[Exercise], limits: Limits, result: SubmissionFiles
) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            members = _zip_members(archive, limits, result)

            def read(info: zipfile.ZipInfo) -> bytes:
                if info.file_size > limits.file_bytes:
                    raise _LeftOutError(
                        f"declares {info.file_size} bytes, more than the {limits.file_bytes} "
                        "a student file may have"
                    )
                if info.flag_bits & 0x1:
                    raise _LeftOutError("encrypted")
                try:
                    with archive.open(info) as member:
                        return _capped(member.read(limits.file_bytes + 1), limits.file_bytes)
                except _ZIP_ERRORS as error:
                    raise _LeftOutError(f"cannot be read from the zip: {error}") from None

            _take(members, read, chosen, result)
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
