"""``python tests/blocked_userns.py COMMAND...``: run COMMAND as a machine that blocks user
namespaces would (Ubuntu 23.10+'s AppArmor, Docker's seccomp profile): inside a user namespace
whose ``user.max_user_namespaces`` is 0, as an ordinary user (uid 1000 there, this user
outside, so the files stay this user's), without capabilities."""

import ctypes
import ctypes.util
import os
import sys

CLONE_NEWUSER = 0x10000000
BLOCKED_UID = 1000


def _write(path: str, text: str) -> None:
    with open(path, "w") as file:
        file.write(text)


def main() -> None:
    uid, gid = os.geteuid(), os.getegid()
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    if libc.unshare(CLONE_NEWUSER) != 0:
        sys.exit(f"unshare: {os.strerror(ctypes.get_errno())}")
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{BLOCKED_UID} {uid} 1")
    _write("/proc/self/gid_map", f"{BLOCKED_UID} {gid} 1")
    _write("/proc/sys/user/max_user_namespaces", "0")  # still capable here, not after exec
    os.execvp(sys.argv[1], sys.argv[1:])


if __name__ == "__main__":
    main()
