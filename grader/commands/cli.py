"""The ``grader`` command."""

import argparse
import contextlib
import json
import os
import sys
from pathlib import Path

from grader import __version__
from grader.catalog import exercises
from grader.commands import (
    batch,
    cluster,
    collect,
    doctor,
    github_api,
    gradebook,
    merge,
    release,
    shards,
)
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
from grader.judge.options import GradingOptions, OptionsError
from grader.results import actions, gradebooks
from grader.results import formats as exports
from grader.results.late_work import LatePolicy
from grader.results.model import ReportError, ScoreReport, load_report
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
    staging = None
    if args.staging:
        try:
            staging = json.loads(Path(args.staging).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            print(f"grader grade: --staging: {error}", file=sys.stderr)
            return 2
    options = GradingOptions(
        score_report=Path(args.json),
        call_timeout=args.call_timeout,
        lang=args.lang,
        reference=reference,
        deadline=args.deadline,
        hidden_tests=args.hidden_tests,
        checks=tuple(args.checks.split(",")) if args.checks else (),
    )
    try:
        options.checked().hidden_suite()
    except OptionsError as error:
        print(f"grader grade: {error}", file=sys.stderr)
        return 2
    try:
        code = grade(
            submission,
            options,
            quiet=args.quiet,
            only=args.only.split(",") if args.only else None,
            hide=hide,
            staging=staging,
        )
    except UnreadableSubmissionError as error:
        print(f"grader grade: {error}", file=sys.stderr)
        return 2
    return 0 if code in (0, 1) else code


def _report(args: argparse.Namespace) -> int:
    try:
        report = load_report(Path(args.report))
    except ReportError as error:
        print(f"grader report: {error}", file=sys.stderr)
        return 2
    if args.format == "gradescope":
        text = json.dumps(exports.gradescope_results(report), indent=2, ensure_ascii=False)
    elif args.format == "classroom":
        text = json.dumps(exports.classroom_payload(report), ensure_ascii=False)
    elif args.format == "prairielearn":
        text = json.dumps(exports.prairielearn_results(report), indent=2, ensure_ascii=False)
    elif args.format == "junit":
        text = exports.junit_xml(report)
    elif args.format == "actions-summary":
        text = actions.step_summary(report)
    elif args.format == "annotations":
        text = "\n".join(
            actions.annotations(
                report,
                _student_sources(report, Path(args.root)),
                root=Path(args.root).as_posix(),
                cap=args.max_annotations,
            )
        )
    elif args.format == "check-run":
        body = actions.check_run(
            report, head_sha=os.environ.get("GITHUB_SHA", ""), assignment=args.assignment
        )
        text = json.dumps(body, ensure_ascii=False)
    else:
        student = args.id or Path(args.report).stem
        text = exports.gradebook_csv([exports.gradebook_row(report, student)])
    if args.out:
        Path(args.out).write_text(text + ("" if text.endswith("\n") else "\n"), encoding="utf-8")
    elif text:
        print(text.rstrip("\n"))
    if args.fail_under is not None and report.score < args.fail_under:
        print(
            f"grader report: {exports.points_text(report.score)} points, under "
            f"--fail-under {exports.points_text(args.fail_under)}",
            file=sys.stderr,
        )
        return 1
    return 0


def _student_sources(report: ScoreReport, root: Path) -> dict[str, str]:
    """The student's files of the report's exercises under ``root``, by relative path."""
    known = {e.name: e for e in exercises()}
    sources = {}
    for row in report.exercises:
        listed = known.get(row.name)
        path = root / listed.relative_path if listed else None
        if path is not None and path.is_file():
            sources[listed.relative_path] = path.read_text(encoding="utf-8", errors="replace")
    return sources


def _late_policy(penalty: str | None, cap: str | None) -> LatePolicy | None:
    """``--late-penalty`` and ``--late-cap`` of ``grader export gradescope``, checked."""
    if penalty is None:
        if cap is not None:
            raise ValueError("--late-cap needs --late-penalty")
        return None
    return LatePolicy.from_dict({"late_penalty": penalty, "late_cap": cap})


def _export(args: argparse.Namespace) -> int:
    late_options = args.late_penalty is not None or args.late_cap is not None
    if late_options and args.platform != "gradescope":
        print(
            "grader export: --late-penalty and --late-cap are for gradescope (elsewhere the "
            "late penalty is grader gradebook's)",
            file=sys.stderr,
        )
        return 2
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
        try:
            late = _late_policy(args.late_penalty, args.late_cap)
        except ValueError as error:
            print(f"grader export: {error}", file=sys.stderr)
            return 2
        path = platforms.gradescope_zip(
            Path(args.out or "autograder.zip"),
            hidden_tests=Path(args.hidden_tests) if args.hidden_tests else None,
            reference=(args.reference or default_reference()) if args.hidden_tests else None,
            late=late,
        )
    elif args.platform == "actions":
        try:
            path = platforms.actions_workflow(
                Path(args.out or ".github/workflows/grade.yml"),
                fail_under=args.fail_under,
                lang=args.lang or language(),
                assignment=args.assignment,
                kit_url=args.kit_url,
            )
        except ValueError as error:
            print(f"grader export: {error}", file=sys.stderr)
            return 2
    else:
        path = platforms.classroom_workflow(Path(args.out or ".github/workflows/classroom.yml"))
    print(f"wrote {path}")
    return 0


def _feedback_language(lang: str | None) -> None:
    """``--lang`` of a student's command: its words, and those of the checks it runs."""
    if lang:
        os.environ["GRADER_LANG"] = lang


def _hint(args: argparse.Namespace) -> int:
    _feedback_language(args.lang)
    try:
        print(hints.show(args.exercise, all_shown=args.all, reset=args.reset))
    except KeyError as error:
        print(f"grader hint: {error.args[0]}", file=sys.stderr)
        return 2
    return 0


def _watch(args: argparse.Namespace) -> int:
    _feedback_language(args.lang)
    try:
        chosen = watching.watched(args.exercise, Path(args.folder) if args.folder else None)
    except watching.WatchError as error:
        print(f"grader watch: {error}", file=sys.stderr)
        return 2
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how a student stops watching
        watching.watch(chosen.root, chosen.only)
    return 0


def _release(args: argparse.Namespace) -> int:
    if args.wheel:
        try:
            wheel = release.build_wheel(Path(args.out))
        except release.WheelError as error:
            print(f"grader release: {error}", file=sys.stderr)
            return 2
        print(f"wrote {wheel}: publish it and give its URL to grader export actions --kit-url")
        return 0
    try:
        taken = release.exercise_files(from_working_copy=args.from_working_copy)
        out = release.build_release(
            Path(args.out),
            form=args.format,
            lang=args.lang,
            install_from=args.install_from,
            taken=taken,
        )
    except (FileExistsError, FileNotFoundError, release.ReleaseError) as error:
        print(f"grader release: {error}", file=sys.stderr)
        return 2
    print(f"{taken.note}\nwrote the student release to {out}")
    return 0


def _autograde(args: argparse.Namespace) -> int:
    run = (
        platforms.autograde_prairielearn
        if args.platform == "prairielearn"
        else platforms.autograde_gradescope
    )
    root = args.root or ("/grade" if args.platform == "prairielearn" else "/autograder")
    return run(Path(root), allow_weak_isolation=args.allow_weak_isolation)


def _batch(args: argparse.Namespace) -> int:
    shard = None
    if args.shard is not None:
        try:
            shard = shards.parse_shard(args.shard, count=args.shard_count)
        except shards.ShardError as error:
            print(f"grader batch: {error}", file=sys.stderr)
            return 2
    settings = batch.Settings(
        submissions=Path(args.submissions),
        out=shard.folder(Path(args.out)) if shard else Path(args.out),
        only=tuple(args.only.split(",")) if args.only else None,
        lang=args.lang or language(),
        reference=None if args.no_reference else (args.reference or default_reference()),
        hidden_tests=args.hidden_tests,
        timeout=args.timeout,
        workers=args.workers,
        feedback_hidden=args.feedback_hidden,
        shard=shard,
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
    except (KeyboardInterrupt, batch.Terminated) as stopped:
        print("grader batch: stopped; a rerun keeps the reports written so far", file=sys.stderr)
        return 143 if isinstance(stopped, batch.Terminated) else 130
    if not outcomes and shard and (settings.out / shards.SHARD_FILE).exists():
        print(f"grader batch: shard {shard}: no submission falls in this shard")
        return 0
    if not outcomes:
        print(f"grader batch: no folder or .zip in {settings.submissions}", file=sys.stderr)
        return 2
    print(batch.summary_line(outcomes, settings.out, settings.lang))
    return 0


def _merge(args: argparse.Namespace) -> int:
    out = Path(args.out)
    try:
        merged = merge.merge(out, partial=args.partial)
    except merge.MergeError as error:
        print(f"grader merge: {error}", file=sys.stderr)
        return 2
    if merged.missing:
        listed = ", ".join(f"{s} (shard {k})" for s, k in sorted(merged.missing.items()))
        print(f"grader merge: not graded, marked in the gradebook: {listed}", file=sys.stderr)
    if merged.outcomes:
        print(batch.summary_line(merged.outcomes, out, merged.lang))
    return 0


def _collect(args: argparse.Namespace) -> int:
    def fail(message: str) -> int:
        print(f"grader collect: {message}", file=sys.stderr)
        return 2

    try:
        repositories = collect.read_repositories(args.repositories, args.repos or ())
    except (OSError, ValueError) as error:
        return fail(str(error))
    if not repositories:
        return fail("name the repositories (OWNER/REPO ...) or give --repos FILE")
    token = os.environ.get(args.token_env, "").strip()
    if not token:
        return fail(
            f"${args.token_env} is not set: give it a token that can read the repositories' "
            "Actions (fine-grained: Actions read; classic: repo), or name another variable "
            "with --token-env"
        )
    if not args.api.startswith(("https://", "http://")):
        return fail(f"--api must be an http(s) address, not {args.api!r}")
    found = collect.collect(
        github_api.GitHubApi(args.api, token),
        repositories,
        args.workflow,
        each=lambda item: print(collect.progress_line(item), file=sys.stderr, flush=True),
    )
    out = Path(args.out)
    collect.write_results(out, found, args.lang or language())
    print(collect.summary_line(found, out))
    return 0 if any(item.report is not None for item in found) else 1


def _slurm(args: argparse.Namespace) -> int:
    plan = cluster.Plan(
        Path(args.submissions).resolve(),
        Path(args.out).resolve(),
        args.shards,
        tuple(args.batch_options),
    )
    if not plan.submissions.is_dir():
        print(f"grader cluster slurm: {plan.submissions} is not a folder", file=sys.stderr)
        return 2
    options = cluster.SlurmOptions(
        partition=args.partition, time=args.time, cpus_per_task=args.cpus_per_task, mem=args.mem
    )
    written = cluster.write_files(plan.folder, cluster.slurm_scripts(plan, options))
    print("wrote " + ", ".join(str(path) for path in written))
    if not args.submit:
        print(f"submit them with: sh {plan.folder / 'submit.sh'}")
        return 0
    mounts = Path("/proc/mounts")
    if mounts.exists():
        paths = [plan.submissions, plan.out, Path(sys.executable).parent]
        for problem in cluster.unshared(paths, mounts.read_text(encoding="utf-8")):
            print(
                f"grader cluster slurm: warning: {problem}: every node must see it at the same "
                "path (fine on a one-node cluster)",
                file=sys.stderr,
            )
    try:
        array, merged = cluster.submit_slurm(plan.folder)
    except RuntimeError as error:
        print(f"grader cluster slurm: {error}", file=sys.stderr)
        return 1
    print(f"submitted job array {array} ({args.shards} shards) and merge job {merged} after it")
    return 0


def _status(args: argparse.Namespace) -> int:
    print(cluster.status_text(Path(args.out)))
    return 0


def _kubernetes(args: argparse.Namespace) -> int:
    options = cluster.KubernetesOptions(
        image=args.image,
        parallelism=args.parallelism,
        claim=args.claim,
        mount=args.mount,
        cpu=args.cpu,
        memory=args.memory,
        workers=args.workers,
        namespace=args.namespace,
    )
    mount = Path(options.mount)
    for path in (args.submissions, args.out):
        if not Path(path).is_absolute() or mount not in Path(path).parents:
            print(
                f"grader cluster kubernetes: {path} must be a path inside {mount}, where the "
                f"pods mount the volume claim {options.claim} (--mount, --claim)",
                file=sys.stderr,
            )
            return 2
    plan = cluster.Plan(
        Path(args.submissions), Path(args.out), args.shards, tuple(args.batch_options)
    )
    folder = Path(args.to) if args.to else Path.cwd() / "grader-cluster"
    try:
        manifests = cluster.kubernetes_manifests(plan, options)
    except RuntimeError as error:
        print(f"grader cluster kubernetes: {error}", file=sys.stderr)
        return 2
    written = cluster.write_files(folder, manifests)
    print("wrote " + ", ".join(str(path) for path in written))
    print("run them with:\n" + cluster.kubernetes_steps(folder, options))
    return 0


def _gradebook(args: argparse.Namespace) -> int:
    return gradebook.make_gradebook(
        gradebook.Options(
            out=Path(args.out),
            format=args.format,
            roster=Path(args.roster) if args.roster else None,
            destination=Path(args.to) if args.to else None,
            missing=args.missing,
            assignment=args.assignment,
            per_exercise=args.per_exercise,
            due=args.due,
            late_penalty=args.late_penalty,
            late_cap=args.late_cap,
            submissions=Path(args.submissions) if args.submissions else None,
        )
    )


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
    grade_cmd.add_argument(
        "--checks",
        metavar="NAMES",
        help="run only these checks of the exercises graded (comma-separated names as the "
        "report gives them, e.g. softmax,softmax_axis); the others are not run and earn nothing",
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
        "--staging",
        metavar="JSON",
        help="what staging found when SUBMISSION was staged from a student's upload (the files "
        "left out, where each module came from): written by grader batch for its judges",
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
        "grading-reporter payload, PrairieLearn's external-grader results.json, JUnit XML, a "
        "gradebook CSV row, or for GitHub Actions: the job summary (actions-summary), "
        "annotations on the student's files, a check run's body (check-run).",
    )
    report_cmd.add_argument("report", help="a score report written by grade or pytest")
    report_cmd.add_argument("--format", required=True, choices=(*exports.FORMATS, *actions.FORMATS))
    report_cmd.add_argument("--out", metavar="PATH", help="where to write (default: print)")
    report_cmd.add_argument("--id", help="the student's id in the CSV row (default: file name)")
    report_cmd.add_argument(
        "--root",
        default="exercises",
        help="annotations: the folder of the student's files, as the repository names it "
        "(default: exercises)",
    )
    report_cmd.add_argument(
        "--max-annotations",
        type=int,
        default=actions.DEFAULT_CAP,
        metavar="N",
        help=f"annotations: error annotations at most (default: {actions.DEFAULT_CAP})",
    )
    report_cmd.add_argument(
        "--assignment", help="check-run: its name (default: the exercises, e.g. ex01-ex08)"
    )
    report_cmd.add_argument(
        "--fail-under",
        type=float,
        metavar="POINTS",
        help="exit with 1 after writing when the score is under POINTS (default: never)",
    )
    report_cmd.set_defaults(run=_report)

    export_cmd = commands.add_parser(
        "export",
        help="build what an autograding platform needs",
        description="gradescope: the autograder zip (setup.sh, run_autograder, the kit). "
        "actions: the GitHub Actions workflow for a student repository (job summary, "
        "annotations, a check run with the score, the report as an artifact). "
        "classroom: the workflow for GitHub Classroom's grading reporter (Classroom itself "
        "was retired on 28 August 2026).",
    )
    export_cmd.add_argument("platform", choices=("gradescope", "actions", "classroom"))
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
    export_cmd.add_argument(
        "--late-penalty",
        metavar="RATE",
        help="gradescope: points off per started day after Gradescope's due date, as grader "
        "gradebook takes it: 10%%/day (of the maximum) or 2.5/day (points); its own test in "
        "the results",
    )
    export_cmd.add_argument(
        "--late-cap", metavar="AMOUNT", help="gradescope: the most it takes: 50%% or 30 (points)"
    )
    export_cmd.add_argument(
        "--fail-under",
        type=float,
        metavar="POINTS",
        help="actions: fail the job when the score is under POINTS (default: never)",
    )
    export_cmd.add_argument(
        "--lang", choices=languages(), help="actions: the language of the summary"
    )
    export_cmd.add_argument(
        "--assignment", help="actions: the check run's name (default: e.g. ex01-ex08)"
    )
    export_cmd.add_argument(
        "--kit-url",
        metavar="URL",
        help="actions: what the workflow installs the grader from, the published URL of "
        "grader release --wheel's wheel (the GRADER_KIT variable wins over it; default: "
        "the variable, else the repository's own copy)",
    )
    export_cmd.set_defaults(run=_export)

    hint_cmd = commands.add_parser(
        "hint", help="show an exercise's next hint (the first gentle, the last close to the answer)"
    )
    hint_cmd.add_argument("exercise", help="e.g. ex02_losses")
    hint_cmd.add_argument("--all", action="store_true", help="show every hint seen so far")
    hint_cmd.add_argument("--reset", action="store_true", help="start again from hint 1")
    hint_cmd.add_argument("--lang", choices=languages(), help="language of the hints")
    hint_cmd.set_defaults(run=_hint)

    watch_cmd = commands.add_parser(
        "watch", help="rerun an exercise's checks each time its file is saved"
    )
    watch_cmd.add_argument(
        "exercise",
        nargs="?",
        help="only this exercise (default: the exercise folder you are in, else all)",
    )
    watch_cmd.add_argument(
        "--folder",
        help="the folder of exercise folders (default: exercises, or the one you are in)",
    )
    watch_cmd.add_argument("--lang", choices=languages(), help="language of the feedback")
    watch_cmd.set_defaults(run=_watch)

    release_cmd = commands.add_parser(
        "release", help="build the folder students get: exercises and visible checks only"
    )
    release_cmd.add_argument("out", help="a new folder (with --wheel: where the wheel goes)")
    release_cmd.add_argument(
        "--wheel",
        action="store_true",
        help="build the grader alone as a wheel (visible checks and recorded values; no "
        "exercises, no solutions, no hidden checks), for a student workflow to install",
    )
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
    release_cmd.add_argument(
        release.FROM_WORKING_COPY,
        action="store_true",
        help="take exercises/ as it is on disk, even where it differs from the last commit "
        "(default: the last commit's, refusing a working copy that differs)",
    )
    release_cmd.set_defaults(run=_release)

    autograde_cmd = commands.add_parser(
        "autograde", help="the grading step run on a platform (called by run_autograder)"
    )
    autograde_cmd.add_argument("platform", choices=("gradescope", "prairielearn"))
    autograde_cmd.add_argument(
        "--root",
        help="the platform's folder (default: /autograder for gradescope, /grade for "
        "prairielearn: it reads /grade/student and writes /grade/results/results.json)",
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
        "Writes OUT/<id>.json, OUT/gradebook.csv, OUT/summary.html and each student's "
        "feedback page, OUT/feedback/<id>.md and .html. A rerun skips the "
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
        "--feedback-hidden",
        action="store_true",
        help="show the hidden checks' feedback on the students' pages (OUT/feedback/); "
        "by default a page gives only their sum",
    )
    batch_cmd.add_argument(
        ALLOW_WEAK,
        action="store_true",
        help="grade with a reference or hidden checks even where nothing hides them from "
        "students' code (see grader doctor); the reports say so",
    )
    batch_cmd.add_argument(
        "--shard",
        metavar="K/N",
        help="grade only the K-th of N parts of the class (K from 0; by a hash of the student "
        "id) into OUT/shards/K/; 'auto' reads K and N from SLURM_ARRAY_TASK_ID and "
        "SLURM_ARRAY_TASK_COUNT, or from JOB_COMPLETION_INDEX and --shard-count; then run "
        "grader merge OUT",
    )
    batch_cmd.add_argument(
        "--shard-count",
        type=int,
        metavar="N",
        help="with --shard auto on Kubernetes: the number of shards "
        f"(default: ${shards.SHARD_COUNT_VARIABLE})",
    )
    batch_cmd.set_defaults(run=_batch)

    merge_cmd = commands.add_parser(
        "merge",
        help="combine a class graded as shards (grader batch --shard) into one batch's results",
        description="Read OUT/shards/*/ and write OUT/<id>.json, OUT/gradebook.csv, "
        "OUT/summary.html and the feedback pages, as one grader batch over the whole class "
        "writes them. Refuses shards graded with different graders, options or hidden "
        "suites, a student in two shards, and missing or unfinished shards.",
    )
    merge_cmd.add_argument("out", help="the --out folder the shards were graded into")
    merge_cmd.add_argument(
        "--partial",
        action="store_true",
        help="merge the shards that are there; students without a report get a gradebook row "
        f"with status '{merge.NOT_GRADED}'",
    )
    merge_cmd.set_defaults(run=_merge)

    collect_cmd = commands.add_parser(
        "collect",
        help="download the score reports students' GitHub Actions runs uploaded",
        description="For each repository, the score-report artifact of the latest completed "
        "run of the grading workflow, through the GitHub API: writes OUT/<OWNER.REPO>.json, "
        "OUT/gradebook.csv (a row for every repository, its status saying why when there is "
        "no report), OUT/summary.html, the feedback pages and OUT/collected.csv.",
    )
    collect_cmd.add_argument("platform", choices=("actions",))
    collect_cmd.add_argument("repositories", nargs="*", metavar="OWNER/REPO")
    collect_cmd.add_argument(
        "--repos",
        type=Path,
        action="append",
        metavar="FILE",
        help="a file of repositories, one a line (# comments); repeatable",
    )
    collect_cmd.add_argument("--out", required=True, metavar="FOLDER", help="where results go")
    collect_cmd.add_argument(
        "--token-env",
        default=collect.TOKEN_VARIABLE,
        metavar="NAME",
        help=f"the environment variable holding the token (default: {collect.TOKEN_VARIABLE})",
    )
    collect_cmd.add_argument(
        "--workflow",
        default=collect.DEFAULT_WORKFLOW,
        help=f"the grading workflow's file name (default: {collect.DEFAULT_WORKFLOW})",
    )
    collect_cmd.add_argument(
        "--api",
        default=github_api.DEFAULT_API,
        metavar="URL",
        help=f"the REST API (default: {github_api.DEFAULT_API}; GitHub Enterprise Server: "
        "https://HOST/api/v3)",
    )
    collect_cmd.add_argument("--lang", choices=languages(), help="language of the feedback pages")
    collect_cmd.set_defaults(run=_collect)

    cluster_cmd = commands.add_parser(
        "cluster",
        help="write (and submit) the jobs that grade a class as shards on Slurm or Kubernetes",
    )
    schedulers = cluster_cmd.add_subparsers(dest="scheduler", required=True)
    slurm_cmd = schedulers.add_parser(
        "slurm",
        help="a job array of grader batch --shard auto, then a dependent merge job",
        description="Write OUT/cluster/grade.sbatch (a job array, one task per shard), "
        "merge.sbatch (grader merge --partial after the whole array: "
        "--dependency=afterany) and submit.sh. SUBMISSIONS, OUT and this Python must be on a "
        "file system every node mounts at the same path. Options after -- go to every "
        "shard's grader batch (e.g. -- --only ex01_activations --timeout 600).",
    )
    kube_cmd = schedulers.add_parser(
        "kubernetes",
        help="an Indexed Job of grader batch --shard auto, a merge Job, a deny-all policy",
        description="Write shards.yaml (a NetworkPolicy denying the pods all traffic and an "
        "Indexed Job, one completion index per shard) and merge.yaml (the merge Job, to apply "
        "once the shards are done). SUBMISSIONS and OUT are paths as the pods see them, "
        "inside --mount. Options after -- go to every shard's grader batch.",
    )
    for command in (slurm_cmd, kube_cmd):
        command.add_argument("submissions", help="the folder of students' folders and zips")
        command.add_argument("--out", required=True, metavar="FOLDER", help="where results go")
        command.add_argument("--shards", type=int, required=True, metavar="N")
    slurm_cmd.add_argument("--partition", metavar="P")
    slurm_cmd.add_argument("--time", metavar="T", help="each task's time limit, e.g. 2:00:00")
    slurm_cmd.add_argument(
        "--cpus-per-task", type=int, metavar="C", help="also each shard's --workers"
    )
    slurm_cmd.add_argument("--mem", metavar="M", help="each task's memory, e.g. 8G")
    slurm_cmd.add_argument("--submit", action="store_true", help="submit both with sbatch")
    slurm_cmd.set_defaults(run=_slurm)
    kube_cmd.add_argument("--image", required=True, help="the image with the kit installed")
    kube_cmd.add_argument(
        "--parallelism",
        type=int,
        default=cluster.DEFAULT_PARALLELISM,
        help=f"pods at once (default: {cluster.DEFAULT_PARALLELISM})",
    )
    kube_cmd.add_argument("--claim", default="grader-class", help="the PersistentVolumeClaim")
    kube_cmd.add_argument("--mount", default="/class", help="where the pods mount it")
    kube_cmd.add_argument("--cpu", default="2", help="each pod's CPU request and limit")
    kube_cmd.add_argument("--memory", default="4Gi", help="each pod's memory request and limit")
    kube_cmd.add_argument("--workers", type=int, default=2, help="each shard's --workers")
    kube_cmd.add_argument("--namespace", help="the namespace of the Jobs and the policy")
    kube_cmd.add_argument(
        "--to", metavar="FOLDER", help="where to write (default: ./grader-cluster)"
    )
    kube_cmd.set_defaults(run=_kubernetes)
    status_cmd = schedulers.add_parser(
        "status",
        help="each shard: done, pending, running or failed, and the failed ones' log tails",
        description="Read OUT/shards/*/shard.json and the Slurm logs in OUT/cluster/logs, and "
        "ask squeue about the array grader cluster slurm --submit submitted, when it can.",
    )
    status_cmd.add_argument("out", help="the --out folder of the shards")
    status_cmd.set_defaults(run=_status)

    book_cmd = commands.add_parser(
        "gradebook",
        help="turn a batch's results into the gradebook file Canvas or Moodle imports",
        description="Read the score reports grader batch wrote in OUT and write Canvas's "
        "gradebook import CSV, Moodle's grade import CSV or a plain CSV. The roster maps each "
        "submission id to the student's identities in the LMS (columns: "
        + ", ".join(gradebooks.ROSTER_COLUMNS)
        + "). Students with no submission get an empty cell or 0 (--missing); submissions "
        "with no roster entry, or whose grading failed, are listed on stderr.",
    )
    book_cmd.add_argument("out", help="the --out folder of grader batch")
    book_cmd.add_argument("--format", required=True, choices=gradebooks.GRADEBOOK_FORMATS)
    book_cmd.add_argument("--roster", metavar="CSV", help="the roster (needed for canvas, moodle)")
    book_cmd.add_argument(
        "--to", metavar="PATH", help="where to write (default: OUT/gradebook-FORMAT.csv)"
    )
    book_cmd.add_argument(
        "--missing",
        choices=("empty", "zero"),
        default="empty",
        help="the cell of a student who submitted nothing (default: empty)",
    )
    book_cmd.add_argument(
        "--assignment",
        default=gradebook.DEFAULT_ASSIGNMENT,
        help="the LMS column's name (Canvas: as its export names it, e.g. 'Lab 1 (12345)', to "
        "fill an existing assignment)",
    )
    book_cmd.add_argument(
        "--per-exercise", action="store_true", help="one column per exercise, not one in all"
    )
    book_cmd.add_argument("--due", metavar="DATETIME", help="the due time, e.g. 2026-11-20T23:59")
    book_cmd.add_argument(
        "--late-penalty",
        metavar="RATE",
        help="points off per started day late: 10%%/day (of the maximum) or 2.5/day (points)",
    )
    book_cmd.add_argument(
        "--late-cap", metavar="AMOUNT", help="the most a late penalty takes: 50%% or 30 (points)"
    )
    book_cmd.add_argument(
        "--submissions",
        metavar="FOLDER",
        help="the batch's submissions folder: a submission's time is its folder's or zip's "
        "modification time where the roster has no submitted_at",
    )
    book_cmd.set_defaults(run=_gradebook)

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
    argv = sys.argv[1:] if argv is None else argv
    batch_options: list[str] = []
    if argv[:1] == ["cluster"] and "--" in argv:  # the rest is every shard's grader batch's
        at = argv.index("--")
        argv, batch_options = argv[:at], argv[at + 1 :]
    args = parser().parse_args(argv)
    args.batch_options = batch_options
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
