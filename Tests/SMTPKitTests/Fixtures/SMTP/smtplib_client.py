#!/usr/bin/env python3
"""Drives SMTPKit's SMTPServer with Python's smtplib (and a raw socket for what smtplib will not do).

Usage: smtplib_client.py PORT. The server under test must refuse recipients containing "bad", answer 451 to messages
whose Subject is "tempfail", and have a size limit of 10000 bytes. Exits 0 and prints OK when every reply was as expected.
"""
import smtplib
import socket
import sys

port = int(sys.argv[1])

with smtplib.SMTP("127.0.0.1", port, local_hostname="python.test", timeout=10) as client:
    code, text = client.ehlo()
    assert code == 250, (code, text)
    for feature in ["pipelining", "size", "8bitmime", "smtputf8"]:
        assert client.has_extn(feature), feature
    assert client.esmtp_features["size"] == "10000"

    # smtplib dot-stuffs the lines that start with a dot.
    message = b"Subject: hello\r\n\r\n.leading dot\r\n..two dots\r\nend\r\n"
    refused = client.sendmail("a@python.test", ["one@x.test", "two@x.test"], message)
    assert refused == {}, refused

    refused = client.sendmail("a@python.test", ["good@x.test", "bad@x.test"], b"Subject: partial\r\n\r\nhi\r\n")
    assert list(refused) == ["bad@x.test"] and refused["bad@x.test"][0] == 550, refused

    try:
        client.sendmail("a@python.test", ["x@x.test"], b"Subject: tempfail\r\n\r\nhi\r\n")
        raise AssertionError("tempfail accepted")
    except smtplib.SMTPDataError as error:
        assert error.smtp_code == 451, error

    try:
        client.sendmail("a@python.test", ["x@x.test"], b"Subject: big\r\n\r\n" + b"x" * 20000 + b"\r\n")
        raise AssertionError("big message accepted")
    except smtplib.SMTPSenderRefused as error:
        assert error.smtp_code == 552, error

    assert client.rset()[0] == 250
    assert client.noop()[0] == 250

# What smtplib does not do: pipelined commands in one write, and an oversized message without SIZE=.
with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
    reader = raw.makefile("rb")

    def reply():
        lines = []
        while True:
            line = reader.readline()
            lines.append(line)
            if line[3:4] != b"-":
                return int(line[:3]), lines

    assert reply()[0] == 220
    raw.sendall(b"EHLO raw.test\r\nMAIL FROM:<r@x.test>\r\nRCPT TO:<p@x.test>\r\nRCPT TO:<bad@x.test>\r\nDATA\r\n")
    codes = [reply()[0] for _ in range(5)]
    assert codes == [250, 250, 250, 550, 354], codes
    raw.sendall(b"Subject: pipelined\r\n\r\nbody\r\n.\r\n")
    assert reply()[0] == 250

    raw.sendall(b"MAIL FROM:<r@x.test>\r\nRCPT TO:<p@x.test>\r\nDATA\r\n")
    codes = [reply()[0] for _ in range(3)]
    assert codes == [250, 250, 354], codes
    raw.sendall(b"Subject: too big\r\n\r\n" + (b"y" * 100 + b"\r\n") * 200 + b".\r\n")
    assert reply()[0] == 552
    raw.sendall(b"DATA\r\n")
    assert reply()[0] == 503
    raw.sendall(b"QUIT\r\n")
    assert reply()[0] == 221

print("OK")
