"""The process that runs a student's module: ``python -m grader.isolation.child``.

``python -m grader.isolation.child [--sandbox POLICY_JSON --status-fd N] [FILE]`` walls
itself in (when a policy is given), caps the size of the files it writes, and then serves
the judge's requests (``grader.worker.serve``). The fork server runs the same ``run`` in
each child it forks.
"""

import importlib
import os
import sys
from pathlib import Path
from typing import IO

from grader.isolation.sandbox import OUTPUT_LIMIT_BYTES, Policy, enter
from grader.worker.serve import serve


def _limit_output() -> None:
    try:
        import resource
    except ImportError:  # not on Windows
        return
    resource.setrlimit(resource.RLIMIT_FSIZE, (OUTPUT_LIMIT_BYTES, OUTPUT_LIMIT_BYTES))


WORKER_FACTORIES = "grader.worker.provided"
"""What a student's process offers the judge to make: models, layers, small helpers."""
INSPECTOR_FACTORIES = "grader.judge.inspect_files"
"""What a grader-only process offers: the grader's own training runs and file openers."""


def run(student_file: Path | None, policy: Policy | None, status: IO[str] | None = None) -> None:
    """Wall this process in (when a policy is given), then serve the student's module; with
    no student file, serve the grader-only factories instead (imported only then, so no
    student's process ever holds them)."""
    isolation = enter(policy, status) if policy is not None else "none"
    _limit_output()
    chosen = WORKER_FACTORIES if student_file is not None else INSPECTOR_FACTORIES
    serve(student_file, importlib.import_module(chosen).FACTORIES, isolation)


def main() -> None:
    """``python -m grader.isolation.child [--sandbox POLICY_JSON --status-fd N] [FILE]``."""
    arguments = sys.argv[1:]
    policy, status = None, None
    if arguments[:1] == ["--sandbox"]:
        policy = Policy.from_json(arguments[1])
        status = os.fdopen(int(arguments[3]), "w")
        arguments = arguments[4:]
    run(Path(arguments[0]).resolve() if arguments else None, policy, status)


if __name__ == "__main__":
    main()
