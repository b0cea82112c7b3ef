"""The judge's channel to a student's process (grader.protocol): plain values go through
unchanged, and a message that declares more than it holds, or anything but numeric arrays, is
refused before anything is allocated for it."""

import json
import struct
import tracemalloc

import numpy as np
import pytest

from grader.protocol import MAX_ARRAYS, Foreign, Handle, ProtocolError, Shared, decode, encode

VALUES = {
    "float64": np.linspace(-1, 1, 12).reshape(3, 4),
    "float32_fortran": np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)),
    "int8": np.array([-128, 0, 127], dtype=np.int8),
    "uint16_big_endian": np.array([1, 65535], dtype=">u2"),
    "bool": np.array([True, False]),
    "complex": np.array([1 + 2j]),
    "empty": np.zeros((0, 3)),
    "zero_dimensional": np.array(2.5),
    "scalar": np.float32(0.01),
    "nested": [1, 2.5, "text", None, True, (np.ones(2), {"k": [np.zeros(1)]})],
    "handle": Handle(7),
    "shared": Shared(64, (2, 3), "<f8"),
}


def test_plain_values_cross_unchanged() -> None:
    back = decode(encode(VALUES))
    assert back.keys() == VALUES.keys()
    for name in ("float64", "float32_fortran", "int8", "uint16_big_endian", "bool", "complex"):
        assert back[name].dtype == VALUES[name].dtype and back[name].shape == VALUES[name].shape
        np.testing.assert_array_equal(back[name], VALUES[name])
        assert back[name].flags.writeable and back[name].flags.owndata
    assert back["empty"].shape == (0, 3) and back["zero_dimensional"].shape == ()
    assert type(back["scalar"]) is np.float32 and back["scalar"] == np.float32(0.01)
    assert back["nested"][:5] == [1, 2.5, "text", None, True]
    assert type(back["nested"][5]) is tuple and back["nested"][5][1]["k"][0].shape == (1,)
    assert back["handle"] == Handle(7) and back["shared"] == Shared(64, (2, 3), "<f8")


def test_what_is_not_plain_crosses_as_its_type_name_only() -> None:
    back = decode(encode({"text": np.array(["x"]), "objects": np.array([None]), "set": {1}}))
    assert all(type(v) is Foreign for v in back.values()), back
    assert back["set"].type_name == "builtins.set"


def _message(arrays: dict, body: bytes, tree: dict | None = None) -> bytes:
    tree = tree or {"value": {"$array": next(iter(arrays), "a0")}}
    header = json.dumps({"tree": tree, "arrays": arrays}).encode()
    return struct.pack(">I", len(header)) + header + body


@pytest.mark.parametrize(
    ("arrays", "body", "why"),
    [
        ({"a0": ["<f8", [2**27], 0, 2**30]}, bytes(2**20), "end to end"),  # 1 GiB declared
        ({f"a{i}": ["<f8", [2**17], 0, 2**20] for i in range(200)}, bytes(2**20), "end to end"),
        ({"a0": ["<f8", [4], 0, 32], "a1": ["<f8", [4], 16, 32]}, bytes(48), "end to end"),
        ({"a0": ["<f8", [4], 8, 32]}, bytes(40), "end to end"),  # a gap before it
        ({"a0": ["<f8", [4], 0, 16]}, bytes(16), "does not hold"),  # size is not shape's
        ({"a0": ["|O", [1], 0, 8]}, bytes(8), "dtype"),
        ({"a0": ["<U1", [1], 0, 4]}, bytes(4), "dtype"),
        ({"a0": ["(2,)<f8", [1], 0, 16]}, bytes(16), "dtype"),
        ({"a0": ["V8", [1], 0, 8]}, bytes(8), "dtype"),
        ({"a0": ["<f8", [-1], 0, 8]}, bytes(8), "shape"),
        ({"a0": ["<f8", [1.0], 0, 8]}, bytes(8), "shape"),
        ({"a0": ["<f8", [10**4000] * 100 + [0], 0, 0]}, b"", "shape"),  # big numbers to multiply
        ({"a0": ["<f8", [1] * 40, 0, 8]}, bytes(8), "shape"),
        ({"a0": ["<f8", [1], -8, 8]}, bytes(8), "end to end"),
        ({"a0": ["<f8", [1], "0", 8]}, bytes(8), "offset and size"),
        ({f"a{i}": ["<f8", [0], 0, 0] for i in range(MAX_ARRAYS + 1)}, b"", "at most"),
    ],
    ids=[
        "declares_1_GiB_in_1_MiB",
        "200_arrays_on_the_same_MiB",
        "overlapping",
        "gap",
        "size_not_its_shapes",
        "objects",
        "strings",
        "subarray",
        "void",
        "negative_shape",
        "float_shape",
        "huge_dimensions",
        "too_many_dimensions",
        "negative_offset",
        "text_offset",
        "too_many_arrays",
    ],
)
def test_a_message_that_is_not_what_it_says_is_refused_unread(arrays, body, why) -> None:
    payload = _message(arrays, body)
    tracemalloc.start()
    try:
        with pytest.raises(ProtocolError, match=why):
            decode(payload)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2**25, f"decoding it took {peak} bytes"  # 32 MiB: the header's objects


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"\x00\x00",
        struct.pack(">I", 2**31) + b"{}",
        struct.pack(">I", 5) + b"{not",
        b"\xff" * 64,
    ],
    ids=["empty", "short", "header_over_limit", "not_json", "noise"],
)
def test_noise_is_an_unreadable_message(payload: bytes) -> None:
    with pytest.raises(ProtocolError, match="unreadable message"):
        decode(payload)


@pytest.mark.parametrize(
    ("arrays", "body", "tree"),
    [
        ({}, b"", {"value": {"$array": "a9"}}),
        ({"a0": ["<f8", [2], 0, 16]}, bytes(16), {"value": {"$scalar": "a0"}}),
        ({}, b"", {"value": {"$handle": float("inf")}}),
        ({}, b"", {"value": {"$shared": [float("inf"), [1], "<f8"]}}),
        ({}, b"", {"value": {"$foreign": "x", "summary": "", "more": 1}}),
    ],
    ids=["missing_array", "scalar_of_two", "handle_of_infinity", "shared_at_infinity", "odd_node"],
)
def test_a_tree_that_is_not_plain_data_is_refused(arrays, body, tree) -> None:
    with pytest.raises(ProtocolError, match="unreadable message"):
        decode(_message(arrays, body, tree))
