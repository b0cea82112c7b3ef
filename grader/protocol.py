"""What crosses between the judge and the student's process: JSON and arrays, nothing else.

A message is a JSON header and the raw bytes of the numeric arrays it refers to:

```
length (8 bytes, big-endian) | header length (4 bytes) | header (JSON) | array bytes
header = {"tree": the value, each array in it as {"$array": key},
          "arrays": {key: [dtype, shape, offset, size]}}
```
Each array is read only after its dtype (numeric, no fields) and shape are checked against
its size (``size == prod(shape) * itemsize``), and the arrays are known to lie end to end in
the message, from the header's end to the message's: a message can never make the reader
allocate more than it sent. Python objects the student built never reach
the judge: each value is rebuilt on the judge's side from numbers, strings and numeric arrays,
so a lying ``__eq__`` or ``__array__`` has nothing to act on.
"""

import json
import math
import struct
from dataclasses import dataclass
from typing import Any, BinaryIO

import numpy as np

LEVELS = ("namespaces", "process")
"""Isolation levels a sandbox's supervisor reports, strongest first."""
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
MAX_ARRAYS = 4096
"""Arrays in one message."""
MAX_DIMENSIONS = 32
"""Dimensions of one array (NumPy's own limit is 64)."""
MAX_HEADER_BYTES = 4 * 1024 * 1024
"""The JSON part of one message: structure, numbers and text."""
_NUMERIC_KINDS = "biufc"
_LENGTH = struct.Struct(">Q")
_HEADER_LENGTH = struct.Struct(">I")


@dataclass(frozen=True)
class Foreign:
    """A value the student returned that is not plain data: only its type's name crosses."""

    type_name: str
    summary: str


@dataclass(frozen=True)
class Handle:
    """An object that lives in the student's process, e.g. an optimizer or a Keras model."""

    id: int
    type_name: str = ""
    generation: int = 0
    """Which of the judge's processes for this student file made it (judge side only)."""


@dataclass(frozen=True)
class Shared:
    """An input array the judge wrote into a file that both processes map: the student's
    process computes on it in place, and the judge reads it back after the call."""

    offset: int
    shape: tuple[int, ...]
    dtype: str
    """A numeric NumPy dtype's ``str``, e.g. ``"<f8"``."""


class ProtocolError(Exception):
    """A message that is not what the protocol allows."""


def _describe(value: object) -> str:
    try:
        text = repr(value)
    except Exception:  # a hostile __repr__ must not stop the description
        text = "<unprintable>"
    return text if len(text) <= 80 else text[:77] + "..."


def _to_tree(value: Any, arrays: dict[str, np.ndarray], depth: int = 0) -> Any:
    if depth > 20:
        return {"$foreign": "nested too deeply", "summary": ""}
    if value is None or type(value) in (bool, int, float, str):
        return value
    if type(value) is np.ndarray:
        if value.dtype.kind not in _NUMERIC_KINDS:
            return {
                "$foreign": f"numpy.ndarray of dtype {value.dtype}",
                "summary": _describe(value),
            }
        key = f"a{len(arrays)}"
        arrays[key] = value  # its bytes are copied as the message is written
        return {"$array": key}
    if isinstance(value, np.generic) and type(value).__module__ == "numpy":
        if np.dtype(type(value)).kind not in _NUMERIC_KINDS:
            return {"$foreign": type(value).__name__, "summary": _describe(value)}
        key = f"a{len(arrays)}"
        arrays[key] = np.array(value)
        return {"$scalar": key}
    if type(value) is Handle:
        return {"$handle": value.id}
    if type(value) is Shared:
        return {"$shared": [value.offset, list(value.shape), value.dtype]}
    if type(value) in (list, tuple):
        items = [_to_tree(item, arrays, depth + 1) for item in value]
        return {"$list": items} if type(value) is list else {"$tuple": items}
    if type(value) is dict and all(type(k) is str for k in value):
        return {"$dict": {k: _to_tree(v, arrays, depth + 1) for k, v in value.items()}}
    return {
        "$foreign": f"{type(value).__module__}.{type(value).__qualname__}",
        "summary": _describe(value),
    }


def _from_tree(tree: Any, arrays: dict[str, np.ndarray]) -> Any:
    if tree is None or type(tree) in (bool, int, float, str):
        return tree
    if type(tree) is list:
        return [_from_tree(item, arrays) for item in tree]
    if type(tree) is not dict or len(tree) not in (1, 2):
        raise ProtocolError(f"unexpected node {_describe(tree)}")
    if "$array" in tree:
        return arrays[tree["$array"]]
    if "$scalar" in tree:
        scalar = arrays[tree["$scalar"]]
        if scalar.ndim != 0:
            raise ProtocolError(f"a scalar of shape {scalar.shape}")
        return scalar[()]
    if "$list" in tree:
        return [_from_tree(item, arrays) for item in tree["$list"]]
    if "$tuple" in tree:
        return tuple(_from_tree(item, arrays) for item in tree["$tuple"])
    if "$dict" in tree:
        return {str(k): _from_tree(v, arrays) for k, v in tree["$dict"].items()}
    if "$handle" in tree:
        return Handle(int(tree["$handle"]))
    if "$shared" in tree:
        offset, shape, dtype = tree["$shared"]
        if np.dtype(str(dtype)).kind not in _NUMERIC_KINDS:
            raise ProtocolError(f"a shared array of dtype {dtype}")
        dims = tuple(int(n) for n in shape)
        if int(offset) < 0 or any(n < 0 for n in dims):
            raise ProtocolError("a shared array out of bounds")
        return Shared(int(offset), dims, np.dtype(str(dtype)).str)
    if "$foreign" in tree:
        return Foreign(str(tree["$foreign"]), str(tree.get("summary", "")))
    raise ProtocolError(f"unexpected node {_describe(tree)}")


def encode(message: dict[str, Any]) -> bytes:
    """A dict of plain values (arrays included, at any depth) as bytes."""
    arrays: dict[str, np.ndarray] = {}
    tree = _to_tree(message, arrays)["$dict"]
    layout, chunks, offset = {}, [], 0
    for key, array in arrays.items():
        data = np.ascontiguousarray(array).tobytes()
        layout[key] = [array.dtype.str, list(array.shape), offset, len(data)]
        chunks.append(data)
        offset += len(data)
    header = json.dumps({"tree": tree, "arrays": layout}).encode()
    return _HEADER_LENGTH.pack(len(header)) + header + b"".join(chunks)


def _array(spec: Any, body: memoryview) -> np.ndarray:
    """The array ``spec`` (``[dtype, shape, offset, size]``) describes in ``body``, once the
    bytes it needs are known to be there; a fresh array that owns its memory."""
    dtype_text, shape, offset, size = spec
    dtype = np.dtype(str(dtype_text))
    if dtype.kind not in _NUMERIC_KINDS or dtype.fields is not None or dtype.subdtype is not None:
        raise ProtocolError(f"a message held an array of dtype {dtype_text}")
    if not (
        type(shape) is list
        and len(shape) <= MAX_DIMENSIONS
        and all(type(n) is int and 0 <= n <= MAX_MESSAGE_BYTES for n in shape)
    ):
        raise ProtocolError(f"an array of shape {_describe(shape)}")
    if math.prod(shape) * dtype.itemsize != size:
        raise ProtocolError(f"an array of shape {tuple(shape)} that the message does not hold")
    return np.frombuffer(body, dtype, math.prod(shape), offset).reshape(shape).copy()


def _laid_end_to_end(layout: dict[str, Any], length: int) -> None:
    """Refuse a layout whose arrays do not tile the body exactly, one after the other from its
    start to its end: arrays that overlap (each copied, the same bytes many times over) or lie
    past the end could make the reader allocate more than the message holds."""
    places = []
    for spec in layout.values():
        if not (type(spec) is list and len(spec) == 4 and all(type(n) is int for n in spec[2:])):
            raise ProtocolError("an array without its dtype, shape, offset and size")
        places.append((spec[2], spec[3]))
    end = 0
    for offset, size in sorted(places):
        if offset != end or size < 0:
            raise ProtocolError("arrays that do not lie end to end in the message")
        end += size
    if end != length:
        raise ProtocolError("arrays that do not lie end to end in the message")


def decode(payload: bytes) -> dict[str, Any]:
    """The inverse of ``encode``; arrays come back as fresh NumPy arrays, never objects."""
    try:
        (size,) = _HEADER_LENGTH.unpack_from(payload)
        if size > MAX_HEADER_BYTES:
            raise ProtocolError(f"a header of {size} bytes is over the limit")
        start = _HEADER_LENGTH.size
        header = json.loads(payload[start : start + size])
        layout, tree = header["arrays"], header["tree"]
        if type(layout) is not dict or len(layout) > MAX_ARRAYS or type(tree) is not dict:
            raise ProtocolError(f"not a message of at most {MAX_ARRAYS} arrays")
        body = memoryview(payload)[start + size :]
        _laid_end_to_end(layout, len(body))
        arrays = {str(key): _array(spec, body) for key, spec in layout.items()}
    except ProtocolError as error:
        raise ProtocolError(f"unreadable message: {error}") from error
    except Exception as error:
        raise ProtocolError(f"unreadable message: {type(error).__name__}: {error}") from error
    try:
        return {str(k): _from_tree(v, arrays) for k, v in tree.items()}
    except ProtocolError as error:
        raise ProtocolError(f"unreadable message: {error}") from error
    except Exception as error:  # KeyError, OverflowError (a handle of Infinity), RecursionError...
        raise ProtocolError(f"unreadable message: {type(error).__name__}") from error


def write_message(stream: BinaryIO, message: dict[str, Any]) -> None:
    payload = encode(message)
    stream.write(_LENGTH.pack(len(payload)) + payload)
    stream.flush()


def read_message(stream: BinaryIO) -> dict[str, Any]:
    """The next message; ``EOFError`` when the other side has gone."""
    prefix = stream.read(_LENGTH.size)
    if len(prefix) < _LENGTH.size:
        raise EOFError("the other process closed the channel")
    (length,) = _LENGTH.unpack(prefix)
    if length > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"a message of {length} bytes is over the limit")
    payload = stream.read(length)
    if len(payload) < length:
        raise EOFError("the other process closed the channel mid-message")
    return decode(payload)
