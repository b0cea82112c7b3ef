"""``grader doctor``: which walls this machine puts around a student's code, tried for real.

It starts one sandboxed process as ``grader grade`` does, on a probe of its own, and has it try
to read a reference solution, a hidden check and another submission (files it makes for the
purpose, hidden the way a grading run hides them). It prints each layer (active or missing,
what it protects, and the one command or setting that would enable it) and exits 0 only when
none of the three could be read.
"""

import os
import tempfile
import textwrap
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from grader.isolation.layers import LAYER_NAMES
from grader.isolation.policy import sandbox_policy
from grader.isolation.sandbox import POLICY_VARIABLE
from grader.judge.process import Submission

PROTECTS = {
    "namespaces": "a private view of the files (the reference, hidden checks, other submissions "
    "and the output folder hidden), no network, its own processes and /dev",
    "landlock": "an allow-list of files (Python, the student's folder, its working folder), "
    "no TCP, no signal out of the sandbox",
    "seccomp": "no network socket, ptrace, mount, new namespace, bpf, io_uring or keyring",
    "uid": "a uid of its own when grading as root: root's files, devices and processes out of "
    "reach",
    "cgroup": "hard limits the kernel enforces on memory (tmpfs, shared memory and memfds "
    "included) and processes, and an equal CPU share beside other sandboxes",
}
ENABLE = {
    "namespaces": "allow unprivileged user namespaces: `sudo sysctl -w "
    "kernel.apparmor_restrict_unprivileged_userns=0` (Ubuntu 23.10+), "
    "`sudo sysctl -w user.max_user_namespaces=15000`, or in Docker "
    "`--security-opt seccomp=unconfined`",
    "landlock": "boot a Linux 5.13+ kernel with Landlock in its LSM list, e.g. add "
    "`lsm=landlock,lockdown,yama,integrity,apparmor,bpf` to GRUB_CMDLINE_LINUX",
    "seccomp": "a Linux kernel with CONFIG_SECCOMP_FILTER on x86_64 or aarch64 (and no "
    "container profile that forbids installing filters)",
    "uid": "grade as root (`sudo grader ...`, or the container's root) with Python installed "
    "where other users may read it (not under /root)",
    "cgroup": "grade as root on a machine that mounts the cgroup v1 memory controller or "
    "cgroup v2 with the memory controller (in a container: `docker run --cgroupns=private` "
    "with a writable /sys/fs/cgroup, or Kubernetes' own limits on the pod)",
}
PROBE = textwrap.dedent(
    """
    def read(path):
        try:
            with open(path) as file:
                file.read(1)
            return "read"
        except OSError as error:
            return type(error).__name__
    """
)
TARGETS = ("reference", "hidden checks", "other submission")


def _policy(hidden: Sequence[Path], without: Sequence[str]) -> Any:
    policy = sandbox_policy(list(hidden))
    return replace(policy, **{("drop_uid" if n == "uid" else n): False for n in without})


def diagnose(without: Sequence[str] = ()) -> tuple[list[dict[str, Any]], dict[str, str], str]:
    """The layers a sandboxed probe reported, what it could read of each target, its level."""
    with tempfile.TemporaryDirectory(prefix="grader-doctor-") as tmp:
        root = Path(tmp)
        targets = {}
        for name, folder in zip(TARGETS, ("reference", "hidden", "submissions/other"), strict=True):
            (root / folder).mkdir(parents=True)
            targets[name] = root / folder / "secret.py"
            targets[name].write_text("SECRET = 1\n", encoding="utf-8")
        probe = root / "submissions" / "probe" / "probe.py"
        probe.parent.mkdir(parents=True)
        probe.write_text(PROBE, encoding="utf-8")
        hidden = [root / "reference", root / "hidden", root / "submissions" / "other"]
        saved = os.environ.get(POLICY_VARIABLE)
        os.environ[POLICY_VARIABLE] = _policy(hidden, without).to_json()
        submission = Submission(probe, timeout=60)
        try:
            reached = {}
            for name, path in targets.items():
                answer = submission.call("read", str(path))
                reached[name] = answer.error.kind if answer.error else str(answer.value)
            layers, level = submission.layers or [], submission.isolation
        finally:
            submission.close()
            if saved is None:
                os.environ.pop(POLICY_VARIABLE, None)
            else:
                os.environ[POLICY_VARIABLE] = saved
    return layers, reached, level


def report(layers: list[dict[str, Any]], reached: dict[str, str], level: str) -> tuple[str, int]:
    """The text ``grader doctor`` prints, and its exit code."""
    found = {str(layer.get("name")): layer for layer in layers}
    lines = [f"Isolation level: {level}", ""]
    for name in LAYER_NAMES:
        layer = found.get(name, {"active": False, "reason": "not reported"})
        mark = "active " if layer.get("active") else "MISSING"
        lines.append(f"  [{mark}] {name}: {layer.get('reason', '')}")
        lines.append(f"            protects: {PROTECTS[name]}")
        if not layer.get("active"):
            lines.append(f"            to enable: {ENABLE[name]}")
    lines.append("")
    leaked = [name for name in TARGETS if reached.get(name) == "read"]
    for name in TARGETS:
        outcome = reached.get(name, "not tried")
        said = "READ BY STUDENT CODE" if outcome == "read" else f"out of reach ({outcome})"
        lines.append(f"  {name}: {said}")
    lines.append("")
    if leaked or not reached:
        lines.append(
            "NOT SAFE: student code can read "
            + (", ".join(leaked) or "what it should not")
            + ". Marks given on this machine can be stolen; enable a layer above."
        )
        return "\n".join(lines), 1
    lines.append("Safe: the reference, hidden checks and other submissions are out of reach.")
    return "\n".join(lines), 0


def doctor(without: Sequence[str] = ()) -> int:
    text, code = report(*diagnose(without))
    print(text)
    return code
