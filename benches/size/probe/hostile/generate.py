#!/usr/bin/env python3
"""Writes the hostile claims sets that stack_thumb.rs signs and verifies on the target.

Each is valid ECN PP evidence as far as the decoder is concerned (it verifies and is appraised
in full) and takes a shape that drives the verifier's stack: submodules nested to the library's
bound (MAX_SUBMODULE_DEPTH = 4), every claims set full of typed claims, maps out of order
(lenient mode), unknown claims nested to the CBOR bound (MAX_DEPTH = 16).

    python3 benches/size/probe/hostile/generate.py    (writes *.cbor next to this script)
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    for ai, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if n < 1 << (8 * struct.calcsize(fmt)):
            return bytes([major << 5 | ai]) + struct.pack(fmt, n)
    raise ValueError(n)


def enc(v):
    if v is True:
        return b"\xf5"
    if v is False:
        return b"\xf4"
    if isinstance(v, int):
        return head(0, v) if v >= 0 else head(1, -1 - v)
    if isinstance(v, bytes):
        return head(2, len(v)) + v
    if isinstance(v, str):
        b = v.encode()
        return head(3, len(b)) + b
    if isinstance(v, list):
        return head(4, len(v)) + b"".join(enc(x) for x in v)
    if isinstance(v, Map):
        return head(5, len(v.items)) + b"".join(enc(k) + enc(x) for k, x in v.items)
    raise TypeError(v)


class Map:
    """A map written in the order given (so a test can write one out of order)."""

    def __init__(self, items, order="sorted"):
        items = list(items)
        items.sort(key=lambda kv: enc(kv[0]))
        if order == "reversed":
            items.reverse()
        self.items = items


PROFILE = bytes.fromhex("69d9cea1b8dbcac2be95b8a2c8f9ccc892ce7001")
OEM = bytes.fromhex("001b44")
NONCE = b"\x5a" * 32


def nested_unknown(levels):
    """An unknown claim value nested `levels` arrays deep."""
    v = 1
    for _ in range(levels):
        v = [v]
    return v


def claims_set(depth, deepest, order, unknown_levels):
    """A submodule claims set at submodule depth `depth`, holding the next one below it."""
    items = [
        (10, NONCE),
        (256, bytes([1]) + bytes([depth]) * 16),
        (258, OEM),
        (259, b"module-%d" % depth),
        (260, ["1.0", 1]),
        (261, 1000),
        (262, True),
        (263, 4),
        (267, 7),
        (270, "component-%d" % depth),
        (271, ["1.%d" % depth, 16384]),
        (273, [[0, bytes([0x40 + depth]) * 32], [0, bytes([0x50 + depth]) * 32]]),
        (-90104, 2),
        (-90105, 9),
        (-75001, "unknown claim"),
    ]
    if depth == deepest:
        # The deepest claims set: an unknown claim nested as deep as the CBOR bound allows.
        items.append((-75002, nested_unknown(unknown_levels)))
    else:
        items.append((266, Map([("level-%d" % (depth + 1),
                                  claims_set(depth + 1, deepest, order, unknown_levels))],
                               order(depth + 1))))
    return Map(items, order(depth))


def evidence(order, deepest=4, wide=0):
    # CBOR nesting of a claim value in a claims set at submodule depth d is 2 + 2d (the top map
    # at level 1); the bound is 16, so an unknown claim's value there may nest 16 - (2 + 2d)
    # levels of arrays.
    unknown_levels = 16 - (2 + 2 * deepest)
    se = Map([(258, OEM), (259, b"se-050"), (263, 4)], order(1))
    tee = claims_set(1, deepest, order, unknown_levels)
    top = [
        (265, PROFILE),
        (10, NONCE),
        (256, bytes([1]) * 17),
        (258, OEM),
        (259, b"edge-node-x1"),
        (270, "edge-os"),
        (271, ["4.2.1", 16384]),
        (262, True),
        (263, 3),
        (6, 1789999995),
        (273, [[0, b"\x11" * 32], [0, b"\x33" * 32]]),
        (-90101, 3),
        (-90102, "NSCIB-PP-0112146/1.0.7"),
        (-90104, 2),
        (266, Map([("se", se), ("tee", tee)]
                  + [("wide-%d" % i, claims_set(1, deepest, order, unknown_levels))
                     for i in range(wide)], order(0))),
    ]
    return enc(Map(top, order(0)))


SHAPES = {
    # Submodules nested to the bound, every map in core deterministic order.
    "nested-sorted": lambda: evidence(lambda d: "sorted"),
    # The same, the deepest claims set out of order (lenient mode reads it).
    "nested-unsorted-deepest": lambda: evidence(lambda d: "reversed" if d == 4 else "sorted"),
    # Every map out of order.
    "nested-unsorted-all": lambda: evidence(lambda d: "reversed"),
    # Eight more submodules beside "se" and "tee", each nested to the bound.
    "wide-nested": lambda: evidence(lambda d: "sorted", wide=8),
}

if __name__ == "__main__":
    for name, make in SHAPES.items():
        data = make()
        with open(os.path.join(HERE, name + ".cbor"), "wb") as f:
            f.write(data)
        print(f"{name}.cbor: {len(data)} bytes")
