#!/usr/bin/env python3
"""Verify every DKIM signature of a message with dkimpy, answering key lookups from a JSON file instead of DNS.

usage: verify_all_dkim.py RECORDS_JSON MESSAGE_FILE

RECORDS_JSON maps record names (selector._domainkey.domain) to TXT values. Prints one line per signature, in order:
"pass a=<algorithm> s=<selector>" or "fail a=... s=... <reason>". Exit status 0 when every signature verified.
"""
import json
import re
import sys

try:
    import dkim
    import nacl.signing  # noqa: F401  dkimpy needs it for ed25519-sha256
except ImportError as error:
    print(f"missing Python package ({error}); install with: pip install dkimpy pynacl", file=sys.stderr)
    sys.exit(3)

with open(sys.argv[1]) as handle:
    records = json.load(handle)
with open(sys.argv[2], "rb") as handle:
    message = handle.read()


def dnsfunc(name, timeout=5):
    name = name.decode() if isinstance(name, bytes) else name
    value = records.get(name.rstrip("."))
    return value.encode() if value else None


verifier = dkim.DKIM(message)
count = len([h for h in verifier.headers if h[0].lower() == b"dkim-signature"])
ok = count > 0
if count == 0:
    print("fail no DKIM-Signature")
for index in range(count):
    signature = dict(re.findall(rb"(\w+)=([^;]*)", verifier.headers[[i for i, h in enumerate(verifier.headers) if h[0].lower() == b"dkim-signature"][index]][1]))
    label = f"a={signature.get(b'a', b'?').decode().strip()} s={signature.get(b's', b'?').decode().strip()}"
    try:
        passed = verifier.verify(idx=index, dnsfunc=dnsfunc)
        print(("pass " if passed else "fail ") + label)
    except Exception as error:  # dkimpy raises on malformed signatures
        passed = False
        print(f"fail {label} {type(error).__name__}: {error}")
    ok = ok and passed
sys.exit(0 if ok else 1)
