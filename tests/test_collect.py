"""``grader collect actions`` against a local fake of GitHub's API and its artifact storage
(tests/fake_github.py), never the network: a class of repositories with full marks, partial
marks, no run, a broken artifact and no repository at all; rate limits, refused tokens,
expired artifacts and hostile zips."""

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from fake_github import FakeGitHub, serving

from grader.catalog import exercises
from grader.commands import cli, collect
from grader.commands.github_api import ApiError, GitHubApi
from grader.results.actions import ARTIFACT_NAME, REPORT_FILE
from grader.results.class_page import summary_html
from grader.results.model import ScoreReport, build_score_report, load_report

TOKEN = "ghp_collectTestToken0123456789"


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fake servers are on this machine: a proxy the environment names is not used."""
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "127.0.0.1")


def kit_report(passing: set[str] | None = None) -> ScoreReport:
    """A report of the whole kit in which the exercises in ``passing`` (default: all) pass
    every check and the others fail each one."""
    tests = [
        {
            "metadata": {
                "grader": {
                    "exercise": e.name,
                    "check": check,
                    "status": "passed" if passing is None or e.name in passing else "failed",
                    "message": "" if passing is None or e.name in passing else "wrong value",
                }
            }
        }
        for e in exercises()
        for check in e.points
    ]
    files = {e.relative_path: b"def f(): pass\n" for e in exercises()}
    return build_score_report({"tests": tests}, list(exercises()), files=files)


def artifact_zip(files: dict[str, bytes]) -> bytes:
    """A zip as actions/upload-artifact makes it: the uploaded files at its root."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def report_zip(report: ScoreReport) -> bytes:
    return artifact_zip({REPORT_FILE: json.dumps(report.to_dict()).encode()})


def _gradebook(out: Path) -> dict[str, dict[str, str]]:
    with (out / "gradebook.csv").open(encoding="utf-8") as file:
        return {row["id"]: row for row in csv.DictReader(file)}


def _collect(fake: FakeGitHub, out: Path, *args: str, token: str = TOKEN) -> int:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GRADER_TEST_TOKEN", token)
        return cli.main(
            [
                "collect",
                "actions",
                *args,
                "--out",
                str(out),
                "--api",
                fake.api_url,
                "--token-env",
                "GRADER_TEST_TOKEN",
            ]
        )


def test_a_class_is_collected_into_the_batchs_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    full, partial = kit_report(), kit_report({"ex01_activations", "ex02_losses"})
    with serving(TOKEN) as fake:
        fake.add_run("course/lab-alice", conclusion="failure", artifact=report_zip(kit_report()))
        fake.add_run("course/lab-alice", artifact=report_zip(full))  # the newest run wins
        fake.add_run("course/lab-bob", artifact=report_zip(partial))
        fake.add_repo("course/lab-carol")  # the workflow was never committed
        fake.add_run("course/lab-dave", artifact=artifact_zip({"../report.json": b"{}"}))
        repos = tmp_path / "repos.txt"
        repos.write_text("# lab 1\ncourse/lab-bob\nhttps://github.com/course/lab-carol.git\n")
        code = _collect(
            fake,
            tmp_path / "out",
            "course/lab-alice",
            "course/lab-dave",
            "course/lab-erin",
            "course/LAB-ALICE",
            "--repos",
            str(repos),
        )
    out = tmp_path / "out"
    assert code == 0
    rows = _gradebook(out)
    assert set(rows) == {
        "course.lab-alice",
        "course.lab-bob",
        "course.lab-carol",
        "course.lab-dave",
        "course.lab-erin",
    }  # LAB-ALICE is alice again: GitHub's names ignore case
    assert (rows["course.lab-alice"]["total"], rows["course.lab-alice"]["status"]) == (
        "100",
        "graded",
    )
    assert rows["course.lab-bob"]["total"] == f"{partial.score:g}" == "25"
    assert rows["course.lab-bob"]["ex01_activations"] == "15"
    assert rows["course.lab-bob"]["ex03_optimizers"] == "0"
    assert rows["course.lab-carol"]["status"] == collect.NO_RUN
    assert rows["course.lab-dave"]["status"] == collect.BAD_ARTIFACT
    assert rows["course.lab-erin"]["status"] == "not found"
    assert rows["course.lab-carol"]["total"] == ""  # no report: no points, not a zero
    # The reports are the ones the workflows uploaded.
    assert load_report(out / "course.lab-alice.json").to_dict() == full.to_dict()
    assert load_report(out / "course.lab-bob.json").to_dict() == partial.to_dict()
    assert not (out / "course.lab-dave.json").exists()
    page = (out / "summary.html").read_text(encoding="utf-8")
    assert page == summary_html([("course.lab-alice", full), ("course.lab-bob", partial)])
    assert (out / "feedback" / "course.lab-bob.html").is_file()
    with (out / collect.COLLECTED_FILE).open(encoding="utf-8") as file:
        collected = {row["repository"]: row for row in csv.DictReader(file)}
    assert "no workflow grade.yml in course/lab-carol" in collected["course/lab-carol"]["message"]
    assert "paths outside itself: ['../report.json']" in collected["course/lab-dave"]["message"]
    assert "no repository course/lab-erin" in collected["course/lab-erin"]["message"]
    alice_run = fake.repos["course/lab-alice"].workflows["grade.yml"][0]
    assert collected["course/lab-alice"]["run_id"] == str(alice_run["id"])
    assert collected["course/lab-alice"]["head_sha"] == alice_run["head_sha"]
    printed = capsys.readouterr()
    assert "course/lab-dave: bad artifact:" in printed.err
    assert "course/lab-alice: graded, 100/100\ncourse/lab-dave: bad artifact:" in printed.err
    assert printed.out.startswith("5 repositories: 2 graded, 1 no run, 1 bad artifact, 1 not found")
    # The token went to the API only; the storage got no token and none of GitHub's headers.
    api = [s for s in fake.seen if s.server == "api"]
    storage = [s for s in fake.seen if s.server == "storage"]
    assert len(storage) == 3  # alice's, bob's and dave's zips
    assert set(fake.tokens_sent("api")) == {f"Bearer {TOKEN}"}
    assert fake.tokens_sent("storage") == ["", "", ""]
    assert all(s.headers.get("x-github-api-version") == "2022-11-28" for s in api)
    assert all(s.headers.get("accept") == "application/vnd.github+json" for s in api)
    assert not any("authorization" in s.headers or "x-github-api-version" in s.headers
                   for s in storage)  # fmt: skip
    assert all("sig=SIGNATURE" in s.path for s in storage)
    assert sum("/actions/workflows/grade.yml/runs?status=completed&per_page=1" in s.path
               for s in api) == 5  # fmt: skip


def test_after_a_rate_limit_no_other_repository_is_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with serving(TOKEN) as fake:
        for name in ("course/a", "course/b", "course/c"):
            fake.add_run(name, artifact=report_zip(kit_report()))
        fake.rate_limited = True
        code = _collect(fake, tmp_path / "out", "course/a", "course/b", "course/c")
    assert code == 1  # nothing collected
    rows = _gradebook(tmp_path / "out")
    assert {row["status"] for row in rows.values()} == {"rate limited"}
    assert len(fake.seen) == 1
    err = capsys.readouterr().err
    assert "course/a: rate limited: the API's rate limit was reached (403 from " in err
    assert "it resets at 2026-11-30 12:00 UTC" in err
    assert "course/c: rate limited: not asked: the API's rate limit" in err
    assert not (tmp_path / "out" / "summary.html").exists()  # no report, no class page


def test_a_refused_token_marks_every_repository_unauthorized(tmp_path: Path) -> None:
    with serving(TOKEN) as fake:
        fake.add_run("course/a", artifact=report_zip(kit_report()))
        fake.add_run("course/b", artifact=report_zip(kit_report()))
        code = _collect(fake, tmp_path / "out", "course/a", "course/b", token="ghp_expired")
    assert code == 1 and len(fake.seen) == 1
    assert {r["status"] for r in _gradebook(tmp_path / "out").values()} == {"unauthorized"}
    assert "Bad credentials" in (tmp_path / "out" / collect.COLLECTED_FILE).read_text()


def test_runs_without_a_usable_artifact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(collect, "MAX_ARTIFACT_BYTES", 1000)
    big = artifact_zip({REPORT_FILE: json.dumps(kit_report().to_dict()).encode()})
    assert len(big) > 1000
    with serving(TOKEN) as fake:
        fake.add_run("course/expired", artifact=report_zip(kit_report()), expired=True)
        fake.add_run("course/renamed", artifact=report_zip(kit_report()), artifact_name="report")
        fake.add_run("course/cancelled", conclusion="cancelled")
        fake.add_run("course/running", status="in_progress", artifact=report_zip(kit_report()))
        fake.add_run("course/listed-big", artifact=big)
        fake.add_run("course/small-claim", artifact=big)
        fake.add_run("course/tampered", artifact=artifact_zip({REPORT_FILE: b"{}"}))
        fake.add_run("course/gone", artifact=artifact_zip({REPORT_FILE: b"{}"}))
        fake.gone.add(next(iter(fake.repos["course/gone"].artifacts.values()))[0]["id"])
        small = fake.repos["course/small-claim"]
        next(iter(small.artifacts.values()))[0]["size_in_bytes"] = 900  # the answer is bigger
        tampered = fake.repos["course/tampered"]
        next(iter(tampered.artifacts.values()))[0]["digest"] = "sha256:" + "0" * 64
        api = GitHubApi(fake.api_url, TOKEN)
        names = [
            "course/expired",
            "course/renamed",
            "course/cancelled",
            "course/running",
            "course/listed-big",
            "course/small-claim",
            "course/tampered",
            "course/gone",
        ]
        found = {
            c.repository.name: c
            for c in collect.collect(api, [collect.parse_repository(n) for n in names])
        }
        downloads = [s.path for s in fake.seen if s.server == "storage"]
    assert {name: c.status for name, c in found.items()} == {
        "expired": collect.NO_ARTIFACT,
        "renamed": collect.NO_ARTIFACT,
        "cancelled": collect.NO_ARTIFACT,
        "running": collect.NO_RUN,
        "listed-big": collect.BAD_ARTIFACT,
        "small-claim": collect.BAD_ARTIFACT,
        "tampered": collect.BAD_ARTIFACT,
        "gone": collect.NO_ARTIFACT,
    }
    assert f"the {ARTIFACT_NAME} artifact of run" in found["expired"].message
    assert "expired 2027-02-28T09:15:40Z" in found["expired"].message
    assert (
        "(cancelled, https://github.com/course/cancelled/actions/runs/"
        in found["cancelled"].message
    )
    assert "no completed run of grade.yml in course/running yet" in found["running"].message
    assert "bytes (at most 1000)" in found["listed-big"].message
    assert "is over 1000 bytes" in found["small-claim"].message
    assert "the API gives 0000" in found["tampered"].message
    assert "has expired (410 from " in found["gone"].message
    assert len(downloads) == 2  # not the expired, the listed-big nor those without one
    assert all(c.report is None for c in found.values())


def _zip_with(entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in entries:
            archive.writestr(info, data)
    return buffer.getvalue()


def _encrypted() -> bytes:
    """A zip whose report says it is encrypted (the flag set in both of its headers)."""
    data = bytearray(_zip_with([(zipfile.ZipInfo(REPORT_FILE), b"{}")]))
    local, central = data.find(b"PK\x03\x04"), data.find(b"PK\x01\x02")
    data[local + 6] |= 0x1
    data[central + 8] |= 0x1
    return bytes(data)


def _lzma_zip() -> bytes:
    """A zip whose report is compressed with LZMA, and broken."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_LZMA) as archive:
        archive.writestr(REPORT_FILE, _valid_text())
    data = bytearray(buffer.getvalue())
    start = data.find(b"PK\x03\x04") + 30 + len(REPORT_FILE)
    data[start + 9 : start + 40] = bytes(31)  # its compressed stream, past the LZMA header
    return bytes(data)


def _valid_text() -> bytes:
    return json.dumps(kit_report().to_dict()).encode()


HOSTILE = {
    "not a zip": (b"<html>Not Found</html>", "not a readable zip"),
    "empty": (b"", "not a readable zip"),
    "cut short": (lambda: report_zip(kit_report())[:200], "not a readable zip"),
    "many files": (
        lambda: _zip_with([(f"f{i}.txt", b"") for i in range(101)]),
        "holds 101 files (at most 100)",
    ),
    "absolute path": (
        lambda: _zip_with([("/etc/cron.d/x", b""), (REPORT_FILE, _valid_text())]),
        "paths outside itself: ['/etc/cron.d/x']",
    ),
    "windows path": (
        lambda: _zip_with([("..\\report.json", b"{}")]),
        "paths outside itself",
    ),
    "nested report": (
        lambda: _zip_with([("out/report.json", _valid_text())]),
        "holds no report.json (it holds out/report.json)",
    ),
    "bomb": (
        lambda: _zip_with([(REPORT_FILE, b" " * (collect.MAX_REPORT_BYTES + 1))]),
        f"report.json is {collect.MAX_REPORT_BYTES + 1} bytes",
    ),
    "encrypted": (_encrypted, "report.json is encrypted"),
    "not JSON": (lambda: artifact_zip({REPORT_FILE: b"score: 100"}), "not a score report"),
    "not UTF-8": (lambda: artifact_zip({REPORT_FILE: b"\xff\xfe{}"}), "not a score report"),
    "a list": (lambda: artifact_zip({REPORT_FILE: b"[100]"}), "not a JSON object"),
    "deep": (lambda: artifact_zip({REPORT_FILE: b"[" * 200_000}), "not a score report"),
    "schema": (
        lambda: artifact_zip({REPORT_FILE: json.dumps({"score": 100}).encode()}),
        "not a score report: 'schema_version' is a required property",
    ),
    "lzma": (
        lambda: _lzma_zip(),
        "compressed with method 14",
    ),
    "huge number": (
        lambda: artifact_zip(
            {
                REPORT_FILE: _valid_text().replace(
                    b'"duration": 0.0', b'"duration": ' + b"9" * 400, 1
                )
            }
        ),
        "not a score report",
    ),
    "inflated score": (
        lambda: artifact_zip(
            {REPORT_FILE: json.dumps({**kit_report(set()).to_dict(), "score": 100}).encode()}
        ),
        "do not add up",
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_artifact_is_refused_with_why(case: str) -> None:
    make, words = HOSTILE[case]
    data = make() if callable(make) else make
    with pytest.raises(collect.ArtifactError) as refused:
        collect.report_from_zip(data)
    assert words in str(refused.value), f"{case}: {refused.value}"


def test_a_forged_submission_record_does_not_set_the_status() -> None:
    report = kit_report({"ex01_activations"})
    data = report.to_dict() | {
        "submission": {
            "id": "x",
            "name": "x",
            "source": "zip",
            "status": "error",
            "message": "",
            "ignored": [],
            "graded_with": {"grader": "x", "hidden_tests": None, "options": {}},
        }
    }
    read = collect.report_from_zip(artifact_zip({REPORT_FILE: json.dumps(data).encode()}))
    assert read.submission is None and read.to_dict() == report.to_dict()


def test_bad_input_is_refused_before_any_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repos = tmp_path / "repos.txt"
    repos.write_text("course/ok\ncourse/has space\n")
    out = str(tmp_path / "out")
    assert cli.main(["collect", "actions", "--repos", str(repos), "--out", out]) == 2
    assert "repos.txt, line 2: 'course/has space' is not a repository's name" in (
        capsys.readouterr().err
    )
    monkeypatch.delenv("GRADER_TEST_TOKEN", raising=False)
    argv = ["collect", "actions", "course/ok", "--out", out, "--token-env", "GRADER_TEST_TOKEN"]
    assert cli.main(argv) == 2
    assert "$GRADER_TEST_TOKEN is not set" in capsys.readouterr().err
    assert cli.main(["collect", "actions", "--out", out]) == 2
    assert "name the repositories" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_the_token_never_follows_a_redirect_to_another_host() -> None:
    api = GitHubApi("https://api.example.test", TOKEN)
    assert "Authorization" in api._headers("https://api.example.test/repos/a/b")
    for elsewhere in (
        "https://storage.example.test/x.zip",
        "https://api.example.test:8443/repos/a/b",
        "http://api.example.test/repos/a/b",
    ):
        assert "Authorization" not in api._headers(elsewhere)
        assert "X-GitHub-Api-Version" not in api._headers(elsewhere)
    with pytest.raises(ApiError, match="refused"):
        api._next("https://api.example.test/a", "http://storage.example.test/x.zip")
    with pytest.raises(ApiError, match="refused"):
        api._next("https://api.example.test/a", "file:///etc/passwd")


def test_a_rerun_says_what_it_finds_now(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with serving(TOKEN) as fake:
        fake.add_run("course/lab", artifact=report_zip(kit_report()))
        fake.add_run("course/lab.b", artifact=report_zip(kit_report({"ex01_activations"})))
        assert _collect(fake, out, "course/lab", "course/lab.b") == 0
        assert (out / "course.lab.json").is_file() and (
            out / "feedback" / "course.lab.md"
        ).is_file()
        fake.add_run("course/lab", artifact=artifact_zip({"notes.txt": b"no report"}))
        assert _collect(fake, out, "course/lab", "course/lab.b") == 0
    rows = _gradebook(out)
    assert (rows["course.lab"]["status"], rows["course.lab"]["total"]) == ("bad artifact", "")
    assert not (out / "course.lab.json").exists()
    assert not [p for p in ("course.lab.md", "course.lab.html") if (out / "feedback" / p).exists()]
    assert (out / "feedback" / "course.lab.b.md").is_file()  # another student's page stays
    assert rows["course.lab.b"]["total"] == "15"


def test_a_renamed_repository_is_followed_with_the_token(tmp_path: Path) -> None:
    with serving(TOKEN) as fake:
        fake.add_run("course/lab-new", artifact=report_zip(kit_report()))
        fake.moved["course/lab-old"] = "course/lab-new"
        found = collect.collect(
            GitHubApi(fake.api_url, TOKEN), [collect.parse_repository("course/lab-old")]
        )
    assert found[0].status == "graded" and found[0].report is not None
    api = [s.path for s in fake.seen if s.server == "api"]
    assert api[0].startswith("/repos/course/lab-old/") and api[1].startswith(
        "/repos/course/lab-new/"
    )
    assert set(fake.tokens_sent("api")) == {f"Bearer {TOKEN}"}
