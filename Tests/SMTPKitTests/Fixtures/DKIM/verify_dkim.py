#!/usr/bin/env python3
"""Verify DKIM signatures with dkimpy, answering the key lookup from a file instead of DNS.

usage: verify_dkim.py RECORD_NAME RECORD_FILE MESSAGE_FILE [MESSAGE_FILE...]

Prints one line per message: "pass" or "fail <reason>". Exit status: 0 when every message
verified, 1 when any failed, 3 when dkimpy (or PyNaCl, needed for ed25519) is missing.
"""
import sys

try:
    import dkim
    import nacl.signing  # noqa: F401  dkimpy needs it for ed25519-sha256
except ImportError as error:
    print(f"missing Python package ({error}); install with: pip install dkimpy pynacl", file=sys.stderr)
    sys.exit(3)


def main():
    record_name, record_file, messages = sys.argv[1], sys.argv[2], sys.argv[3:]
    with open(record_file, "rb") as handle:
        record = handle.read().strip()
    asked = []

    def dnsfunc(name, timeout=5):
        name = name.decode() if isinstance(name, bytes) else name
        asked.append(name)
        return record if name.rstrip(".") == record_name else None

    all_passed = True
    for path in messages:
        with open(path, "rb") as handle:
            message = handle.read()
        try:
            ok = dkim.verify(message, dnsfunc=dnsfunc)
            reason = "" if ok else f"signature did not verify (asked DNS for {asked})"
        except Exception as error:  # dkimpy raises on malformed signatures
            ok, reason = False, f"{type(error).__name__}: {error}"
        all_passed = all_passed and ok
        print("pass" if ok else f"fail {reason}")
    sys.exit(0 if all_passed else 1)


main()
