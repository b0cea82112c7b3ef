"""Every language says everything English says, with the same fields; --lang picks one."""

import string
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from kit import SOLUTIONS

from grader.words import MESSAGES_DIR

LANGUAGES = sorted(path.stem for path in MESSAGES_DIR.glob("*.toml"))


def _flat(table: dict[str, Any], prefix: str = "") -> dict[str, str]:
    found: dict[str, str] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            found |= _flat(value, f"{prefix}{key}.")
        elif isinstance(value, list):
            found |= {f"{prefix}{key}[{i}]": item for i, item in enumerate(value)}
        else:
            found[f"{prefix}{key}"] = value
    return found


def _load(lang: str) -> dict[str, str]:
    with (MESSAGES_DIR / f"{lang}.toml").open("rb") as f:
        return _flat(tomllib.load(f))


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_korean_is_there() -> None:
    assert {"en", "ko"} <= set(LANGUAGES)


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_same_keys_and_fields_as_english(lang: str) -> None:
    english, other = _load("en"), _load(lang)
    assert other.keys() == english.keys()
    for key, text in english.items():
        assert _fields(other[key]) == _fields(text), key


def test_lang_option_gives_korean_feedback(tmp_path: Path) -> None:
    folder = tmp_path / "exercises"
    (folder / "ex01_activations").mkdir(parents=True)
    source = (SOLUTIONS / "ex01_activations" / "activations.py").read_text()
    (folder / "ex01_activations" / "activations.py").write_text(
        source + "\n\ndef softmax(x, axis=-1):\n    e = np.exp(x)\n"
        "    return e / np.sum(e, axis=axis, keepdims=True)\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "exercises", "-p", "no:cacheprovider", "--lang=ko"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "이런 실수로 보입니다 — softmax에서 오버플로가 발생함" in done.stdout, done.stdout
    assert "점수" in done.stdout and "연습문제" in done.stdout
