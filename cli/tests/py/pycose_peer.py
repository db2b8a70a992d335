#!/usr/bin/env python3
"""The other side of cli/tests/pycose_interop.rs: pycose (with cbor2) signs and verifies.

  sign   --d HEX --nonce HEX --kid TEXT --iat N --token FILE --public FILE
         Builds ECN PP evidence claims for the secure-enclave example device (the claims of
         cli/examples/claims-secure-enclave.json, in insertion order: not core deterministic),
         signs a tagged COSE_Sign1 with ES256 in the protected header and the kid unprotected,
         writes the token (binary) and the public key as SEC1 hex.

  verify --token FILE --cose-key FILE
         Decodes the token with Sign1Message.decode, imports the public COSE_Key that
         `ecnpp keygen` wrote, checks alg ES256 and the signature, and prints the claims as one
         JSON object (integer keys as strings, byte strings as hex).

Exit status: 0 done (verify: signature valid); 1 signature invalid; 3 bad input or usage.
"""

import argparse
import json
import sys

import cbor2
from pycose.algorithms import Es256
from pycose.headers import KID, Algorithm
from pycose.keys import CoseKey
from pycose.keys.curves import P256
from pycose.keys.ec2 import EC2Key
from pycose.messages import Sign1Message

PROFILE_OID = bytes.fromhex("69d9cea1b8dbcac2be95b8a2c8f9ccc892ce7001")
OS_DIGEST = bytes.fromhex("5d2ca4453406a7001dcff2882243d13e143a832cf79c1b8fac68cb3a4c258533")
TEE_DIGEST = bytes.fromhex("6a0e6723de0e710253994888edf7eefa0128e95997d2cc1ce06762982225e966")


def evidence_claims(nonce, iat):
    # Deliberately not in deterministic key order: ecnpp accepts it unless --strict.
    return {
        -90101: 3,  # ecnpp-promise: secure-enclave
        -90102: "NSCIB-PP-0112146/1.0.7",
        265: PROFILE_OID,  # eat_profile
        10: nonce,
        6: iat,
        256: bytes.fromhex("017f5aba33769676571d79cc2d276d292a"),  # ueid
        258: 32473,  # oemid: IANA PEN for documentation (RFC 5612)
        259: b"edge-node-x1",  # hwmodel
        270: "edge-os",  # swname
        271: ["4.2.1"],  # swversion
        262: True,  # oemboot
        263: 3,  # dbgstat: disabled-permanently
        273: [[42, OS_DIGEST]],  # measurements
        -90104: 2,  # ecnpp-lifecycle: operational
        266: {  # submods
            "tee": {270: "edge-tee", 273: [[42, TEE_DIGEST]]},
            "se": {258: 32473, 259: b"se-050", 263: 4},
        },
    }


def cmd_sign(args):
    key = EC2Key(crv=P256, d=bytes.fromhex(args.d))
    msg = Sign1Message(
        phdr={Algorithm: Es256},
        uhdr={KID: args.kid.encode()},
        payload=cbor2.dumps(evidence_claims(bytes.fromhex(args.nonce), args.iat)),
        key=key,
    )
    with open(args.token, "wb") as f:
        f.write(msg.encode(tag=True))
    with open(args.public, "w") as f:
        f.write((b"\x04" + key.x + key.y).hex() + "\n")
    return 0


def decode_message(data):
    try:
        return Sign1Message.decode(data)
    except TypeError:
        # cbor2 >= 6 returns tuples for arrays, which pycose 1.1.0 refuses (pycose issue #141):
        # hand the decoded array to pycose as a list.
        obj = cbor2.loads(data)
        if not (isinstance(obj, cbor2.CBORTag) and obj.tag == 18):
            raise
        parts = [dict(p) if hasattr(p, "keys") else p for p in obj.value]
        return Sign1Message.from_cose_obj(parts, True)


def jsonable(value):
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, dict) or hasattr(value, "keys"):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def cmd_verify(args):
    with open(args.token, "rb") as f:
        data = f.read()
    with open(args.cose_key, "rb") as f:
        key = CoseKey.decode(f.read())
    try:
        msg = decode_message(data)
    except Exception as e:  # noqa: BLE001 - any decoding failure is bad input
        print(f"cannot decode: {e}", file=sys.stderr)
        return 3
    if msg.phdr.get(Algorithm) != Es256:
        print(f"alg is {msg.phdr.get(Algorithm)}, not ES256", file=sys.stderr)
        return 3
    msg.key = key
    try:
        ok = msg.verify_signature()
    except Exception as e:  # noqa: BLE001 - pycose raises on some bad signatures
        print(f"verification error: {e}", file=sys.stderr)
        ok = False
    if not ok:
        print("signature invalid", file=sys.stderr)
        return 1
    print(json.dumps({"kid": jsonable(msg.uhdr.get(KID)), "claims": jsonable(cbor2.loads(msg.payload))}))
    return 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sign")
    s.add_argument("--d", required=True)
    s.add_argument("--nonce", required=True)
    s.add_argument("--kid", required=True)
    s.add_argument("--iat", type=int, required=True)
    s.add_argument("--token", required=True)
    s.add_argument("--public", required=True)
    v = sub.add_parser("verify")
    v.add_argument("--token", required=True)
    v.add_argument("--cose-key", required=True)
    args = p.parse_args()
    return cmd_sign(args) if args.cmd == "sign" else cmd_verify(args)


if __name__ == "__main__":
    sys.exit(main())
