"""A local stand-in for the parts of GitHub's REST API that ``grader collect actions`` reads,
with the answers' shapes as GitHub's REST documentation gives them ("List workflow runs for a
workflow", "List workflow run artifacts", "Download an artifact", "Get a repository", and the
error bodies of 401, 404 and a rate limit), and a second server on another port standing for
the artifacts' storage, to which the API's 302 redirects. Both listen on 127.0.0.1 only and
record every request with its headers."""

import json
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

API_VERSION = "2022-11-28"
DOCS = "https://docs.github.com/rest"


@dataclass
class Seen:
    """One request a fake server answered."""

    server: str
    """``api`` or ``storage``."""
    path: str
    headers: dict[str, str]
    """By lower-case name."""


@dataclass
class Repo:
    """One student's repository: its workflows' runs and their artifacts."""

    full_name: str
    workflows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Each workflow file's runs, newest first."""
    artifacts: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    """Each run's artifacts."""


@dataclass
class FakeGitHub:
    token: str
    repos: dict[str, Repo] = field(default_factory=dict)
    zips: dict[int, bytes] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    rate_limited: bool = False
    moved: dict[str, str] = field(default_factory=dict)
    """Renamed repositories: the old name answers 301 to the new one, as GitHub does."""
    gone: set[int] = field(default_factory=set)
    """Artifacts listed as live whose download answers 410 (expired meanwhile)."""
    api_url: str = ""
    storage_url: str = ""
    _next_id: int = 1000

    def add_run(
        self,
        full_name: str,
        *,
        workflow: str = "grade.yml",
        conclusion: str = "success",
        status: str = "completed",
        artifact: bytes | None = None,
        artifact_name: str = "score-report",
        expired: bool = False,
    ) -> int:
        """A run of ``workflow`` in ``full_name`` (newest so far), with an artifact holding
        ``artifact`` (a zip's bytes) when given; the run's id."""
        repo = self.repos.setdefault(full_name, Repo(full_name))
        self._next_id += 1
        run_id = self._next_id
        owner, name = full_name.split("/")
        repo.workflows.setdefault(workflow, []).insert(
            0,
            {
                "id": run_id,
                "name": "Grade",
                "node_id": "WFR_kwLOBuzW9M8AAAABDUfK2w",
                "head_branch": "main",
                "head_sha": f"{run_id:040x}",
                "path": f".github/workflows/{workflow}",
                "display_title": "Finish ex02",
                "run_number": 3,
                "event": "push",
                "status": status,
                "conclusion": conclusion if status == "completed" else None,
                "workflow_id": 161335,
                "check_suite_id": 414944374,
                "url": f"{self.api_url}/repos/{full_name}/actions/runs/{run_id}",
                "html_url": f"https://github.com/{full_name}/actions/runs/{run_id}",
                "created_at": "2026-11-30T09:12:01Z",
                "updated_at": "2026-11-30T09:15:44Z",
                "run_attempt": 1,
                "run_started_at": "2026-11-30T09:12:01Z",
                "artifacts_url": f"{self.api_url}/repos/{full_name}/actions/runs/{run_id}"
                "/artifacts",
                "repository": {
                    "id": 1296269,
                    "name": name,
                    "full_name": full_name,
                    "owner": {"login": owner, "type": "Organization"},
                    "private": True,
                },
            },
        )
        if artifact is not None:
            self._next_id += 1
            artifact_id = self._next_id
            self.zips[artifact_id] = artifact
            repo.artifacts[run_id] = [
                {
                    "id": artifact_id,
                    "node_id": "MDg6QXJ0aWZhY3QxMQ==",
                    "name": artifact_name,
                    "size_in_bytes": len(artifact),
                    "url": f"{self.api_url}/repos/{full_name}/actions/artifacts/{artifact_id}",
                    "archive_download_url": (
                        f"{self.api_url}/repos/{full_name}/actions/artifacts/{artifact_id}/zip"
                    ),
                    "expired": expired,
                    "created_at": "2026-11-30T09:15:40Z",
                    "expires_at": "2027-02-28T09:15:40Z",
                    "updated_at": "2026-11-30T09:15:40Z",
                    "digest": None,
                    "workflow_run": {
                        "id": run_id,
                        "repository_id": 1296269,
                        "head_repository_id": 1296269,
                        "head_branch": "main",
                        "head_sha": f"{run_id:040x}",
                    },
                }
            ]
        return run_id

    def add_repo(self, full_name: str) -> None:
        self.repos.setdefault(full_name, Repo(full_name))

    def tokens_sent(self, server: str) -> list[str]:
        return [s.headers.get("authorization", "") for s in self.seen if s.server == server]

    # -- the API's answers ------------------------------------------------------------------

    def answer(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        """The status, headers and JSON body (or None) of ``GET path``."""
        if headers.get("authorization") != f"Bearer {self.token}":
            return (
                401,
                {},
                {"message": "Bad credentials", "documentation_url": DOCS, "status": "401"},
            )
        if self.rate_limited:
            limits = {
                "X-RateLimit-Limit": "5000",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": "1796040000",
                "X-RateLimit-Used": "5000",
                "X-RateLimit-Resource": "core",
            }
            message = "API rate limit exceeded for user ID 1."
            return 403, limits, {"message": message, "documentation_url": DOCS, "status": "403"}
        parts = urllib.parse.urlsplit(path)
        query = dict(urllib.parse.parse_qsl(parts.query))
        segments = parts.path.strip("/").split("/")
        not_found = (404, {}, {"message": "Not Found", "documentation_url": DOCS, "status": "404"})
        if len(segments) < 3 or segments[0] != "repos":
            return not_found
        moved = self.moved.get(f"{segments[1]}/{segments[2]}")
        if moved is not None:
            rest = "/".join(segments[3:])
            target = f"{self.api_url}/repos/{moved}/{rest}".rstrip("/")
            query = f"?{parts.query}" if parts.query else ""
            return 301, {"Location": target + query}, {"message": "Moved Permanently"}
        repo = self.repos.get(f"{segments[1]}/{segments[2]}")
        if repo is None:
            return not_found
        rest = segments[3:]
        if not rest:
            return 200, {}, {"id": 1296269, "full_name": repo.full_name, "private": True}
        if rest[:2] == ["actions", "workflows"] and len(rest) == 4 and rest[3] == "runs":
            runs = repo.workflows.get(urllib.parse.unquote(rest[2]))
            if runs is None:
                return not_found
            if "status" in query:
                runs = [r for r in runs if r["status"] == query["status"]]
            page = runs[: int(query.get("per_page", 30))]
            return 200, {}, {"total_count": len(runs), "workflow_runs": page}
        if rest[:2] == ["actions", "runs"] and len(rest) == 4 and rest[3] == "artifacts":
            artifacts = repo.artifacts.get(int(rest[2]), [])
            if "name" in query:
                artifacts = [a for a in artifacts if a["name"] == query["name"]]
            return 200, {}, {"total_count": len(artifacts), "artifacts": artifacts}
        if rest[:2] == ["actions", "artifacts"] and len(rest) == 4 and rest[3] == "zip":
            artifact_id = int(rest[2])
            listed = [a for runs in repo.artifacts.values() for a in runs if a["id"] == artifact_id]
            if not listed:
                return not_found
            if listed[0]["expired"] or artifact_id in self.gone:
                return 410, {}, {"message": "Artifact has expired", "documentation_url": DOCS}
            signed = f"{self.storage_url}/artifacts/{artifact_id}.zip?sig=SIGNATURE&se=2026-12-01"
            return 302, {"Location": signed}, None
        return not_found


def _handler(fake: FakeGitHub, server: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            headers = {name.lower(): value for name, value in self.headers.items()}
            fake.seen.append(Seen(server, self.path, headers))
            if server == "api":
                status, extra, body = fake.answer(self.path, headers)
                data = json.dumps(body).encode() if body is not None else b""
                content = "application/json; charset=utf-8"
            else:
                artifact_id = int(self.path.split("/")[-1].split(".")[0])
                data = fake.zips.get(artifact_id, b"")
                status, extra, content = (200 if data else 404), {}, "application/zip"
            self.send_response(status)
            for name, value in {
                "Content-Type": content,
                "Content-Length": str(len(data)),
                **extra,
            }.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def serving(token: str) -> Iterator[FakeGitHub]:
    """A ``FakeGitHub`` whose API and storage servers run until the block ends."""
    fake = FakeGitHub(token)
    servers = {
        name: ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake, name))
        for name in ("api", "storage")
    }
    fake.api_url = f"http://127.0.0.1:{servers['api'].server_port}"
    fake.storage_url = f"http://127.0.0.1:{servers['storage'].server_port}"
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers.values()]
    for thread in threads:
        thread.start()
    try:
        yield fake
    finally:
        for server in servers.values():
            server.shutdown()
            server.server_close()
