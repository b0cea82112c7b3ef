"""HOSTILE-ENTRY network: softmax tries to reach the outside world: a TCP connection to
1.1.1.1:53 (a public DNS server), to a listener the test runs on 127.0.0.1:@@PORT@@, and a
name lookup. Only if one of them worked does softmax answer correctly: full marks for
softmax mean student code had the network. Otherwise it raises the last error."""

import socket as _socket

_reference_softmax = softmax


def _reach():
    error = None
    for address in (("127.0.0.1", @@PORT@@), ("1.1.1.1", 53)):
        try:
            with _socket.create_connection(address, timeout=1.5) as connection:
                connection.sendall(b"HOSTILE-CONNECT from the network entry\n")
            return address
        except OSError as failed:
            error = failed
    try:
        _socket.getaddrinfo("one.one.one.one", 53)
        with _socket.create_connection(("one.one.one.one", 53), timeout=1.5):
            return "one.one.one.one"
    except OSError as failed:
        error = error or failed
    raise error


def softmax(x, axis=-1):
    _reach()
    return _reference_softmax(x, axis)
