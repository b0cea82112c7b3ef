"""GitHub's REST API, as ``grader collect actions`` reads it: JSON answers and one download.

Every request carries ``Accept: application/vnd.github+json`` and
``X-GitHub-Api-Version: 2022-11-28``; the token goes as ``Authorization: Bearer`` to the
API's own origin (scheme, host and port) only. Redirects are followed by hand, at most
``MAX_REDIRECTS``: one to another origin (an artifact's zip answers 302 with a signed storage
URL) is followed without the token and without GitHub's headers. Every answer is read up to a
limit, so a huge or endless body costs at most that much memory. A failure raises
``ApiError``, whose ``kind`` says what went wrong (``KINDS``).
"""

import json
import urllib.parse
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from functools import cache
from typing import Any

from grader import __version__

DEFAULT_API = "https://api.github.com"
API_VERSION = "2022-11-28"
MAX_REDIRECTS = 3
MAX_JSON_BYTES = 10 * 2**20
"""The most an API answer may hold: a page of runs or artifacts is a few kilobytes."""
TIMEOUT = 30.0
"""Seconds a request may wait for the server."""
KINDS = ("not found", "unauthorized", "rate limited", "forbidden", "api error")
"""What a failed request is, as the gradebook says it: 404 (or 410), 401, a 403 or 429 with
``X-RateLimit-Remaining: 0`` or ``Retry-After``, another 403, anything else (a server error,
no connection, an answer that is not JSON or too big)."""


@dataclass
class ApiError(Exception):
    """A request that failed: its ``kind`` (one of ``KINDS``) and why, for the instructor."""

    kind: str
    message: str
    status: int | None = None

    def __str__(self) -> str:
        return self.message


class TooLargeError(ApiError):
    """An answer over the limit it was read with."""


@cache
def _opener() -> Any:
    """urllib's opener with no redirect handling: every redirect comes back to the caller,
    who decides what goes to the next host. (Imported here: ``ssl`` takes a tenth of a second,
    and every ``grader`` command and judge imports this module.)"""
    import urllib.request

    class NoRedirects(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    return urllib.request.build_opener(NoRedirects)


def _origin(url: str) -> tuple[str, str]:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def _read(response: Any, limit: int, url: str) -> bytes:
    body = response.read(limit + 1)
    if len(body) > limit:
        raise TooLargeError("api error", f"the answer of {_shown(url)} is over {limit} bytes")
    return body


def _shown(url: str) -> str:
    """The URL without its query: a storage URL's query is its signature."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _failure(status: int, headers: Message, body: bytes, url: str) -> ApiError:
    """The ``ApiError`` of an answer with ``status`` (4xx or 5xx), from GitHub's own words."""
    try:
        said = str(json.loads(body).get("message", ""))
    except (ValueError, AttributeError):
        said = body[:200].decode("utf-8", "replace").strip()
    said = f": {said}" if said else ""
    where = f"{status} from {_shown(url)}{said}"
    remaining, retry = headers.get("X-RateLimit-Remaining"), headers.get("Retry-After")
    if status in (403, 429) and (remaining == "0" or retry is not None):
        reset = headers.get("X-RateLimit-Reset", "")
        when = (
            f"; it resets at {datetime.fromtimestamp(int(reset), UTC):%Y-%m-%d %H:%M UTC}"
            if reset.isdigit()
            else f"; retry after {retry} s"
            if retry
            else ""
        )
        return ApiError("rate limited", f"the API's rate limit was reached ({where}){when}", status)
    if status == 401:
        return ApiError("unauthorized", f"the token was refused ({where})", status)
    if status in (404, 410):
        return ApiError("not found", where, status)
    if status == 403:
        return ApiError("forbidden", f"the token may not read this ({where})", status)
    return ApiError("api error", where, status)


@dataclass(frozen=True)
class GitHubApi:
    """The REST API at ``base`` (``https://api.github.com``, or a GitHub Enterprise Server's
    ``https://HOST/api/v3``), read with ``token``."""

    base: str = DEFAULT_API
    token: str = ""

    def _headers(self, url: str) -> dict[str, str]:
        headers = {"User-Agent": f"dl-grader-kit/{__version__}"}
        if _origin(url) == _origin(self.base):
            headers["Accept"] = "application/vnd.github+json"
            headers["X-GitHub-Api-Version"] = API_VERSION
            if self.token:
                headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def _get(self, url: str, limit: int) -> bytes:
        """The body of ``url`` after its redirects, at most ``limit`` bytes."""
        import http.client
        import urllib.error
        import urllib.request

        for _ in range(MAX_REDIRECTS + 1):
            request = urllib.request.Request(url, headers=self._headers(url))
            try:
                with _opener().open(request, timeout=TIMEOUT) as response:
                    return _read(response, limit, url)
            except urllib.error.HTTPError as answer:
                with answer:
                    location = answer.headers.get("Location")
                    if answer.code in (301, 302, 303, 307, 308) and location:
                        url = self._next(url, location)
                        continue
                    raise _failure(answer.code, answer.headers, answer.read(4096), url) from None
            except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
                reason = getattr(error, "reason", error)
                raise ApiError("api error", f"no answer from {_shown(url)}: {reason}") from None
        raise ApiError("api error", f"more than {MAX_REDIRECTS} redirects from {_shown(url)}")

    def _next(self, url: str, location: str) -> str:
        """Where a redirect leads: http(s) only, and never from https down to http."""
        target = urllib.parse.urljoin(url, location)
        scheme = urllib.parse.urlsplit(target).scheme.lower()
        if scheme not in ("http", "https") or (_origin(url)[0] == "https" and scheme != "https"):
            raise ApiError("api error", f"{_shown(url)} redirects to {_shown(target)}: refused")
        return target

    def get_json(self, path: str, **params: str | int) -> Any:
        """The JSON answer of ``GET {base}{path}?params``."""
        url = self.base.rstrip("/") + path
        if params:
            url += "?" + urllib.parse.urlencode(params)
        body = self._get(url, MAX_JSON_BYTES)
        try:
            return json.loads(body)
        except ValueError:
            raise ApiError("api error", f"the answer of {_shown(url)} is not JSON") from None

    def download(self, path: str, limit: int) -> bytes:
        """The file ``GET {base}{path}`` leads to (through its redirect), at most ``limit``
        bytes."""
        return self._get(self.base.rstrip("/") + path, limit)
