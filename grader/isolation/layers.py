"""Walls that need no namespaces, raised by a sandboxed child on itself before student code loads.

``raise_walls(policy, supervisor)`` runs in the child ``grader.isolation.sandbox.enter`` forks,
after the namespaces (where those exist) and before the student's module is imported:

- ``uid``: a grader running as root runs the student's code under an unprivileged uid and gid
  of its own (``SANDBOX_UID_BASE`` + its PID, no supplementary groups), so root's files, device
  nodes and other processes are out of its reach;
- ``landlock``: an allow-list file system (read-only: Python, its packages, the worker's
  runtime of the grader package, the student's folder, the few system files Python and
  TensorFlow read; read-write: the writable folders), no TCP bind or connect (Landlock ABI 4),
  and no signal or abstract socket reaching out of the sandbox (ABI 6);
- ``seccomp``: no socket but AF_UNIX, no ptrace, process_vm_*, mount, namespaces, keyrings,
  bpf, perf_event_open, userfaultfd or io_uring, no signal to the supervisor or to every process
  (``kill(-1)``), on every thread, with ``no_new_privs``.

Each wall reports whether it stood (``Layer``); one the kernel refuses leaves the others up.
"""

import contextlib
import ctypes
import ctypes.util
import errno
import os
import platform
import stat
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

SANDBOX_UID_BASE = 2**30
"""A root grader's sandboxes run as this uid (and gid) plus the child's PID: one of its own."""


@dataclass(frozen=True)
class Layer:
    """One wall and whether it stood."""

    name: str
    active: bool
    reason: str
    """What it holds off when active; why it is missing otherwise."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_PR_SET_NO_NEW_PRIVS = 38

# --- seccomp ---------------------------------------------------------------------------------
_SECCOMP_SET_MODE_FILTER = 1
_SECCOMP_FILTER_FLAG_TSYNC = 1
_RET_ALLOW = 0x7FFF0000
_RET_ERRNO = 0x00050000
_LD_W_ABS = 0x20
_JEQ_K = 0x15
_JGE_K = 0x35
_JSET_K = 0x45
_RET_K = 0x06
_AF_UNIX = 1
_NAMESPACE_FLAGS = 0x7E020080  # CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET|NEWTIME
_X32_BIT = 0x40000000

# fmt: off
_ARCHES: dict[str, dict[str, Any]] = {
    "x86_64": {
        "audit": 0xC000003E,
        "seccomp": 317,
        "landlock": (444, 445, 446),
        "calls": {
            "socket": 41, "clone": 56, "clone3": 435, "kill": 62, "tkill": 200, "tgkill": 234,
            "rt_sigqueueinfo": 129, "rt_tgsigqueueinfo": 297, "pidfd_open": 434,
            "ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311,
            "mount": 165, "umount2": 166, "unshare": 272, "setns": 308, "pivot_root": 155,
            "open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431,
            "fsmount": 432, "fspick": 433, "mount_setattr": 442,
            "keyctl": 250, "add_key": 248, "request_key": 249, "bpf": 321,
            "perf_event_open": 298, "userfaultfd": 323,
            "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
        },
    },
    "aarch64": {
        "audit": 0xC00000B7,
        "seccomp": 277,
        "landlock": (444, 445, 446),
        "calls": {
            "socket": 198, "clone": 220, "clone3": 435, "kill": 129, "tkill": 130,
            "tgkill": 131, "rt_sigqueueinfo": 138, "rt_tgsigqueueinfo": 240, "pidfd_open": 434,
            "ptrace": 117, "process_vm_readv": 270, "process_vm_writev": 271,
            "mount": 40, "umount2": 39, "unshare": 97, "setns": 268, "pivot_root": 41,
            "open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431,
            "fsmount": 432, "fspick": 433, "mount_setattr": 442,
            "keyctl": 219, "add_key": 217, "request_key": 218, "bpf": 280,
            "perf_event_open": 241, "userfaultfd": 282,
            "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
        },
    },
}
# fmt: on
DENIED_CALLS = (
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "mount",
    "umount2",
    "unshare",
    "setns",
    "pivot_root",
    "open_tree",
    "move_mount",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "mount_setattr",
    "keyctl",
    "add_key",
    "request_key",
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
)  # fmt: skip
"""System calls a student's process gets EPERM for, whatever their arguments."""


def _arch() -> dict[str, Any] | None:
    return _ARCHES.get(platform.machine()) if sys.platform.startswith("linux") else None


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)


class _Filter:
    """A classic BPF program, assembled instruction by instruction; jumps to the two returns
    at the end (``deny`` and ``allow``) are resolved when it is built."""

    def __init__(self) -> None:
        self.code: list[tuple[int, Any, Any, int]] = []

    def load(self, offset: int) -> None:
        self.code.append((_LD_W_ABS, 0, 0, offset))

    def jump(self, op: int, value: int, true: Any = 0, false: Any = 0) -> None:
        self.code.append((op, true, false, value & 0xFFFFFFFF))

    def build(self, denied_errno: int) -> Any:
        end = len(self.code)
        returns = {"deny": end, "allow": end + 1, "enosys": end + 2}
        program = []
        for index, (op, true, false, value) in enumerate(self.code):
            targets = [returns[t] - index - 1 if isinstance(t, str) else t for t in (true, false)]
            program.append((op, *targets, value))
        program += [
            (_RET_K, 0, 0, _RET_ERRNO | denied_errno),
            (_RET_K, 0, 0, _RET_ALLOW),
            (_RET_K, 0, 0, _RET_ERRNO | errno.ENOSYS),
        ]
        filters = (_SockFilter * len(program))(*[_SockFilter(*i) for i in program])
        return _SockFprog(len(program), filters)


class _SockFilter(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_uint16),
        ("jt", ctypes.c_uint8),
        ("jf", ctypes.c_uint8),
        ("k", ctypes.c_uint32),
    ]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_uint16), ("filter", ctypes.POINTER(_SockFilter))]


def _argument(index: int) -> int:
    """The offset of an argument's low 32 bits in ``struct seccomp_data`` (little-endian)."""
    return 16 + 8 * index


def seccomp_program(arch: dict[str, Any], supervisor: int) -> Any:
    """The filter: EPERM for ``DENIED_CALLS``, sockets but AF_UNIX, namespaces through clone,
    signals to the supervisor (its PID or group) or to every process; ENOSYS for clone3, whose
    flags a filter cannot read (the C library then uses clone); every other call allowed. A
    call made under another architecture's numbering (x32, int 0x80) is denied outright."""
    calls = arch["calls"]
    f = _Filter()
    f.load(4)  # arch
    f.jump(_JEQ_K, arch["audit"], 0, "deny")
    f.load(0)  # nr
    if platform.machine() == "x86_64":
        f.jump(_JGE_K, _X32_BIT, "deny", 0)
    for name in DENIED_CALLS:
        f.jump(_JEQ_K, calls[name], "deny", 0)
    f.jump(_JEQ_K, calls["clone3"], "enosys", 0)
    # socket(family, ...): only AF_UNIX
    f.jump(_JEQ_K, calls["socket"], 0, 2)
    f.load(_argument(0))
    f.jump(_JEQ_K, _AF_UNIX, "allow", "deny")
    # clone(flags, ...): no new namespace
    f.jump(_JEQ_K, calls["clone"], 0, 2)
    f.load(_argument(0))
    f.jump(_JSET_K, _NAMESPACE_FLAGS, "deny", "allow")
    # kill(pid, ...), rt_sigqueueinfo(pid, ...): not -1, the supervisor or its group
    for name in ("kill", "rt_sigqueueinfo"):
        f.jump(_JEQ_K, calls[name], 0, 4)
        f.load(_argument(0))
        f.jump(_JEQ_K, -1, "deny", 0)
        f.jump(_JEQ_K, supervisor, "deny", 0)
        f.jump(_JEQ_K, -supervisor, "deny", "allow")
    # tkill(tid, ...), tgkill(tgid, ...), rt_tgsigqueueinfo(tgid, ...), pidfd_open(pid, ...)
    for name in ("tkill", "tgkill", "rt_tgsigqueueinfo", "pidfd_open"):
        f.jump(_JEQ_K, calls[name], 0, 2)
        f.load(_argument(0))
        f.jump(_JEQ_K, supervisor, "deny", "allow")
    f.jump(_JEQ_K, 0, "allow", "allow")
    return f.build(errno.EPERM)


def _no_new_privs(libc: ctypes.CDLL) -> bool:
    return libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0


def apply_seccomp(supervisor: int) -> Layer:
    """Install the filter on every thread of this process (``SECCOMP_FILTER_FLAG_TSYNC``)."""
    arch = _arch()
    if arch is None:
        return Layer("seccomp", False, f"no filter for {platform.machine()} on {sys.platform}")
    libc = _libc()
    if not _no_new_privs(libc):
        return Layer("seccomp", False, f"no_new_privs: {os.strerror(ctypes.get_errno())}")
    program = seccomp_program(arch, supervisor)
    libc.syscall.restype = ctypes.c_long
    result = libc.syscall(
        ctypes.c_long(arch["seccomp"]),
        ctypes.c_long(_SECCOMP_SET_MODE_FILTER),
        ctypes.c_long(_SECCOMP_FILTER_FLAG_TSYNC),
        ctypes.byref(program),
    )
    if result != 0:
        error = ctypes.get_errno()
        return Layer("seccomp", False, f"the kernel refused the filter: {os.strerror(error)}")
    return Layer(
        "seccomp", True, "no network socket, ptrace, mount, namespace, bpf or io_uring call"
    )


# --- Landlock --------------------------------------------------------------------------------
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1
_FS_EXECUTE = 1 << 0
_FS_WRITE_FILE = 1 << 1
_FS_READ_FILE = 1 << 2
_FS_READ_DIR = 1 << 3
_FS_REFER = 1 << 13
_FS_TRUNCATE = 1 << 14
_FS_IOCTL_DEV = 1 << 15
_NET_BIND_TCP = 1 << 0
_NET_CONNECT_TCP = 1 << 1
_SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0
_SCOPE_SIGNAL = 1 << 1
_FILE_RIGHTS = _FS_EXECUTE | _FS_WRITE_FILE | _FS_READ_FILE | _FS_TRUNCATE | _FS_IOCTL_DEV
READ = _FS_EXECUTE | _FS_READ_FILE | _FS_READ_DIR
LIST = _FS_READ_DIR
WRITE = -1
"""All the rights the ruleset handles (a writable folder)."""
DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")
SYSTEM_FOLDERS = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc")
"""Read-only: the shared libraries, ``ld.so.cache`` and the programs a student may run. Not
``/opt``, where other courses and tools live: a Python installed there is allowed as Python."""
SYSTEM_FILES = (
    "/proc/cpuinfo", "/proc/meminfo", "/proc/stat", "/proc/filesystems", "/proc/sys/kernel",
    "/proc/sys/vm/overcommit_memory", "/sys/devices/system/cpu", "/sys/devices/system/node",
    "/sys/fs/cgroup",
)  # fmt: skip
"""Read-only: what Python, NumPy and TensorFlow read of the kernel's files (CPU count, memory)."""


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def landlock_abi() -> int:
    """The kernel's Landlock ABI version; 0 when it has none (or it is disabled)."""
    arch = _arch()
    if arch is None:
        return 0
    libc = _libc()
    libc.syscall.restype = ctypes.c_long
    version = libc.syscall(
        ctypes.c_long(arch["landlock"][0]), None, ctypes.c_long(0),
        ctypes.c_long(_CREATE_RULESET_VERSION),
    )  # fmt: skip
    return max(int(version), 0)


def _handled_fs(abi: int) -> int:
    rights = (1 << 13) - 1
    if abi >= 2:
        rights |= _FS_REFER
    if abi >= 3:
        rights |= _FS_TRUNCATE
    if abi >= 5:
        rights |= _FS_IOCTL_DEV
    return rights


def _beneath(path: str, folder: str) -> bool:
    return path != folder and path.startswith(folder.rstrip("/") + "/")


def _expand(rules: Iterable[tuple[str, int]], hidden: Iterable[str]) -> list[tuple[str, int]]:
    """Rules that grant nothing inside a hidden folder: a granted folder holding one is only
    listed, its other entries granted one by one (Landlock rights reach everything beneath).
    As in the namespace view, the innermost wins: Python inside hidden ``/root`` stays."""
    hidden = [os.path.realpath(h) for h in hidden]
    found: list[tuple[str, int]] = []
    pending = list(rules)
    while pending:
        path, rights = pending.pop()
        if path in hidden:  # beneath a hidden folder, a rule is the innermost: it wins
            continue
        inside = [h for h in hidden if _beneath(h, path)]
        if not inside or not os.path.isdir(path):
            found.append((path, rights))
            continue
        found.append((path, LIST))
        with contextlib.suppress(OSError):
            pending += [(os.path.join(path, name), rights) for name in os.listdir(path)]
    return found


def apply_landlock(
    rules: Iterable[tuple[str, int]],
    hidden: Iterable[str],
    kept: Iterable[tuple[str, int]] = (),
) -> Layer:
    """Restrict this (single-threaded) process to ``rules`` (path, ``READ``/``LIST``/``WRITE``)
    with nothing granted inside ``hidden``, then ``kept`` as they are (the worker's runtime
    inside the hidden grader package)."""
    abi = landlock_abi()
    if abi < 1:
        return Layer("landlock", False, "the kernel has no Landlock (Linux 5.13+, lsm=landlock)")
    if len(os.listdir("/proc/self/task")) != 1:
        return Layer("landlock", False, "the process already runs threads")
    arch = _arch()
    assert arch is not None
    create, add_rule, restrict = arch["landlock"]
    handled = _handled_fs(abi)
    attr = _RulesetAttr(handled, _NET_BIND_TCP | _NET_CONNECT_TCP if abi >= 4 else 0, 0)
    if abi >= 6:
        attr.scoped = _SCOPE_ABSTRACT_UNIX_SOCKET | _SCOPE_SIGNAL
    size = ctypes.sizeof(_RulesetAttr) if abi >= 6 else 16 if abi >= 4 else 8
    libc = _libc()
    libc.syscall.restype = ctypes.c_long
    ruleset = libc.syscall(ctypes.c_long(create), ctypes.byref(attr), ctypes.c_long(size), 0)
    if ruleset < 0:
        return Layer("landlock", False, f"no ruleset: {os.strerror(ctypes.get_errno())}")
    try:
        for path, rights in [*_expand(rules, hidden), *kept]:
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                allowed = handled if rights == WRITE else rights
                if not os.path.isdir(f"/proc/self/fd/{fd}"):
                    allowed &= _FILE_RIGHTS
                beneath = _PathBeneath(allowed & handled, fd)
                libc.syscall(
                    ctypes.c_long(add_rule), ctypes.c_long(ruleset),
                    ctypes.c_long(_RULE_PATH_BENEATH), ctypes.byref(beneath), ctypes.c_long(0),
                )  # fmt: skip
            finally:
                os.close(fd)
        if not _no_new_privs(libc):
            return Layer("landlock", False, f"no_new_privs: {os.strerror(ctypes.get_errno())}")
        if libc.syscall(ctypes.c_long(restrict), ctypes.c_long(ruleset), ctypes.c_long(0)) != 0:
            return Layer("landlock", False, f"refused: {os.strerror(ctypes.get_errno())}")
    finally:
        os.close(ruleset)
    network = "no TCP" if abi >= 4 else "TCP still open (Landlock ABI < 4)"
    signals = ", no signal out of the sandbox" if abi >= 6 else ""
    return Layer("landlock", True, f"ABI {abi}: only the allowed folders, {network}{signals}")


# --- uid -------------------------------------------------------------------------------------
def sandbox_uid(pid: int) -> int:
    """The uid (and gid) a root grader's sandbox runs as: one no other process has."""
    return SANDBOX_UID_BASE + pid


def host_root() -> bool:
    """Whether this process is root of the host (of the first user namespace), not merely
    of a user namespace of its own."""
    if os.geteuid() != 0:
        return False
    try:
        with open("/proc/self/uid_map") as file:
            first = file.read().split()
    except OSError:
        return True  # no user namespaces at all
    return first[:3] == ["0", "0", "4294967295"]


def closed_to_others(path: str, listed: bool = True) -> str | None:
    """The first folder on the way to ``path`` (itself included, when it must be ``listed``;
    else only the folders above it) that a user other than its owner cannot cross."""
    folder, needs = os.path.realpath(path), 0o005
    if not listed:
        folder, needs = os.path.dirname(folder), 0o001
    while True:
        with contextlib.suppress(OSError):
            mode = os.stat(folder).st_mode
            if stat.S_ISDIR(mode) and mode & needs != needs:
                return folder
        needs = 0o001
        if folder == "/":
            return None
        folder = os.path.dirname(folder)


def drop_root(writable: Iterable[str], uid: int, needed: Iterable[str] = ()) -> Layer:
    """As root: hand the writable folders to the sandbox's own ``uid``, then become it (no
    supplementary groups). As anyone else, or when a folder in ``needed`` (Python's, the
    student's) lies beyond one only root may cross, it stays as it is."""
    if not host_root():
        return Layer("uid", False, "the grader does not run as root: the sandbox keeps its uid")
    writable = list(writable)
    reached = [(f, True) for f in needed if f not in writable]
    reached += [(f, False) for f in writable]  # handed to the uid: only the way there counts
    for folder, listed in reached:
        if blocked := closed_to_others(folder, listed):
            return Layer("uid", False, f"{blocked} is closed to other users, and {folder} needs it")
    for folder in writable:
        for root, folders, files in os.walk(folder):
            for name in (root, *(os.path.join(root, n) for n in (*folders, *files))):
                with contextlib.suppress(OSError):
                    os.lchown(name, uid, uid)
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    return Layer("uid", True, f"uid {uid}: no root file, device or process within reach")


# --- in the judge: what the children reported --------------------------------------------------
LAYER_NAMES = ("namespaces", "landlock", "seccomp", "uid", "cgroup")
HIDING_LAYERS = ("namespaces", "landlock", "uid")
"""Layers that, standing, keep the kit's reference, hidden checks and other submissions out of
the student's reach (the uid only as root, where those are root's and closed to others)."""


def weakest_layers(reports: Iterable[list[dict[str, Any]] | None]) -> list[dict[str, Any]]:
    """One entry per layer: active only if it stood in every child of the run; the reason of
    the first child that lacked it (a child that reported nothing lacked them all)."""
    merged: dict[str, dict[str, Any]] = {}
    for report in reports:
        found = {str(layer.get("name")): layer for layer in report or []}
        for name in LAYER_NAMES:
            layer = found.get(name, {"active": False, "reason": "not reported"})
            entry = {
                "name": name,
                "active": bool(layer.get("active")),
                "reason": str(layer.get("reason", "")),
            }
            if name not in merged or (merged[name]["active"] and not entry["active"]):
                merged[name] = entry
    return [
        merged.get(n, {"name": n, "active": False, "reason": "no child ran"}) for n in LAYER_NAMES
    ]


def active_names(layers: Iterable[dict[str, Any]]) -> list[str]:
    return [str(layer["name"]) for layer in layers if layer.get("active")]


def hides_kit(layers: Iterable[dict[str, Any]]) -> bool:
    """Whether a layer that stood hides the kit's reference and hidden checks."""
    return any(name in HIDING_LAYERS for name in active_names(layers))
