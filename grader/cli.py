"""The ``grader`` command."""

import argparse
import sys
from pathlib import Path

from grader import __version__
from grader.catalog import exercises
from grader.feedback import languages
from grader.grading import default_reference, grade


def _grade(args: argparse.Namespace) -> int:
    submission = Path(args.submission)
    if not submission.is_dir():
        print(f"grader grade: {submission} is not a folder", file=sys.stderr)
        return 2
    known = {e.name for e in exercises()}
    unknown = set(args.only.split(",")) - known if args.only else set()
    if unknown:
        print(
            f"grader grade: --only: no exercise named {', '.join(sorted(unknown))}; "
            f"the exercises are {', '.join(sorted(known))}",
            file=sys.stderr,
        )
        return 2
    reference = None if args.no_reference else (args.reference or default_reference())
    code = grade(
        submission,
        Path(args.json),
        quiet=args.quiet,
        call_timeout=args.call_timeout,
        reference=reference,
        only=args.only.split(",") if args.only else None,
        lang=args.lang,
    )
    return 0 if code in (0, 1) else code


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="grader", description=__doc__)
    main.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = main.add_subparsers(dest="command", required=True)
    grade_cmd = commands.add_parser(
        "grade",
        help="grade one submission folder laid out like exercises/",
        description="Grade a folder laid out like exercises/ (for example solutions/ or a "
        "student's copy) and write its JSON score report. A missing or broken file costs "
        "only its own exercise.",
    )
    grade_cmd.add_argument("submission", help="the submission folder")
    grade_cmd.add_argument(
        "--json", required=True, metavar="PATH", help="where to write the score report"
    )
    grade_cmd.add_argument("--quiet", action="store_true", help="print only the score table")
    grade_cmd.add_argument(
        "--call-timeout",
        type=float,
        metavar="SECONDS",
        help="seconds one call into the student's code may take (default: per exercise)",
    )
    grade_cmd.add_argument(
        "--reference",
        type=Path,
        metavar="DIR",
        help="reference solutions to compare with on random inputs as well "
        "(default: the kit's solutions/ when present)",
    )
    grade_cmd.add_argument(
        "--no-reference",
        action="store_true",
        help="compare with the recorded tf.keras values only, as a student's run does",
    )
    grade_cmd.add_argument(
        "--only",
        metavar="NAMES",
        help="grade only these exercises (comma-separated names, e.g. ex02_losses)",
    )
    grade_cmd.add_argument("--lang", choices=languages(), help="language of the feedback")
    grade_cmd.set_defaults(run=_grade)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
