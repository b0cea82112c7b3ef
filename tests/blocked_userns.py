"""``python tests/blocked_userns.py [--no-landlock] COMMAND...``: run COMMAND as a machine that
blocks user namespaces would (Ubuntu 23.10+'s AppArmor, Docker's seccomp profile): inside a
user namespace whose ``user.max_user_namespaces`` is 0, as an ordinary user (uid 1000 there,
this user outside, so the files stay this user's), without capabilities. ``--no-landlock``:
and as a kernel without Landlock (its system calls answer ENOSYS), so nothing hides the kit."""

import ctypes
import ctypes.util
import errno
import os
import platform
import struct
import sys

CLONE_NEWUSER = 0x10000000
BLOCKED_UID = 1000


def _write(path: str, text: str) -> None:
    with open(path, "w") as file:
        file.write(text)


LANDLOCK_CREATE_RULESET = 444  # x86_64 and aarch64 alike
AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2


def _without_landlock(libc: ctypes.CDLL) -> None:
    """A seccomp filter: landlock_create_ruleset answers ENOSYS, everything else runs."""
    allow, enosys = 0x7FFF0000, 0x00050000 | errno.ENOSYS
    program = [
        (0x20, 0, 0, 4),  # load the architecture
        (0x15, 0, 3, AUDIT_ARCH[platform.machine()]),
        (0x20, 0, 0, 0),  # load the call's number
        (0x15, 0, 1, LANDLOCK_CREATE_RULESET),
        (0x06, 0, 0, enosys),
        (0x06, 0, 0, allow),
    ]
    code = b"".join(struct.pack("HBBI", *instruction) for instruction in program)
    buffer = ctypes.create_string_buffer(code)
    fprog = struct.pack("HxxxxxxP", len(program), ctypes.addressof(buffer))
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        sys.exit("no_new_privs refused")
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.c_char_p(fprog), 0, 0) != 0:
        sys.exit(f"seccomp: {os.strerror(ctypes.get_errno())}")


def main() -> None:
    uid, gid = os.geteuid(), os.getegid()
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    if libc.unshare(CLONE_NEWUSER) != 0:
        sys.exit(f"unshare: {os.strerror(ctypes.get_errno())}")
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{BLOCKED_UID} {uid} 1")
    _write("/proc/self/gid_map", f"{BLOCKED_UID} {gid} 1")
    _write("/proc/sys/user/max_user_namespaces", "0")  # still capable here, not after exec
    command = sys.argv[1:]
    if command[:1] == ["--no-landlock"]:
        command = command[1:]
        _without_landlock(libc)
    os.execvp(command[0], command)


if __name__ == "__main__":
    main()
