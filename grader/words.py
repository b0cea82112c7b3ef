"""The words of feedback: which language, and each sentence from ``messages/<lang>.toml``."""

import os
import tomllib
from functools import cache
from typing import Any

from grader import PACKAGE_DIR, particles

MESSAGES_DIR = PACKAGE_DIR / "messages"


def language() -> str:
    """The language of feedback: ``GRADER_LANG`` (set by ``--lang``), else the locale's
    (``LC_ALL``, ``LC_MESSAGES``, ``LANG``: ``ko_KR.UTF-8`` gives ``ko``), when a messages file
    exists for it; else English."""
    candidates = [os.environ.get("GRADER_LANG", "")]
    candidates += [os.environ.get(name, "") for name in ("LC_ALL", "LC_MESSAGES", "LANG")]
    for value in candidates:
        code = value.split(".")[0].split("_")[0].lower()
        if code and (MESSAGES_DIR / f"{code}.toml").exists():
            return code
    return "en"


def languages() -> list[str]:
    """The languages feedback can be given in."""
    return sorted(path.stem for path in MESSAGES_DIR.glob("*.toml"))


@cache
def messages(lang: str) -> dict[str, Any]:
    with (MESSAGES_DIR / f"{lang}.toml").open("rb") as f:
        return tomllib.load(f)


def say(key: str, **fields: Any) -> str:
    """The sentence ``key`` (dotted, e.g. ``"status.timeout"``) with its fields filled in."""
    return say_in(language(), key, **fields)


def say_in(lang: str, key: str, **fields: Any) -> str:
    """``say`` in the language ``lang``, whatever the process's own (a batch's ``--lang``);
    in Korean, each particle in the form the word before it takes (``particles``)."""
    node: Any = messages(lang)
    for part in key.split("."):
        node = node[part]
    text = str(node).format(**fields)
    return particles.resolved(text) if lang == "ko" else text


def hints(exercise: str) -> list[str]:
    """The exercise's hints, gentlest first, in the feedback language."""
    return list(messages(language())["hints"][exercise])
