"""``grader hint EXERCISE``: the exercise's hints one at a time, the first gentle, the last
close to the answer. Which hint comes next is remembered in ``.grader/hints.json``."""

import json
from pathlib import Path

from grader.catalog import exercise
from grader.words import hints, say

STATE = Path(".grader") / "hints.json"


def _shown(state: Path) -> dict[str, int]:
    try:
        data = json.loads(state.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): int(v) for k, v in data.items() if isinstance(v, int)}


def show(name: str, *, state: Path = STATE, all_shown: bool = False, reset: bool = False) -> str:
    """The next hint of ``name`` (or all shown so far), and remember it."""
    exercise(name)  # a KeyError that lists the exercises, for a wrong name
    texts = hints(name)
    seen = _shown(state)
    if reset:
        seen.pop(name, None)
    count = seen.get(name, 0)
    if not all_shown or count == 0:
        count = min(count + 1, len(texts))
    seen[name] = count
    state.parent.mkdir(parents=True, exist_ok=True)
    state.write_text(json.dumps(seen, indent=2), encoding="utf-8")
    shown = range(count - 1, count) if not all_shown else range(count)
    lines = []
    for i in shown:
        lines += [say("hint.shown", number=i + 1, total=len(texts), exercise=name), texts[i], ""]
    lines.append(say("hint.more", exercise=name) if count < len(texts) else say("hint.last"))
    return "\n".join(lines)
