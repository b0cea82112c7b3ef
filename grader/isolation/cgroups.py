"""A cgroup of its own for each sandbox, where the machine gives the grader one.

The kernel then enforces what the supervisor's polling can only observe ten times a second:

- memory: every page the sandbox's processes hold together, tmpfs files, shared memory and
  memfd pages included (``memory.max`` and ``memory.swap.max`` in cgroup v2,
  ``memory.limit_in_bytes`` and ``memory.memsw.limit_in_bytes`` in v1);
- processes and threads together (``pids.max``);
- the CPU: every sandbox has the same weight (``cpu.weight``, v1's ``cpu.shares``), so a
  submission that starts a dozen busy processes gets the share one honest process gets.

The supervisor makes the cgroup before it enters any namespace and keeps open what it will
write and read later: the kernel checks the credentials a cgroup file was opened with, and the
supervisor's own view of the file system no longer shows ``/sys/fs/cgroup``.
"""

import contextlib
import errno
import os
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

from grader.isolation.layers import Layer

PREFIX = "grader-sandbox-"
"""The start of every sandbox's cgroup name; the rest is the supervisor's PID and a token."""
CONTROLLERS = ("memory", "pids", "cpu")
V2_PARENT = "grader"
"""Where a root grader's sandboxes go in a cgroup v2 hierarchy: a folder at its top, whose
subtree has the three controllers."""
CPU_WEIGHT = {1: ("cpu.shares", "1024"), 2: ("cpu.weight", "100")}
"""The kernel's default weight, written out: every sandbox weighs the same."""
REMOVE_TRIES = 100
REMOVE_WAIT = 0.02
"""A cgroup can be removed once its last process is reaped: up to 2 s after the sandbox ends."""


class CgroupError(OSError):
    """The machine gives this grader no cgroup of its own (the reason is the message)."""


@dataclass(frozen=True)
class Hierarchy:
    """Where one cgroup hierarchy is mounted, and this process's cgroup in it."""

    version: int
    mount: str
    own: str
    """This process's cgroup, as a folder under ``mount``."""
    controllers: tuple[str, ...]


def _mountinfo() -> list[tuple[str, str, str, str]]:
    """(mount point, root of the mount in its file system, type, super options) of each
    mount this process sees."""
    found = []
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/mountinfo").read_text().splitlines():
            before, _, after = line.partition(" - ")
            fields, tail = before.split(), after.split()
            if len(fields) >= 5 and len(tail) >= 3:
                found.append((fields[4], fields[3], tail[0], tail[2]))
    return found


def _own_paths() -> dict[str, str]:
    """This process's cgroup in each hierarchy: by controller (v1), and ``""`` for v2."""
    paths: dict[str, str] = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            for name in controllers.split(",") if controllers else [""]:
                paths[name] = path
    return paths


def _folder(mount: str, root: str, path: str) -> str:
    """The folder of cgroup ``path`` under a mount of the hierarchy's ``root``."""
    inside = os.path.relpath(path, root) if path.startswith(root) else ""
    return os.path.normpath(os.path.join(mount, inside))


def hierarchies() -> list[Hierarchy]:
    """The cgroup hierarchies with at least one of the sandbox's controllers, v2 first."""
    own = _own_paths()
    found = []
    for mount, root, kind, options in _mountinfo():
        if kind == "cgroup2" and "" in own:
            available = Path(mount, "cgroup.controllers")
            with contextlib.suppress(OSError):
                names = tuple(c for c in CONTROLLERS if c in available.read_text().split())
                if names:
                    found.append(Hierarchy(2, mount, _folder(mount, root, own[""]), names))
        elif kind == "cgroup":
            names = tuple(c for c in CONTROLLERS if c in options.split(","))
            if names and names[0] in own:
                found.append(Hierarchy(1, mount, _folder(mount, root, own[names[0]]), names))
    return sorted(found, key=lambda h: -h.version)


@dataclass
class Cgroup:
    """One sandbox's cgroup: v2's one folder, or v1's folder in each controller's hierarchy.

    ``made`` creates it and opens what the supervisor needs later; ``add`` moves a process in
    (its children follow); ``memory_ran_out`` says whether the kernel killed a process of it
    for memory; ``remove`` deletes it once the sandbox has ended.
    """

    version: int
    folders: dict[str, tuple[str, ...]]
    """Each folder of the cgroup, and the controllers whose limits are set in it."""
    _procs: list[int] = field(default_factory=list)
    _parents: list[tuple[int, str]] = field(default_factory=list)
    _events: int = -1

    @classmethod
    def made(cls, memory_bytes: int, processes: int) -> "Cgroup":
        """A new cgroup with these limits, or CgroupError saying why the machine gives none."""
        found = hierarchies()
        if not found:
            raise CgroupError("this machine mounts no cgroup hierarchy with a memory controller")
        name = f"{PREFIX}{os.getpid()}-{secrets.token_hex(3)}"
        try:
            if found[0].version == 2 and "memory" in found[0].controllers:
                top = found[0]
                cgroup = cls(2, {os.path.join(_v2_parent(top), name): top.controllers})
            else:
                v1 = [h for h in found if h.version == 1]
                if not any("memory" in h.controllers for h in v1):
                    raise CgroupError("no cgroup hierarchy has the memory controller")
                cgroup = cls(1, {os.path.join(h.own, name): h.controllers for h in v1})
        except CgroupError:
            raise
        except OSError as error:
            raise CgroupError(_refused(error, found[0].version, found[0].mount)) from error
        try:
            cgroup._create(memory_bytes, processes)
        except OSError as error:
            cgroup.remove()
            where = os.path.dirname(next(iter(cgroup.folders)))
            raise CgroupError(_refused(error, cgroup.version, where)) from error
        return cgroup

    def _create(self, memory_bytes: int, processes: int) -> None:
        for folder, controllers in self.folders.items():
            parent = os.path.dirname(folder)
            _sweep(parent)
            os.mkdir(folder, 0o755)
            self._parents.append((os.open(parent, os.O_PATH | os.O_DIRECTORY), folder))
            if "memory" in controllers:
                _set_memory(self.version, folder, memory_bytes)
                events = "memory.events" if self.version == 2 else "memory.oom_control"
                self._events = os.open(os.path.join(folder, events), os.O_RDONLY)
            if "pids" in controllers:
                _write(folder, "pids.max", str(processes))
            if "cpu" in controllers:
                _write(folder, *CPU_WEIGHT[self.version])
            self._procs.append(os.open(os.path.join(folder, "cgroup.procs"), os.O_WRONLY))

    def add(self, pid: int) -> None:
        """Move process ``pid`` (as this process's PID namespace numbers it) into the cgroup."""
        for fd in self._procs:
            os.write(fd, str(pid).encode())

    def memory_ran_out(self) -> bool:
        """Whether the kernel killed a process of this cgroup for going over its memory."""
        if self._events < 0:
            return False
        with contextlib.suppress(OSError):
            os.lseek(self._events, 0, os.SEEK_SET)
            text = os.read(self._events, 4096).decode()
            counts = dict(line.split() for line in text.splitlines() if len(line.split()) == 2)
            return int(counts.get("oom_kill", "0")) > 0
        return False

    def remove(self) -> None:
        """Delete the cgroup (its processes must have ended; waits up to 2 s for the last to
        be reaped) and close what it held open."""
        for fd in [*self._procs, self._events]:
            with contextlib.suppress(OSError):
                os.close(fd)
        self._procs, self._events = [], -1
        for parent, folder in self._parents:
            for _ in range(REMOVE_TRIES):
                try:
                    os.rmdir(os.path.basename(folder), dir_fd=parent)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(REMOVE_WAIT)
            os.close(parent)
        self._parents = []

    def layer(self, memory_bytes: int, processes: int) -> Layer:
        limits = f"memory {memory_bytes / 2**30:g} GiB with tmpfs, shared memory and memfd pages"
        return Layer(
            "cgroup",
            True,
            f"cgroup v{self.version}: {limits}, {processes} processes, an equal CPU share",
        )


def _v2_parent(hierarchy: Hierarchy) -> str:
    """The folder a root grader's sandboxes go in, with the three controllers in its subtree:
    a v2 cgroup with processes in it cannot give its controllers to a subtree, so sandboxes go
    beside the top, not under the grader's own cgroup."""
    parent = os.path.join(hierarchy.mount, V2_PARENT)
    with contextlib.suppress(FileExistsError):
        os.mkdir(parent, 0o755)
    enable = " ".join(f"+{c}" for c in hierarchy.controllers)
    for folder in (hierarchy.mount, parent):
        _write(folder, "cgroup.subtree_control", enable)
    return parent


def _set_memory(version: int, folder: str, memory_bytes: int) -> None:
    if version == 2:
        _write(folder, "memory.max", str(memory_bytes))
        with contextlib.suppress(FileNotFoundError):  # a kernel without swap accounting
            _write(folder, "memory.swap.max", "0")
        _write(folder, "memory.oom.group", "1")
        return
    _write(folder, "memory.limit_in_bytes", str(memory_bytes))
    with contextlib.suppress(FileNotFoundError):  # a kernel without swap accounting
        _write(folder, "memory.memsw.limit_in_bytes", str(memory_bytes))


def _write(folder: str, name: str, value: str) -> None:
    with open(os.path.join(folder, name), "w") as file:
        file.write(value)


def _sweep(parent: str) -> None:
    """Remove sandbox cgroups whose supervisor has gone (killed before it could remove its
    own); those with processes still in them stay."""
    with contextlib.suppress(OSError):
        for name in os.listdir(parent):
            pid = name.removeprefix(PREFIX).partition("-")[0]
            if name.startswith(PREFIX) and pid.isdigit() and not Path(f"/proc/{pid}").exists():
                with contextlib.suppress(OSError):
                    os.rmdir(os.path.join(parent, name))


def _refused(error: OSError, version: int, where: str) -> str:
    if error.errno in (errno.EPERM, errno.EACCES, errno.EROFS):
        return f"cgroup v{version} at {where} is not writable by this user"
    return f"cgroup v{version} at {where}: {error.strerror}"


def missing_layer(reason: str) -> Layer:
    return Layer("cgroup", False, f"{reason}: the supervisor polls memory and disk instead")
