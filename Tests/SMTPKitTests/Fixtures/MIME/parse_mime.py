#!/usr/bin/env python3
"""Parse a message with Python's email package and print a JSON summary for the Swift tests.

usage: parse_mime.py MESSAGE_FILE
"""
import email
import email.policy
import base64
import json
import sys


def addresses(message, name):
    header = message[name]
    if header is None:
        return []
    return [{"name": a.display_name, "address": a.addr_spec} for a in header.addresses]


def structure(part):
    if part.is_multipart():
        return f"{part.get_content_type()}({','.join(structure(p) for p in part.iter_parts())})"
    return part.get_content_type()


def main():
    with open(sys.argv[1], "rb") as handle:
        raw = handle.read()
    message = email.message_from_bytes(raw, policy=email.policy.default)
    defects = [f"{type(d).__name__}" for part in message.walk() for d in part.defects]
    parts = []
    for part in message.walk():
        if part.is_multipart():
            continue
        summary = {
            "content_type": part.get_content_type(),
            "transfer_encoding": part.get("Content-Transfer-Encoding", ""),
            "disposition": part.get_content_disposition(),
            "filename": part.get_filename(),
            "content_id": part.get("Content-ID"),
        }
        if part.get_content_maintype() == "text":
            summary["text"] = part.get_content().replace("\r\n", "\n")
        else:
            data = part.get_content()
            summary["size"] = len(data)
            summary["base64"] = base64.b64encode(data).decode()
        parts.append(summary)
    print(json.dumps({
        "subject": str(message["Subject"] or ""),
        "from": addresses(message, "From"),
        "to": addresses(message, "To"),
        "cc": addresses(message, "Cc"),
        "message_id": str(message["Message-ID"] or ""),
        "date": str(message["Date"] or ""),
        "custom": {k: str(v) for k, v in message.items() if k.lower().startswith("x-") or k.lower().startswith("list-")},
        "structure": structure(message),
        "defects": defects,
        "max_line": max(len(line) for line in raw.split(b"\r\n")),
        "bare_lf": raw.replace(b"\r\n", b"").count(b"\n"),
        "parts": parts,
    }, ensure_ascii=False))


main()
