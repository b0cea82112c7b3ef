"""The ``grader`` command."""

import argparse
import contextlib
import json
import sys
from pathlib import Path

from grader import __version__
from grader.catalog import exercises
from grader.commands import batch, doctor, release
from grader.commands import export as platforms
from grader.commands import hint as hints
from grader.commands import watch as watching
from grader.commands.grade import (
    ALLOW_WEAK,
    UnreadableSubmissionError,
    default_reference,
    grade,
    weak_isolation_problem,
)
from grader.isolation.policy import sandbox_policy
from grader.judge.hidden import HiddenSuiteError, load_hidden_suite
from grader.results import formats as exports
from grader.words import language, languages


def _grade(args: argparse.Namespace) -> int:
    submission = Path(args.submission)
    zipped = submission.is_file() and submission.suffix.lower() == ".zip"
    if not (submission.is_dir() or zipped):
        print(f"grader grade: {submission} is not a folder or a .zip", file=sys.stderr)
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
    hide = [Path(h) for h in args.hide or []]
    try:
        sandbox_policy(hide)
    except ValueError as error:
        print(f"grader grade: --hide: {error}", file=sys.stderr)
        return 2
    problem = weak_isolation_problem(
        "grade",
        reference=reference,
        hidden_tests=args.hidden_tests,
        allowed=args.allow_weak_isolation,
    )
    if problem:
        print(problem, file=sys.stderr)
        return 2
    try:
        code = grade(
            submission,
            Path(args.json),
            quiet=args.quiet,
            call_timeout=args.call_timeout,
            reference=reference,
            only=args.only.split(",") if args.only else None,
            lang=args.lang,
            hide=hide,
            hidden_tests=args.hidden_tests,
            deadline=args.deadline,
        )
    except UnreadableSubmissionError as error:
        print(f"grader grade: {error}", file=sys.stderr)
        return 2
    return 0 if code in (0, 1) else code


def _report(args: argparse.Namespace) -> int:
    try:
        report = json.loads(Path(args.report).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        print(f"grader report: cannot read {args.report}: {error}", file=sys.stderr)
        return 2
    if args.format == "gradescope":
        text = json.dumps(exports.gradescope_results(report), indent=2, ensure_ascii=False)
    elif args.format == "classroom":
        text = json.dumps(exports.classroom_payload(report), ensure_ascii=False)
    elif args.format == "junit":
        text = exports.junit_xml(report)
    else:
        student = args.id or Path(args.report).stem
        text = exports.gradebook_csv([exports.gradebook_row(report, student)])
    if args.out:
        Path(args.out).write_text(text + ("" if text.endswith("\n") else "\n"), encoding="utf-8")
    else:
        print(text)
    return 0


def _export(args: argparse.Namespace) -> int:
    if args.platform == "gradescope":
        if args.hidden_tests and not (args.reference or default_reference()):
            print(
                "grader export: --hidden-tests needs --reference (the solutions its checks "
                "compare with)",
                file=sys.stderr,
            )
            return 2
        if args.hidden_tests:
            try:
                load_hidden_suite(Path(args.hidden_tests))
            except HiddenSuiteError as error:
                print(f"grader export: --hidden-tests: {error}", file=sys.stderr)
                return 2
        path = platforms.gradescope_zip(
            Path(args.out or "autograder.zip"),
            hidden_tests=Path(args.hidden_tests) if args.hidden_tests else None,
            reference=(args.reference or default_reference()) if args.hidden_tests else None,
        )
    else:
        path = platforms.classroom_workflow(Path(args.out or ".github/workflows/classroom.yml"))
    print(f"wrote {path}")
    return 0


def _hint(args: argparse.Namespace) -> int:
    try:
        print(hints.show(args.exercise, all_shown=args.all, reset=args.reset))
    except KeyError as error:
        print(f"grader hint: {error.args[0]}", file=sys.stderr)
        return 2
    return 0


def _watch(args: argparse.Namespace) -> int:
    root = Path(args.folder)
    if not root.is_dir():
        print(f"grader watch: {root} is not a folder", file=sys.stderr)
        return 2
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how a student stops watching
        watching.watch(root, args.exercise)
    return 0


def _release(args: argparse.Namespace) -> int:
    try:
        out = release.build_release(
            Path(args.out), form=args.format, lang=args.lang, install_from=args.install_from
        )
    except (FileExistsError, FileNotFoundError) as error:
        print(f"grader release: {error}", file=sys.stderr)
        return 2
    print(f"wrote the student release to {out}")
    return 0


def _autograde(args: argparse.Namespace) -> int:
    return platforms.autograde_gradescope(
        Path(args.root), allow_weak_isolation=args.allow_weak_isolation
    )


def _batch(args: argparse.Namespace) -> int:
    settings = batch.Settings(
        submissions=Path(args.submissions),
        out=Path(args.out),
        only=tuple(args.only.split(",")) if args.only else None,
        lang=args.lang or language(),
        reference=None if args.no_reference else (args.reference or default_reference()),
        hidden_tests=args.hidden_tests,
        timeout=args.timeout,
        workers=args.workers,
    )
    problem = batch.settings_problem(settings) or weak_isolation_problem(
        "batch",
        reference=settings.reference,
        hidden_tests=settings.hidden_tests,
        allowed=args.allow_weak_isolation,
    )
    if problem:
        print(f"grader batch: {problem}", file=sys.stderr)
        return 2
    try:
        outcomes = batch.run(settings)
    except KeyboardInterrupt:
        print("grader batch: stopped; a rerun keeps the reports written so far", file=sys.stderr)
        return 130
    if not outcomes:
        print(f"grader batch: no folder or .zip in {settings.submissions}", file=sys.stderr)
        return 2
    print(batch.summary_line(outcomes, settings.out))
    return 0


def _doctor(args: argparse.Namespace) -> int:
    return doctor.doctor(without=args.without or ())


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="grader", description=__doc__)
    main.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = main.add_subparsers(dest="command", required=True)
    grade_cmd = commands.add_parser(
        "grade",
        help="grade one submission folder laid out like exercises/",
        description="Grade a folder or .zip laid out like exercises/ (for example solutions/ "
        "or a student's copy), or holding notebooks (.ipynb: their definitions are graded, "
        "they are never run), and write its JSON score report. A missing or broken file "
        "costs only its own exercise.",
    )
    grade_cmd.add_argument("submission", help="the submission folder or .zip")
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
    grade_cmd.add_argument(
        "--deadline",
        type=float,
        metavar="SECONDS",
        help="seconds the whole grading may take; checks not started by then are recorded as "
        "timeout, and the report is still written",
    )
    grade_cmd.add_argument(
        "--hide",
        action="append",
        metavar="FOLDER",
        help="a folder the student's code must not see (repeatable); the kit's solutions and "
        "the reference are always hidden",
    )
    grade_cmd.add_argument(
        "--hidden-tests",
        type=Path,
        metavar="PATH",
        help="a folder of hidden checks to run as well: modules named after exercises and "
        "points.toml (see grader/hidden_example/README.md); they count in the score and are "
        "marked hidden in the report",
    )
    grade_cmd.add_argument(
        ALLOW_WEAK,
        action="store_true",
        help="grade with a reference or hidden checks even where nothing hides them from "
        "students' code (see grader doctor); the reports say so",
    )
    grade_cmd.set_defaults(run=_grade)

    report_cmd = commands.add_parser(
        "report",
        help="turn a score report into another platform's format",
        description="Write a score report as Gradescope's results.json, GitHub Classroom's "
        "grading-reporter payload, JUnit XML, or a gradebook CSV row.",
    )
    report_cmd.add_argument("report", help="a score report written by grade or pytest")
    report_cmd.add_argument("--format", required=True, choices=exports.FORMATS)
    report_cmd.add_argument("--out", metavar="PATH", help="where to write (default: print)")
    report_cmd.add_argument("--id", help="the student's id in the CSV row (default: file name)")
    report_cmd.set_defaults(run=_report)

    export_cmd = commands.add_parser(
        "export",
        help="build what an autograding platform needs",
        description="gradescope: the autograder zip (setup.sh, run_autograder, the kit). "
        "classroom: the GitHub Classroom workflow for a student repository.",
    )
    export_cmd.add_argument("platform", choices=("gradescope", "classroom"))
    export_cmd.add_argument("--out", metavar="PATH", help="where to write")
    export_cmd.add_argument(
        "--hidden-tests",
        metavar="PATH",
        help="gradescope: put this hidden suite in the zip, with the reference solutions its "
        "checks compare with (their results show after the due date)",
    )
    export_cmd.add_argument(
        "--reference",
        metavar="DIR",
        type=Path,
        help="the reference solutions to put in the zip with --hidden-tests "
        "(default: the kit's solutions/)",
    )
    export_cmd.set_defaults(run=_export)

    hint_cmd = commands.add_parser(
        "hint", help="show an exercise's next hint (the first gentle, the last close to the answer)"
    )
    hint_cmd.add_argument("exercise", help="e.g. ex02_losses")
    hint_cmd.add_argument("--all", action="store_true", help="show every hint seen so far")
    hint_cmd.add_argument("--reset", action="store_true", help="start again from hint 1")
    hint_cmd.set_defaults(run=_hint)

    watch_cmd = commands.add_parser(
        "watch", help="rerun an exercise's checks each time its file is saved"
    )
    watch_cmd.add_argument("exercise", nargs="?", help="only this exercise (default: all)")
    watch_cmd.add_argument("--folder", default="exercises", help="default: exercises")
    watch_cmd.set_defaults(run=_watch)

    release_cmd = commands.add_parser(
        "release", help="build the folder students get: exercises and visible checks only"
    )
    release_cmd.add_argument("out", help="a new folder")
    release_cmd.add_argument(
        "--format",
        choices=release.FORMATS,
        default="py",
        help="the exercises as .py stubs, as notebooks (exercises/<name>/<name>.ipynb, made "
        "from the stubs), or both (default: py)",
    )
    release_cmd.add_argument(
        "--lang", choices=languages(), default="en", help="the notebooks' language (default: en)"
    )
    release_cmd.add_argument(
        "--install-from",
        default=release.DEFAULT_INSTALL,
        metavar="SPEC",
        help="what a notebook's first cell installs where the kit is missing, as pip takes it "
        "(a package name, git+https://... or a wheel's URL; default: "
        f"{release.DEFAULT_INSTALL})",
    )
    release_cmd.set_defaults(run=_release)

    autograde_cmd = commands.add_parser(
        "autograde", help="the grading step run on a platform (called by run_autograder)"
    )
    autograde_cmd.add_argument("platform", choices=("gradescope",))
    autograde_cmd.add_argument(
        "--root", default="/autograder", help="the platform's folder (default: /autograder)"
    )
    autograde_cmd.add_argument(
        ALLOW_WEAK,
        action="store_true",
        help="grade with a reference or hidden checks even where nothing hides them from "
        "students' code (see grader doctor); the reports say so",
    )
    autograde_cmd.set_defaults(run=_autograde)

    batch_cmd = commands.add_parser(
        "batch",
        help="grade a class: every student's folder or .zip, each in its own process",
        description="Grade each folder or .zip in SUBMISSIONS (one per student, named after "
        "the student, laid out like exercises/) in a separate process with a time limit. "
        "Writes OUT/<id>.json, OUT/gradebook.csv and OUT/summary.html. A rerun skips the "
        "submissions graded before and unchanged since.",
    )
    batch_cmd.add_argument("submissions", help="the folder of students' folders and zips")
    batch_cmd.add_argument("--out", required=True, metavar="FOLDER", help="where results go")
    batch_cmd.add_argument(
        "--workers",
        type=int,
        default=batch.DEFAULT_WORKERS,
        help=f"submissions graded at once (default: {batch.DEFAULT_WORKERS})",
    )
    batch_cmd.add_argument(
        "--timeout",
        type=float,
        default=batch.DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help="seconds one submission may take before it is stopped "
        f"(default: {batch.DEFAULT_TIMEOUT:g})",
    )
    batch_cmd.add_argument(
        "--hidden-tests", type=Path, metavar="PATH", help="hidden checks, as for grader grade"
    )
    batch_cmd.add_argument(
        "--only", metavar="NAMES", help="grade only these exercises (comma-separated names)"
    )
    batch_cmd.add_argument("--lang", choices=languages(), help="language of the feedback")
    batch_cmd.add_argument(
        "--reference", type=Path, metavar="DIR", help="as for grader grade (default: solutions/)"
    )
    batch_cmd.add_argument(
        "--no-reference", action="store_true", help="compare with recorded tf.keras values only"
    )
    batch_cmd.add_argument(
        ALLOW_WEAK,
        action="store_true",
        help="grade with a reference or hidden checks even where nothing hides them from "
        "students' code (see grader doctor); the reports say so",
    )
    batch_cmd.set_defaults(run=_batch)

    doctor_cmd = commands.add_parser(
        "doctor",
        help="which walls this machine puts around student code, and how to add the missing",
        description="Start one sandboxed process as grading does and have it try to read a "
        "reference solution, a hidden check and another submission. Prints each layer "
        "(namespaces, landlock, seccomp, uid, cgroup): active or missing, what it protects, "
        "how to enable it. Exits 0 only when none of the three could be read.",
    )
    doctor_cmd.add_argument(
        "--without",
        action="append",
        choices=("namespaces", "landlock", "seccomp", "uid"),
        help="leave a layer out, to see what grading would be without it (repeatable)",
    )
    doctor_cmd.set_defaults(run=_doctor)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
