"""``grader merge OUT``: a class graded as shards (``OUT/shards/K/``) made into one batch's files.

The merge writes ``OUT/<id>.json``, ``OUT/gradebook.csv``, ``OUT/summary.html`` and the
feedback pages with the batch's own writers (``batch.write_class_files``, ``write_report``),
so they are what one ``grader batch`` over the whole class writes. It refuses, naming them:
shards split in different numbers, a student in two shards, reports graded with a different
grader, options or hidden suite (each report's ``submission.graded_with``), and shards that are
missing or unfinished. With ``partial`` it merges the shards that are there and gives each
student it has no report for a gradebook row with status ``not graded``.
"""

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.commands.batch import Outcome, write_class_files
from grader.commands.shards import (
    SHARD_FILE,
    SHARDS_FOLDER,
    ShardError,
    ShardRecord,
    read_record,
    shard_of,
)
from grader.results.formats import gradebook_row
from grader.results.model import ScoreReport, read_report, write_report

NOT_GRADED = "not graded"
"""A missing student's status in a partial merge's gradebook."""


class MergeError(ValueError):
    """Shards that cannot be merged, with why (naming the shards and students)."""


@dataclass(frozen=True)
class Merged:
    outcomes: tuple[Outcome, ...]
    """Every student a report was found for, in id order."""
    missing: Mapping[str, int]
    """Every student of the class without a report, with the shard that should grade them."""
    shards: int
    lang: str = "en"
    """The batch's language (its ``--lang``)."""


def merge(out: Path, partial: bool = False) -> Merged:
    """Merge ``OUT/shards/*/`` into ``OUT``; ``MergeError`` when the shards do not fit."""
    records = _records(out)
    count = _one_count(records)
    _no_student_twice(records)
    reports = {
        student: report
        for index, record in records.items()
        for student in record.ids
        if (report := read_report(out / SHARDS_FOLDER / str(index) / f"{student}.json")) is not None
    }
    _same_grading(records, reports)
    everyone = sorted({s for record in records.values() for s in record.class_ids} | set(reports))
    missing = {s: shard_of(s, count) for s in everyone if s not in reports}
    absent = [k for k in range(count) if k not in records]
    unfinished = sorted(k for k, record in records.items() if not record.finished)
    if (absent or unfinished or missing) and not partial:
        raise MergeError(_missing_message(out, count, absent, unfinished, missing))
    outcomes = tuple(Outcome(s, reports[s]) for s in sorted(reports))
    for outcome in outcomes:
        write_report(outcome.report, out / f"{outcome.id}.json")
    first = next(iter(records.values()))
    template = {key: "" for key in gradebook_row(outcomes[0].report, "")} if outcomes else {}
    unmarked = [template | {"id": s, "status": NOT_GRADED} for s in missing]
    lang = first.graded_with["options"]["lang"]
    write_class_files(out, outcomes, lang, first.feedback_hidden, unmarked)
    return Merged(outcomes, missing, count, lang)


def _records(out: Path) -> dict[int, ShardRecord]:
    folder = out / SHARDS_FOLDER
    if not folder.is_dir():
        raise MergeError(f"{folder} does not exist: no shard has been graded into {out}")
    records, problems = {}, []
    for shard_folder in sorted(p for p in folder.iterdir() if p.is_dir()):
        if not (shard_folder / SHARD_FILE).exists():
            continue  # a shard that has not started: counted as missing below
        try:
            record = read_record(shard_folder)
        except ShardError as error:
            problems.append(str(error))
            continue
        if shard_folder.name != str(record.shard.index):
            problems.append(f"{shard_folder} holds the record of shard {record.shard}")
        else:
            records[record.shard.index] = record
    if problems:
        raise MergeError("; ".join(problems))
    if not records:
        raise MergeError(f"no shard in {folder} has written its {SHARD_FILE} yet")
    return records


def _one_count(records: Mapping[int, ShardRecord]) -> int:
    counts = defaultdict(list)
    for index, record in sorted(records.items()):
        counts[record.shard.count].append(index)
    if len(counts) > 1:
        split = "; ".join(
            f"shards {', '.join(map(str, shards))} of {count}" for count, shards in counts.items()
        )
        raise MergeError(f"the shards were split in different numbers: {split}")
    return next(iter(counts))


def _no_student_twice(records: Mapping[int, ShardRecord]) -> None:
    where = defaultdict(list)
    for index, record in sorted(records.items()):
        for student in record.ids:
            where[student].append(index)
    twice = {s: shards for s, shards in where.items() if len(shards) > 1}
    if twice:
        listed = "; ".join(
            f"{s} in shards {', '.join(map(str, shards))}" for s, shards in sorted(twice.items())
        )
        raise MergeError(f"students graded in more than one shard: {listed}")


def _same_grading(records: Mapping[int, ShardRecord], reports: Mapping[str, ScoreReport]) -> None:
    """Refuse unless every shard and every report was graded with the same grader, options and
    hidden suite (and the same feedback option): a report is named when it differs from its
    shard."""
    groups: dict[str, list[str]] = defaultdict(list)
    settings: dict[str, dict[str, Any]] = {}

    def add(label: str, graded_with: dict[str, Any]) -> None:
        key = json.dumps(graded_with, sort_keys=True)
        settings[key] = graded_with
        groups[key].append(label)

    for index, record in sorted(records.items()):
        own = {**record.graded_with, "feedback_hidden": record.feedback_hidden}
        add(f"shard {index}", own)
        for student in record.ids:
            report = reports.get(student)
            if report is None or report.submission is None:
                continue
            graded_with = {
                **report.submission.graded_with,
                "feedback_hidden": record.feedback_hidden,
            }
            if graded_with != own:
                add(f"{student}.json of shard {index}", graded_with)
    if len(groups) > 1:
        flat = {key: _flatten(value) for key, value in settings.items()}
        names = {name for one in flat.values() for name in one}
        differing = sorted(n for n in names if len({repr(f.get(n)) for f in flat.values()}) > 1)
        described = "; ".join(
            f"{', '.join(labels)}: "
            + ", ".join(f"{name}={flat[key].get(name)!r}" for name in differing)
            for key, labels in groups.items()
        )
        raise MergeError(
            "the shards were graded differently (grader version, options or hidden suite): "
            f"{described}. Regrade them with the same grader and options."
        )


def _flatten(value: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat = {}
    for name, item in value.items():
        if isinstance(item, Mapping):
            flat |= _flatten(item, f"{prefix}{name}.")
        else:
            flat[f"{prefix}{name}"] = item
    return flat


def _missing_message(
    out: Path,
    count: int,
    absent: Sequence[int],
    unfinished: Sequence[int],
    missing: Mapping[str, int],
) -> str:
    parts = []
    if absent:
        parts.append(
            f"missing shards of {count}: {', '.join(map(str, absent))} "
            f"(no {out / SHARDS_FOLDER}/K/{SHARD_FILE})"
        )
    if unfinished:
        parts.append(
            f"unfinished shards: {', '.join(map(str, unfinished))} (still running or stopped; "
            "rerunning a shard keeps what it graded)"
        )
    if missing:
        shown = ", ".join(sorted(missing)[:20]) + (" ..." if len(missing) > 20 else "")
        parts.append(f"{len(missing)} students without a report: {shown}")
    return "; ".join(parts) + ". Grade those shards, or merge what is there with --partial."
