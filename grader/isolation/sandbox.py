"""The walls around a student's code when the grader judges someone else's work (Linux).

``enter(policy, status)`` is called by a fresh, single-threaded process before any student
code is loaded. Where the kernel allows it, the process moves into new user, mount, PID,
network, IPC and UTS namespaces, then forks: the parent stays outside as the *supervisor*,
the child becomes PID 1 of the new PID namespace and returns from ``enter`` to run the
student's code. Inside:

- the whole file system is read-only; ``/tmp`` (and the other temporary folders) are new and
  empty, so other students' staged files and the grader's temporary files are out of sight;
- the folders in ``policy.hide`` (the kit's solutions, hidden checks, the submissions, the
  output folder) are covered by empty, read-only folders;
- only the folders in ``policy.visible`` (read-only) and ``policy.writable`` show through;
- there is no network (a new network namespace has no interface up), ``/proc`` shows only
  the sandbox's own processes, every capability is dropped and ``no_new_privs`` is set;
- memory, CPU time, processes and file size are limited.

When the supervisor is told to stop (SIGTERM, or its parent dies), it kills PID 1, and the
kernel kills every process left in the namespace: a double fork, ``setsid`` or a process
that ignores SIGTERM escapes nothing.

A grader running as root needs no user namespace: the same namespaces are made without one,
and the child drops to a uid of its own (``grader.isolation.layers.drop_root``). ``/dev`` holds
only null, zero, full, random and urandom, and every mount is ``nodev``, ``nosuid``.

Where namespaces are not available (macOS, a container without user namespaces), the level
is ``process``: resource limits, a scrubbed environment and a session of its own. Either way,
the child then raises the walls that need no namespaces (``grader.isolation.layers``: the uid,
Landlock, seccomp) before it loads student code, and reports each layer on the status pipe
(``layers <json>``); the report lists them (``isolation.layers``), and ``grader doctor`` says
which this machine gives.
"""

import contextlib
import ctypes
import ctypes.util
import json
import os
import signal
import sys
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

from grader import GRADER_ROOT, PACKAGE_DIR
from grader.isolation.cgroups import Cgroup, CgroupError, missing_layer
from grader.isolation.layers import (
    DEVICES,
    READ,
    SYSTEM_FILES,
    SYSTEM_FOLDERS,
    WRITE,
    Layer,
    apply_landlock,
    apply_seccomp,
    closed_to_others,
    drop_root,
    host_root,
    landlock_abi,
    sandbox_uid,
)

OUTPUT_LIMIT_BYTES = 64 * 1024 * 1024
"""The largest file a student's process may write (its printed output included)."""
PRIVATE_FOLDERS = ("/root", "/home", "/run", "/mnt", "/media", "/srv", "/var/lib", "/var/log")
"""Always hidden: users' homes, sockets of running services (D-Bus, Docker), mounted media,
services' data. Python or the grader installed under one of them still shows through."""
PRIVATE_FILES = ("/etc/shadow", "/etc/gshadow", "/etc/sudoers")
"""Always replaced by an empty file."""
MEMORY_EXIT = 120
"""The supervisor's exit code when the sandbox's processes together used too much memory."""
DISK_EXIT = 121
"""The supervisor's exit code when the sandbox wrote too much into its folders."""
PROCESS_EXIT = 122
"""The supervisor's exit code when the sandbox, without a cgroup, ran too many processes."""
POLICY_VARIABLE = "GRADER_SANDBOX"
"""The judge's environment variable holding the ``Policy`` (JSON) its children must use."""

_CLONE_NEWNS = 0x00020000
_CLONE_NEWUTS = 0x04000000
_CLONE_NEWIPC = 0x08000000
_CLONE_NEWUSER = 0x10000000
_CLONE_NEWPID = 0x20000000
_CLONE_NEWNET = 0x40000000
_MS_RDONLY = 0x1
_MS_NOSUID = 0x2
_MS_NODEV = 0x4
_MS_NOEXEC = 0x8
_MS_REMOUNT = 0x20
_MS_NOATIME = 0x400
_MS_NODIRATIME = 0x800
_MS_BIND = 0x1000
_MS_REC = 0x4000
_MS_PRIVATE = 0x40000
_MS_RELATIME = 0x200000
_MS_STRICTATIME = 0x1000000
_KEPT_FLAGS = {
    "nosuid": _MS_NOSUID,
    "nodev": _MS_NODEV,
    "noexec": _MS_NOEXEC,
    "noatime": _MS_NOATIME,
    "nodiratime": _MS_NODIRATIME,
    "relatime": _MS_RELATIME,
    "strictatime": _MS_STRICTATIME,
}
"""Mount flags a user namespace may not clear when it remounts: kept as they are."""
_PR_SET_PDEATHSIG = 1
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_CHILD_SUBREAPER = 36
_CAPABILITY_VERSION_3 = 0x20080522
_PID_MAX_MIN = 301
_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_WATCH_SECONDS = 0.1
_PROC_FLAGS = _MS_NOSUID | _MS_NODEV | _MS_NOEXEC


@dataclass(frozen=True)
class Policy:
    """What a sandboxed child may see and use."""

    hide: tuple[str, ...] = ()
    """Folders covered by an empty read-only folder (solutions, hidden checks, output)."""
    visible: tuple[str, ...] = ()
    """Folders that stay readable even inside a hidden or temporary folder."""
    writable: tuple[str, ...] = ()
    """Folders that stay writable (the child's working folder)."""
    private_tmp: bool = True
    """Replace the temporary folders (``/tmp`` and the like) with new empty ones."""
    temporary: tuple[str, ...] = ()
    """More temporary folders to replace: the judge's own, where submissions are staged."""
    memory_bytes: int = 8 * 2**30
    """Address space (TensorFlow alone reserves about 2 GiB of it)."""
    cpu_seconds: int = 900
    processes: int = 512
    """Threads and processes together (TensorFlow starts dozens of threads)."""
    open_files: int = 1024
    memory_total_bytes: int = 6 * 2**30
    """Memory of all the sandbox's processes together, tmpfs files and memfds included: the
    kernel's limit where the sandbox has a cgroup, else checked 10 times a second."""
    disk_bytes: int = 256 * 2**20
    """Bytes in the writable folders together (checked 10 times a second)."""
    namespaces: bool = True
    """False: the ``process`` level only, as on a machine without namespaces (for tests)."""
    landlock: bool = True
    """False: no Landlock layer, as on a kernel without it (for tests and ``grader doctor``)."""
    seccomp: bool = True
    """False: no seccomp layer, as on a kernel without it."""
    cgroup: bool = True
    """False: no cgroup of its own, as on a machine that gives the grader none (for tests)."""
    drop_uid: bool = True
    """False: a root grader's sandbox keeps root's uid, as when the grader is not root."""
    sandbox_uid: int = 0
    """The uid (and gid) a root grader's sandbox drops to; 0: one derived from its PID."""
    show_grader: bool = False
    """Show the whole grader package (a grader-only process). A student's process sees only
    the runtime it needs: ``grader/__init__.py``, ``grader/protocol.py`` and
    ``grader/worker/``; the checks, the judge, the recorded values and the rest are hidden."""

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> "Policy":
        fields = json.loads(text)
        for name in ("hide", "visible", "writable", "temporary"):
            fields[name] = tuple(fields.get(name, ()))
        return cls(**fields)


def requested() -> Policy | None:
    """The policy the judge was asked to apply to its children (``GRADER_SANDBOX``), if any."""
    text = os.environ.get(POLICY_VARIABLE)
    return Policy.from_json(text) if text else None


class SandboxError(OSError):
    """A namespace step the kernel refused."""


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        error = ctypes.get_errno()
        raise SandboxError(error, f"{what}: {os.strerror(error)}")


def _c_string(text: str | None) -> bytes | None:
    return None if text is None else text.encode()


def _mount(
    libc: ctypes.CDLL,
    source: str | None,
    target: str,
    fstype: str | None,
    flags: int,
    data: str | None = None,
) -> None:
    arguments = (_c_string(source), _c_string(target), _c_string(fstype))
    _check(libc.mount(*arguments, flags, _c_string(data)), f"mount {target}")


def _mounts() -> list[tuple[str, int]]:
    """Every mount point, parents first, with the flags a remount must keep."""
    found = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields = line.split()
        point = fields[4].encode().decode("unicode_escape")
        flags = 0
        for option in fields[5].split(","):
            flags |= _KEPT_FLAGS.get(option, 0)
        found.append((point, flags))
    return found


def _temporary_folders(policy: Policy) -> list[str]:
    """The temporary folders to replace: the usual ones and the judge's, outermost only."""
    candidates = {Path(f) for f in ("/tmp", "/var/tmp", "/dev/shm", *policy.temporary)}
    found = [c.resolve() for c in candidates if c.is_dir()]
    return sorted(str(f) for f in found if not any(o != f and o in f.parents for o in found))


def _write(path: str, text: str) -> None:
    with open(path, "w") as file:
        file.write(text)


def _unshare(libc: ctypes.CDLL) -> bool:
    """Move into new namespaces, as root of a user namespace mapped to this user; False when
    the kernel refuses (nothing has changed then). Root needs no user namespace (and must not
    have one: its uid 0 would map to root), its child drops to a uid of its own instead."""
    uid, gid = os.getuid(), os.getgid()
    flags = _CLONE_NEWNS | _CLONE_NEWPID | _CLONE_NEWNET | _CLONE_NEWIPC | _CLONE_NEWUTS
    if host_root():
        return libc.unshare(flags) == 0
    if libc.unshare(flags | _CLONE_NEWUSER) != 0:
        return False
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"0 {uid} 1")
    _write("/proc/self/gid_map", f"0 {gid} 1")
    return True


DEVICE_LINKS = {
    "/dev/fd": "/proc/self/fd",
    "/dev/stdin": "/proc/self/fd/0",
    "/dev/stdout": "/proc/self/fd/1",
    "/dev/stderr": "/proc/self/fd/2",
}

WORKER_RUNTIME = ("__init__.py", "protocol.py", "worker")
"""What a student's process sees of the grader package (``Policy.show_grader`` False)."""


def _python_folders() -> set[str]:
    """Folders the student's process needs to go on importing: Python's and the packages'."""
    root = os.path.realpath(GRADER_ROOT)
    folders = {sys.prefix, sys.base_prefix}
    # Not the kit's checkout itself (on sys.path for the grader): its .git holds the solutions.
    folders |= {p for p in sys.path if os.path.isabs(p) and os.path.isdir(p)} - {root}
    return {os.path.realpath(f) for f in folders}


def _grader_rules(policy: Policy) -> tuple[list[tuple[str, str]], dict[str, bytes]]:
    """The rules for the grader package, and the files to copy into its cover: all of it
    for a grader-only process, else only the worker's runtime (``WORKER_RUNTIME``)."""
    package = os.path.realpath(PACKAGE_DIR)
    if policy.show_grader:
        return [(package, "read")], {}
    rules = [(package, "hide")]
    copies = {}
    for name in WORKER_RUNTIME:
        path = os.path.join(package, name)
        if os.path.isdir(path):
            rules.append((path, "read"))
        else:
            with open(path, "rb") as file:
                copies[path] = file.read()
    return rules, copies


def _depth(path: str) -> int:
    return len(Path(path).parts)


def _build_view(policy: Policy, libc: ctypes.CDLL) -> None:
    """The file system the student's code sees; runs in the supervisor before it forks.

    Every folder rule becomes a mount, the outermost first, so that the innermost rule wins:
    a kept folder inside a temporary or hidden one shows through it, and a hidden folder
    inside a kept one (the kit's solutions beside the grader) stays hidden.
    """
    cwd = os.getcwd()
    rules: list[tuple[str, str]] = []  # (path, "temporary" | "hide" | "read" | "write")
    if policy.private_tmp:
        rules += [(f, "temporary") for f in _temporary_folders(policy)]
    temporary = {path for path, _ in rules}
    hidden = {os.path.realpath(f) for f in (*policy.hide, *PRIVATE_FOLDERS) if os.path.isdir(f)}
    rules += [(path, "hide") for path in sorted(hidden - temporary)]
    rules += [(f, "read") for f in _python_folders()]
    grader_rules, copies = _grader_rules(policy)
    rules += grader_rules
    rules += [(os.path.realpath(f), "read") for f in policy.visible]
    rules += [(os.path.realpath(f), "write") for f in policy.writable]
    # Folders that show through, opened before anything covers them.
    rules = list(dict(rules).items())  # one rule per folder: the last given (write over read)
    rules.append(("/dev", "devices"))
    sources = {
        path: os.open(path, os.O_PATH | os.O_DIRECTORY)
        for path, kind in rules
        if kind in ("read", "write")
    }
    devices = {name: os.open(name, os.O_PATH) for name in DEVICES if os.path.exists(name)}
    devices_mount = max((p for p, _ in _mounts() if Path("/dev/null").is_relative_to(p)), key=len)
    _mount(libc, None, "/", None, _MS_REC | _MS_PRIVATE)
    for point, kept in _mounts():
        try:
            # No device node and no set-uid program anywhere, but the ones /dev keeps (under
            # the minimal /dev mounted below).
            nodev = _MS_NODEV if point != devices_mount else 0
            flags = _MS_REMOUNT | _MS_BIND | _MS_RDONLY | _MS_NOSUID | nodev | kept
            _mount(libc, None, point, None, flags)
        except (SandboxError, FileNotFoundError):
            if point == "/":
                raise
    covers, sealed = [], []
    for path, kind in sorted(rules, key=lambda rule: _depth(rule[0])):
        if not os.path.isdir(path):  # inside a temporary or hidden folder mounted just before
            top = path
            while not os.path.isdir(os.path.dirname(top)):
                top = os.path.dirname(top)
            if kind in ("read", "hide") and top != path:
                sealed.append(top)  # e.g. a kit's checkout in /tmp: not a folder to write in
            os.makedirs(path)
        if kind == "devices":
            _mount(libc, "tmpfs", path, "tmpfs", _MS_NOSUID | _MS_NOEXEC, "mode=0755,size=1m")
            for name, fd in devices.items():
                with open(name, "w"):
                    pass
                _mount(libc, f"/proc/self/fd/{fd}", name, None, _MS_BIND)
                os.close(fd)
            for name, target in DEVICE_LINKS.items():
                os.symlink(target, name)
            covers.append(path)
        elif kind == "temporary":
            _mount(libc, "tmpfs", path, "tmpfs", _MS_NOSUID | _MS_NODEV, "mode=1777,size=256m")
        elif kind == "hide":
            _mount(libc, "tmpfs", path, "tmpfs", _MS_NOSUID | _MS_NODEV, "mode=0755,size=1m")
            covers.append(path)
        else:
            _mount(libc, f"/proc/self/fd/{sources[path]}", path, None, _MS_BIND | _MS_REC)
            readonly = _MS_RDONLY if kind == "read" else 0
            flags = _MS_REMOUNT | _MS_BIND | readonly | _MS_NOSUID | _MS_NODEV
            _mount(libc, None, path, None, flags)
    for path in PRIVATE_FILES:
        if os.path.isfile(path):
            _mount(libc, "/dev/null", path, None, _MS_BIND)
    targets = {path for path, _ in rules}
    for path in sealed:
        if path not in targets:
            _mount(libc, path, path, None, _MS_BIND | _MS_REC)
            _mount(libc, None, path, None, _MS_REMOUNT | _MS_BIND | _MS_RDONLY | _MS_NOSUID)
    for path, content in copies.items():  # the worker's runtime files, in the package's cover
        with open(path, "wb") as file:
            file.write(content)
    for path in covers:  # empty but for the folders kept inside: read-only from now on
        _mount(libc, None, path, None, _MS_REMOUNT | _MS_RDONLY | _MS_NOSUID | _MS_NODEV)
    for fd in sources.values():
        os.close(fd)
    os.chdir(cwd)  # the working folder as the new view shows it


def _become_pid_one(policy: Policy, libc: ctypes.CDLL) -> None:
    """In the child: a /proc of its own, a cap on process IDs, then no capabilities and no
    way to gain any."""
    _mount(libc, "proc", "/proc", "proc", _PROC_FLAGS)
    # RLIMIT_NPROC does not bind a sandbox of root's; a PID namespace's own pid_max (Linux
    # 6.14 and later) does, for every user.
    with contextlib.suppress(OSError):
        _write("/proc/sys/kernel/pid_max", str(max(policy.processes, _PID_MAX_MIN)))
    if not host_root():  # in a user namespace of its own (root's is the host's: seccomp)
        # No nested user namespace, where the student's code would be root of its own mounts
        # (an unlimited tmpfs) again.
        with contextlib.suppress(OSError):
            _write("/proc/sys/user/max_user_namespaces", "0")
    # Read-only from here: no sysctl, no /proc/self knob is the student's to turn.
    _mount(libc, None, "/proc", None, _MS_REMOUNT | _MS_BIND | _MS_RDONLY | _PROC_FLAGS)


def _drop_capabilities(libc: ctypes.CDLL) -> None:
    """No capabilities and no way to gain any."""
    _check(libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    header = (ctypes.c_uint32 * 2)(_CAPABILITY_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()
    _check(libc.capset(header, data), "capset")


def _limit(policy: Policy) -> None:
    import resource

    limits = {
        resource.RLIMIT_AS: policy.memory_bytes,
        resource.RLIMIT_CPU: policy.cpu_seconds,
        resource.RLIMIT_NPROC: policy.processes,
        resource.RLIMIT_NOFILE: policy.open_files,
        resource.RLIMIT_FSIZE: OUTPUT_LIMIT_BYTES,
        resource.RLIMIT_CORE: 0,
    }
    for kind, value in limits.items():
        _, hard = resource.getrlimit(kind)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(kind, (value, value))


def die_with_parent(signum: int = signal.SIGKILL) -> None:
    """Have the kernel send ``signum`` to this process when its parent ends (Linux)."""
    if sys.platform.startswith("linux"):
        _libc().prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0)


def _orphans() -> list[int]:
    """Processes whose parent is this one (the supervisor adopts its sandbox's orphans)."""
    me, found = os.getpid(), []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                stat = (entry / "stat").read_text()
                if int(stat[stat.rindex(")") + 2 :].split()[1]) == me:
                    found.append(int(entry.name))
    return found


def _kill_adopted() -> None:
    """Kill and reap every process this supervisor adopted, until none is left."""
    while found := _orphans():
        for pid in found:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for pid in found:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)


def _sandbox_pids(level: str) -> list[int] | None:
    """The sandbox's processes, None until PID 1 has mounted the sandbox's own /proc. In
    namespaces that /proc shows only them; at the ``process`` level they are this supervisor's
    descendants (a subreaper: the orphans among them come to it)."""
    if level == "namespaces":
        if os.path.exists("/proc/self"):  # still the host's /proc
            return None
        return [int(name) for name in os.listdir("/proc") if name.isdigit()]
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                stat = Path("/proc", name, "stat").read_text()
                children.setdefault(int(stat[stat.rindex(")") + 2 :].split()[1]), []).append(
                    int(name)
                )
    found, frontier = [], [os.getpid()]
    while frontier:
        found += (frontier := [c for pid in frontier for c in children.get(pid, [])])
    return found


def _resident(pids: list[int]) -> int:
    """Bytes of memory the processes ``pids`` hold together, cheaply: RSS, which counts the
    pages they share (with each other, with the fork server) once per process."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, ValueError, IndexError):
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE_SIZE
    return total


def _private_resident(pids: list[int]) -> int:
    """Bytes of memory the processes ``pids`` hold together, exactly: the sum of PSS (shared
    pages shared out) less PSS's part in shared memory (tmpfs files and memfds that are
    mapped, counted as files), each process's two read from one ``smaps_rollup``."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, ValueError, IndexError):
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
            kilobytes = {
                name: int(value.split()[0])
                for name, value in (line.split(":", 1) for line in rollup.splitlines()[1:])
            }
            total += (kilobytes["Pss"] - kilobytes.get("Pss_Shmem", 0)) * 1024
    return total


def _bytes_in(folders: Iterable[str]) -> int:
    """Bytes the files under ``folders`` take on each folder's own file system: a folder
    mounted inside one (the kit or Python shown through a private /tmp) is not its content."""
    total = 0
    for folder in folders:
        try:
            device = os.lstat(folder).st_dev
        except OSError:
            continue
        for root, subfolders, files in os.walk(folder):
            subfolders[:] = [
                name for name in subfolders if _on_device(os.path.join(root, name), device)
            ]
            for name in files:
                with contextlib.suppress(OSError):
                    found = os.lstat(os.path.join(root, name))
                    if found.st_dev == device:
                        total += found.st_blocks * 512
    return total


def _on_device(path: str, device: int) -> bool:
    try:
        return os.lstat(path).st_dev == device
    except OSError:
        return False


def _unlisted_files(pids: list[int], in_tmpfs: tuple[str, ...]) -> tuple[int, int]:
    """Bytes in files the processes ``pids`` hold open that no folder lists: memfds, and
    files deleted while open; as (in memory, on disk). Memory: memfds and files that were in
    the folders ``in_tmpfs``."""
    seen: set[tuple[int, int]] = set()
    in_memory = on_disk = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with contextlib.suppress(OSError):
                    target = os.readlink(fd)
                    if not (target.startswith("/memfd:") or target.endswith(" (deleted)")):
                        continue
                    found = fd.stat()
                    if (found.st_dev, found.st_ino) not in seen:
                        seen.add((found.st_dev, found.st_ino))
                        if target.startswith(("/memfd:", *in_tmpfs)):
                            in_memory += found.st_blocks * 512
                        else:
                            on_disk += found.st_blocks * 512
    return in_memory, on_disk


def _over_limits(policy: Policy, cgroup: Cgroup | None, level: str) -> int:
    """0, or the exit code that says which limit the sandbox's processes together went over.

    With a cgroup the kernel holds the memory and process limits, and this only reads whether
    memory struck. Without one: memory is what the processes hold (RSS, then PSS without the
    shared memory pages, which are counted as files) plus the files of the private tmpfs
    folders and every memfd or deleted file a process holds open; processes are counted (at
    the ``process`` level, where a root-owned sandbox has no other cap on them). Disk is the
    writable folders' files and the deleted ones still held open in them."""
    if cgroup is not None and cgroup.memory_ran_out():
        return MEMORY_EXIT
    pids = _sandbox_pids(level)
    if pids is None:
        return 0
    tmpfs = (
        tuple(_temporary_folders(policy)) if policy.private_tmp and level == "namespaces" else ()
    )
    in_memory, on_disk = _unlisted_files(pids, tuple(f + "/" for f in tmpfs))
    if cgroup is None:
        if len(pids) > policy.processes:
            return PROCESS_EXIT
        limit = policy.memory_total_bytes - in_memory - _bytes_in(tmpfs)
        # The cheap measure first, then the exact one.
        if _resident(pids) > limit and _private_resident(pids) > limit:
            return MEMORY_EXIT
    written = _bytes_in(policy.writable) + on_disk
    return DISK_EXIT if written > policy.disk_bytes else 0


def _supervise(
    child: int,
    level: str,
    policy: Policy,
    status: IO[str] | None,
    parent: int,
    cgroup: Cgroup | None,
) -> None:
    """The supervisor's life: kill the sandbox when told to, when orphaned, or when it goes
    over a limit its processes share; then end as it ended, its cgroup removed."""

    def stop(signum: int, frame: Any) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if level == "namespaces":
                os.kill(child, signal.SIGKILL)  # PID 1: the kernel kills the rest
            else:
                os.killpg(child, signal.SIGKILL)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    die_with_parent(signal.SIGTERM)
    if os.getppid() != parent:  # the parent ended before the signal was asked for
        stop(signal.SIGTERM, None)
    over = 0
    while not (ended := os.waitpid(child, os.WNOHANG))[0]:
        if not over and (over := _over_limits(policy, cgroup, level)):
            stop(signal.SIGTERM, None)
        time.sleep(_WATCH_SECONDS)
    code = os.waitstatus_to_exitcode(ended[1])
    if level != "namespaces":  # processes that left the group came to this subreaper
        _kill_adopted()
    if cgroup is not None:
        over = over or (MEMORY_EXIT if cgroup.memory_ran_out() else 0)
        cgroup.remove()
    code = over or code
    if status is not None:
        with contextlib.suppress(OSError):
            status.write(f"exit {code}\n")
            status.flush()
    if code < 0:  # end the way the child ended, so the judge reads the same signal
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    os._exit(code if code >= 0 else 1)


def _can_unshare() -> bool:
    """Whether the kernel gives this process the namespaces ``enter`` asks for (tried in a
    child that ends at once)."""
    if not sys.platform.startswith("linux"):
        return False
    pid = os.fork()
    if pid == 0:
        os._exit(0 if _unshare(_libc()) else 1)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0


def hiding_layers(policy: Policy) -> list[str]:
    """The layers this machine would raise that hide the kit's reference, hidden checks and
    other submissions from student code, foreseen without starting a sandbox (``grader doctor``
    tries one for real)."""
    found = []
    if policy.namespaces and _can_unshare():
        found.append("namespaces")
    if policy.landlock and landlock_abi() >= 1:
        found.append("landlock")
    needed = (*_python_folders(), str(PACKAGE_DIR))
    if policy.drop_uid and host_root() and not any(closed_to_others(f) for f in needed):
        found.append("uid")
    return found


def enter(policy: Policy, status: IO[str] | None = None) -> str:
    """Wall in this process; returns the level reached, in the process that runs student code.

    This process becomes the supervisor and never returns; its child returns.

    Args:
        status: where the supervisor writes ``level <name>``, ``pid <child>`` and, when the
            sandbox has ended, ``exit <code>`` (negative: killed by that signal).
    """
    libc = _libc()
    cgroup, cgroup_layer = _cgroup(policy)  # made while this process still sees /sys/fs/cgroup
    level = "process"
    if policy.namespaces and sys.platform.startswith("linux") and _unshare(libc):
        _build_view(policy, libc)  # a refusal from here on is an error, not a weaker level
        level = "namespaces"
    elif sys.platform.startswith("linux"):
        libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    sys.stdout.flush()
    sys.stderr.flush()
    parent = os.getppid()
    # The judge's choice (one uid for all of one judge's sandboxes, which share its folders),
    # else one of the supervisor's own (the child's PID may be 1, in its own PID namespace).
    uid = policy.sandbox_uid or sandbox_uid(os.getpid())
    placed, told = os.pipe()
    child = os.fork()
    if child:
        os.close(placed)
        cgroup, cgroup_layer = _place(cgroup, cgroup_layer, child)
        os.write(told, json.dumps(cgroup_layer.to_dict()).encode())
        os.close(told)
        # The supervisor holds no channel to the judge: only the child answers.
        devnull = os.open(os.devnull, os.O_RDWR)
        os.dup2(devnull, 0)
        os.dup2(devnull, 1)
        if status is not None:
            with contextlib.suppress(OSError):
                status.write(f"level {level}\npid {child}\n")
                status.flush()
        _supervise(child, level, policy, status, parent, cgroup)
    os.close(told)
    cgroup_layer = Layer(**json.loads(_read_all(placed)))  # in its cgroup from here on
    die_with_parent()  # the supervisor gone (even killed outright): so is the sandbox
    os.setsid()  # a session of its own: a signal to its group or session misses the supervisor
    if level == "namespaces":
        _become_pid_one(policy, libc)
    layers = [*_raise_walls(policy, level, libc, uid), cgroup_layer]
    _limit(policy)
    if status is not None:  # still the grader's code: student code has not been loaded
        with contextlib.suppress(OSError):
            status.write("layers " + json.dumps([layer.to_dict() for layer in layers]) + "\n")
            status.flush()
        status.close()
    return level


def _namespaces_layer(policy: Policy, level: str) -> Layer:
    if level == "namespaces":
        return Layer("namespaces", True, "a view of its own: hidden folders, no network")
    if not policy.namespaces:
        return Layer("namespaces", False, "turned off by the grader's policy")
    if not sys.platform.startswith("linux"):
        return Layer("namespaces", False, f"Linux only (this is {sys.platform})")
    return Layer("namespaces", False, "the kernel refused new (user) namespaces")


def _turned_off(name: str) -> Layer:
    return Layer(name, False, "turned off by the grader's policy")


def _raise_walls(policy: Policy, level: str, libc: ctypes.CDLL, uid: int) -> list[Layer]:
    """In the child, before student code: the uid, Landlock and seccomp layers, each on top of
    the namespaces (where those stood) and whatever the others did."""
    supervisor = os.getppid() or -1  # 0: outside this PID namespace, out of reach already
    layers = [_namespaces_layer(policy, level)]
    if not sys.platform.startswith("linux"):
        return [*layers, *(Layer(n, False, "Linux only") for n in ("uid", "landlock", "seccomp"))]
    try:
        needed = (*_python_folders(), str(PACKAGE_DIR), *policy.visible)
        dropped = drop_root(policy.writable, uid, needed) if policy.drop_uid else _turned_off("uid")
        layers.append(dropped)
    except OSError as error:
        layers.append(Layer("uid", False, f"could not drop root: {error.strerror}"))
    die_with_parent()  # a change of uid clears it
    if level == "namespaces":
        _drop_capabilities(libc)
    if policy.landlock:
        rules, hidden, kept = _landlock_rules(policy, level)
        layers.append(apply_landlock(rules, hidden, kept))
    else:
        layers.append(_turned_off("landlock"))
    layers.append(apply_seccomp(supervisor) if policy.seccomp else _turned_off("seccomp"))
    return layers


def _cgroup(policy: Policy) -> tuple[Cgroup | None, Layer]:
    """The sandbox's cgroup (not yet holding a process) and its layer, or None and why not."""
    if not sys.platform.startswith("linux"):
        return None, Layer("cgroup", False, "Linux only")
    if not policy.cgroup:
        return None, _turned_off("cgroup")
    try:
        cgroup = Cgroup.made(policy.memory_total_bytes, policy.processes)
    except CgroupError as error:
        return None, missing_layer(str(error))
    return cgroup, cgroup.layer(policy.memory_total_bytes, policy.processes)


def _place(cgroup: Cgroup | None, layer: Layer, child: int) -> tuple[Cgroup | None, Layer]:
    """Move the child into the cgroup, before it runs anything: it waits to be told."""
    if cgroup is None:
        return None, layer
    try:
        cgroup.add(child)
    except OSError as error:
        cgroup.remove()
        return None, missing_layer(f"the kernel refused to move the sandbox in: {error.strerror}")
    return cgroup, layer


def _read_all(fd: int) -> str:
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks).decode()


def _landlock_rules(
    policy: Policy, level: str
) -> tuple[list[tuple[str, int]], list[str], list[tuple[str, int]]]:
    """What Landlock lets the student's process reach: the rules, the folders nothing inside
    of which is granted (hidden ones, the grader package), then the worker's runtime."""
    rules = [(f, READ) for f in (*SYSTEM_FOLDERS, *SYSTEM_FILES, *_python_folders())]
    rules += [(f, WRITE) for f in DEVICES]
    # Its /proc/self, not its neighbours' (in namespaces, /proc shows only the sandbox's own).
    rules.append(("/proc" if level == "namespaces" else f"/proc/{os.getpid()}", READ))
    rules.append((os.path.realpath(GRADER_ROOT), READ))
    rules += [(os.path.realpath(f), READ) for f in policy.visible]
    if not policy.private_tmp:  # a grader-only process opens what students' code wrote
        rules += [(f, READ) for f in _temporary_folders(policy)]
    rules += [(os.path.realpath(f), WRITE) for f in policy.writable]
    hidden = [*policy.hide, *PRIVATE_FOLDERS, *PRIVATE_FILES]
    grader_rules, copies = _grader_rules(policy)
    kept = [(path, READ) for path, kind in grader_rules if kind == "read"]
    kept += [(path, READ) for path in copies]
    hidden += [path for path, kind in grader_rules if kind == "hide"]
    return rules, hidden, kept
