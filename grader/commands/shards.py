"""A class split into shards: which student a shard grades, and what a shard leaves behind.

``grader batch --shard K/N`` grades the students whose id hashes to shard ``K`` (0-based, as
Slurm's array index and Kubernetes' completion index count) into ``OUT/shards/K/``, and says
what it was given in ``OUT/shards/K/shard.json``; ``grader merge OUT`` (``grader.commands.
merge``) combines the shards.

A student's shard is chosen by rendezvous (highest-random-weight) hashing::

    shard_of(id, N) = argmax over k in 0..N-1 of sha256(f"{k}/{id}")

It depends on the id and ``N`` alone: a submission added to the class lands in one shard and
moves no one else, and going from ``N`` to ``N + 1`` shards moves only the students the new
shard wins (about one in ``N + 1``). Each student falls in each shard with probability
``1/N``, independently, so a class of ``n`` gives shards of ``n/N`` students on average with a
standard deviation of ``sqrt(n/N * (1 - 1/N))``: 3,000 students in 10 shards give 300 ± 16
each (two standard deviations are ±11%); a class of 12 in 3 shards can give 2, 4 and 6.
The shards are balanced in expectation, not exactly.
"""

import hashlib
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SHARD_FILE = "shard.json"
SHARDS_FOLDER = "shards"
SHARD_COUNT_VARIABLE = "GRADER_SHARD_COUNT"
SHARD_PATTERN = re.compile(r"(\d+)/(\d+)")


class ShardError(ValueError):
    """A ``--shard`` that cannot be used, with why."""


@dataclass(frozen=True)
class Shard:
    """The ``index``-th of ``count`` shards, counted from 0."""

    index: int
    count: int

    def __post_init__(self) -> None:
        if self.count < 1 or not 0 <= self.index < self.count:
            raise ShardError(
                f"shard {self.index}/{self.count}: the index must be 0 to count - 1 "
                "and the count 1 or more"
            )

    def holds(self, student: str) -> bool:
        return shard_of(student, self.count) == self.index

    def folder(self, out: Path) -> Path:
        """Where this shard's batch writes: ``OUT/shards/K``."""
        return out / SHARDS_FOLDER / str(self.index)

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def _weight(shard: int, student: str) -> int:
    digest = hashlib.sha256(f"{shard}/{student}".encode("utf-8", "surrogateescape")).digest()
    return int.from_bytes(digest[:8], "big")


def shard_of(student: str, count: int) -> int:
    """The shard (0 to ``count - 1``) that grades ``student``: the one of highest weight."""
    return max(range(count), key=lambda shard: _weight(shard, student))


def parse_shard(
    text: str, environ: Mapping[str, str] | None = None, count: int | None = None
) -> Shard:
    """The shard ``--shard`` names: ``K/N``, or ``auto`` to read it from the scheduler.

    ``auto`` takes Slurm's ``SLURM_ARRAY_TASK_ID`` (less ``SLURM_ARRAY_TASK_MIN`` when the
    array does not start at 0) of ``SLURM_ARRAY_TASK_COUNT``; else Kubernetes'
    ``JOB_COMPLETION_INDEX``, of ``count`` (``--shard-count``) or ``GRADER_SHARD_COUNT``.
    """
    environ = os.environ if environ is None else environ
    if text != "auto":
        match = SHARD_PATTERN.fullmatch(text.strip())
        if not match:
            raise ShardError(f"--shard {text!r}: expected K/N (e.g. 0/4) or auto")
        return Shard(int(match[1]), int(match[2]))
    if "SLURM_ARRAY_TASK_ID" in environ:
        task = _number(environ, "SLURM_ARRAY_TASK_ID")
        first = _number(environ, "SLURM_ARRAY_TASK_MIN") if "SLURM_ARRAY_TASK_MIN" in environ else 0
        if "SLURM_ARRAY_TASK_COUNT" not in environ:
            raise ShardError("--shard auto: SLURM_ARRAY_TASK_ID is set, SLURM_ARRAY_TASK_COUNT not")
        return Shard(task - first, _number(environ, "SLURM_ARRAY_TASK_COUNT"))
    if "JOB_COMPLETION_INDEX" in environ:
        index = _number(environ, "JOB_COMPLETION_INDEX")
        if count is None:
            if SHARD_COUNT_VARIABLE not in environ:
                raise ShardError(
                    "--shard auto: JOB_COMPLETION_INDEX is set; give the number of shards "
                    f"with --shard-count or {SHARD_COUNT_VARIABLE}"
                )
            count = _number(environ, SHARD_COUNT_VARIABLE)
        return Shard(index, count)
    raise ShardError(
        "--shard auto: neither SLURM_ARRAY_TASK_ID (a Slurm job array) nor "
        "JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) is set"
    )


def _number(environ: Mapping[str, str], name: str) -> int:
    value = environ[name]
    if not value.strip().isdigit():
        raise ShardError(f"--shard auto: {name}={value!r} is not a whole number")
    return int(value)


@dataclass(frozen=True)
class ShardRecord:
    """``OUT/shards/K/shard.json``: what one shard was given and whether it finished."""

    shard: Shard
    ids: tuple[str, ...]
    """The students this shard grades, in id order."""
    class_ids: tuple[str, ...]
    """Every student in SUBMISSIONS when the shard ran: the merge knows whom a missing shard
    would have graded."""
    graded_with: Mapping[str, Any]
    feedback_hidden: bool
    finished: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "shard": self.shard.index,
            "shards": self.shard.count,
            "ids": list(self.ids),
            "class_ids": list(self.class_ids),
            "graded_with": dict(self.graded_with),
            "feedback_hidden": self.feedback_hidden,
            "finished": self.finished,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "ShardRecord":
        return cls(
            shard=Shard(int(data["shard"]), int(data["shards"])),
            ids=tuple(data["ids"]),
            class_ids=tuple(data["class_ids"]),
            graded_with=dict(data["graded_with"]),
            feedback_hidden=bool(data["feedback_hidden"]),
            finished=bool(data["finished"]),
        )


def write_record(record: ShardRecord, folder: Path) -> None:
    """Write ``folder/shard.json`` atomically: a merge never reads half of it."""
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{SHARD_FILE}.partial"
    partial.write_text(json.dumps(record.to_dict(), indent=2) + "\n", encoding="utf-8")
    os.replace(partial, folder / SHARD_FILE)


def read_record(folder: Path) -> ShardRecord:
    """``folder/shard.json``; ``ShardError`` saying why when it cannot be read."""
    path = folder / SHARD_FILE
    try:
        return ShardRecord.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise ShardError(f"{path} does not exist") from None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ShardError(f"cannot read {path}: {error}") from None


def split(students: Sequence[str], count: int) -> dict[int, list[str]]:
    """Every shard's students, in the order given."""
    shards: dict[int, list[str]] = {k: [] for k in range(count)}
    for student in students:
        shards[shard_of(student, count)].append(student)
    return shards
