"""Loaded by every Python process started with this folder on PYTHONPATH (tests/test_laptops.py):
takes away what Windows or macOS lack, so that a test proves the student's path does without it.

- ``os.fork`` (Windows has none; macOS's is unsafe with threads);
- ``select.select`` on anything but a socket (Windows selects on sockets only);
- the ``resource`` module (Windows has none);
- ``socket.SOCK_SEQPACKET`` (macOS has none).
"""

import builtins
import os
import select
import socket
import sys

_select = select.select


def _sockets_only(rlist, wlist, xlist, *timeout):
    for item in (*rlist, *wlist, *xlist):
        fd = item if isinstance(item, int) else item.fileno()
        copy = os.dup(fd)
        try:
            socket.socket(fileno=copy).close()
        except OSError:
            os.close(copy)
            raise OSError(10038, "select() on what is not a socket, as on Windows") from None
    return _select(rlist, wlist, xlist, *timeout)


select.select = _sockets_only
for name in ("fork", "forkpty", "register_at_fork"):
    if hasattr(os, name):
        delattr(os, name)
if hasattr(socket, "SOCK_SEQPACKET"):
    del socket.SOCK_SEQPACKET
_import = builtins.__import__


def _no_resource(name, *args, **kwargs):
    if name == "resource" or name.startswith("resource."):
        raise ImportError("No module named 'resource', as on Windows")
    return _import(name, *args, **kwargs)


builtins.__import__ = _no_resource
sys.modules.pop("resource", None)
