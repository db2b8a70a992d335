#!/usr/bin/env python3
"""Interop peer for tests/tests/interop_pycose.rs: pycose (with cbor2) on the other side.

Two sub-commands, driven by the Rust test through std::process::Command:

  sign    --d HEX --payload HEX [--aad HEX] [--kid HEX] [--detached]
          Signs a tagged (18) COSE_Sign1 with ES256 in the protected header and, when given, the
          kid in the unprotected header. Prints one JSON object on stdout:
          {"message": hex, "x": hex, "y": hex, "cose_key": hex of the public COSE_Key}.

  verify  --message HEX --cose-key HEX --payload HEX [--aad HEX] [--kid HEX] [--detached]
          Decodes the message with Sign1Message.decode, imports the public key from the
          COSE_Key (which the Rust library wrote), verifies the signature and checks the
          payload, the protected alg and the unprotected kid.

Exit status of verify is the verdict:
  0  signature valid and every field as expected
  1  signature does not verify
  2  signature valid but a field differs from what was expected
  3  the message or key could not be decoded (or bad usage)
"""

import argparse
import json
import sys
from collections.abc import Mapping

import cbor2
from pycose.algorithms import Es256
from pycose.headers import KID, Algorithm
from pycose.keys import CoseKey
from pycose.keys.curves import P256
from pycose.keys.ec2 import EC2Key
from pycose.messages import Sign1Message

OK, BAD_SIGNATURE, MISMATCH, DECODE_ERROR = 0, 1, 2, 3


def hex_arg(value):
    return bytes.fromhex(value)


def decode_sign1(data):
    """Sign1Message.decode, with a fallback for pycose 1.1.0 under cbor2 >= 6.

    cbor2 6 decodes a CBOR array inside a tag as a tuple, and pycose 1.1.0's decode checks
    isinstance(value, list), so it refuses every message ("Bytes cannot be decoded as COSE
    message", pycose issue #141). tests/py/requirements.txt pins cbor2 < 6; when a newer cbor2 is
    installed anyway, the same message is handed to pycose's own from_cose_obj as a list, which
    (with the unprotected map as a dict) is what decode would have done, and a note goes to stderr.
    """
    try:
        return Sign1Message.decode(data)
    except TypeError:
        obj = cbor2.loads(data)
        if not (isinstance(obj, cbor2.CBORTag) and obj.tag == 18 and isinstance(obj.value, tuple)):
            raise
        print("note: cbor2 >= 6 tuple arrays, pycose#141 fallback used", file=sys.stderr)
        # The immutable decoding context also turns the unprotected map into a frozen mapping.
        fields = [dict(v) if isinstance(v, Mapping) else v for v in obj.value]
        return Sign1Message.from_cose_obj(fields, True)


def cmd_sign(args):
    key = EC2Key(crv=P256, d=args.d)
    uhdr = {KID: args.kid} if args.kid is not None else {}
    msg = Sign1Message(
        phdr={Algorithm: Es256},
        uhdr=uhdr,
        payload=None if args.detached else args.payload,
        external_aad=args.aad,
        key=key,
    )
    encoded = msg.encode(tag=True, detached_payload=args.payload if args.detached else None)
    public = EC2Key(crv=P256, x=key.x, y=key.y)
    print(
        json.dumps(
            {
                "message": encoded.hex(),
                "x": key.x.hex(),
                "y": key.y.hex(),
                "cose_key": public.encode().hex(),
            }
        )
    )
    return OK


def cmd_verify(args):
    try:
        msg = decode_sign1(args.message)
        key = CoseKey.decode(args.cose_key)
    except Exception as e:  # pycose raises a variety of types on bad input
        print(f"decode failed: {type(e).__name__}: {e}", file=sys.stderr)
        return DECODE_ERROR
    if not isinstance(key, EC2Key) or key.crv != P256:
        print(f"unexpected key: {key!r}", file=sys.stderr)
        return DECODE_ERROR
    msg.key = key
    msg.external_aad = args.aad
    try:
        valid = msg.verify_signature(detached_payload=args.payload if args.detached else None)
    except Exception as e:
        print(f"verify raised: {type(e).__name__}: {e}", file=sys.stderr)
        return DECODE_ERROR
    if not valid:
        print("signature does not verify", file=sys.stderr)
        return BAD_SIGNATURE

    problems = []
    if msg.phdr.get(Algorithm) is not Es256:
        problems.append(f"protected alg is {msg.phdr.get(Algorithm)!r}, not ES256")
    if Algorithm in msg.uhdr:
        problems.append("alg in the unprotected header")
    expected_payload = None if args.detached else args.payload
    if msg.payload != expected_payload:
        problems.append(f"payload {msg.payload!r} != {expected_payload!r}")
    if msg.uhdr.get(KID) != args.kid:
        problems.append(f"unprotected kid {msg.uhdr.get(KID)!r} != {args.kid!r}")
    if len(msg.signature) != 64:
        problems.append(f"signature is {len(msg.signature)} bytes, not 64")
    if problems:
        for p in problems:
            print(p, file=sys.stderr)
        return MISMATCH
    print("verified")
    return OK


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    sign = sub.add_parser("sign")
    sign.add_argument("--d", type=hex_arg, required=True)
    verify = sub.add_parser("verify")
    verify.add_argument("--message", type=hex_arg, required=True)
    verify.add_argument("--cose-key", type=hex_arg, required=True)
    for p in (sign, verify):
        p.add_argument("--payload", type=hex_arg, required=True)
        p.add_argument("--aad", type=hex_arg, default=b"")
        p.add_argument("--kid", type=hex_arg, default=None)
        p.add_argument("--detached", action="store_true")

    try:
        args = parser.parse_args()
    except SystemExit as e:
        return DECODE_ERROR if e.code else OK
    if args.command == "sign":
        return cmd_sign(args)
    return cmd_verify(args)


if __name__ == "__main__":
    sys.exit(main())
