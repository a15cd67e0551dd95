#!/usr/bin/env python3
"""An aiosmtpd server for SMTPKit's tests: plain, STARTTLS or implicit TLS, optional AUTH, and chosen faults.

Each message is written to --outdir as N.eml (the bytes received, dot-stuffing undone) and N.json (the envelope).
The bound port is written to --port-file. The server exits when its standard input closes, so it never outlives the test.

Faults (--fault, repeatable): STAGE:ACTION[:COUNT] where STAGE is ehlo, mail, rcpt, rcpt[TEXT] (recipients containing
TEXT), data or final (the reply after the message), ACTION is a reply code (421 also closes the connection), drop (close
the connection) or sleep=SECONDS (then go on normally), and COUNT limits how many times it fires.
"""
import argparse
import asyncio
import json
import os
import ssl
import sys
import threading

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

parser = argparse.ArgumentParser()
parser.add_argument("--port-file", required=True)
parser.add_argument("--outdir", required=True)
parser.add_argument("--tls", choices=["none", "starttls", "implicit"], default="none")
parser.add_argument("--cert")
parser.add_argument("--key")
parser.add_argument("--auth", help="user:password")
parser.add_argument("--require-auth", action="store_true")
parser.add_argument("--auth-insecure", action="store_true", help="offer AUTH without TLS")
parser.add_argument("--size", type=int, default=33554432)
parser.add_argument("--smtputf8", action="store_true")
parser.add_argument("--fault", action="append", default=[])
args = parser.parse_args()


class Fault:
    def __init__(self, spec):
        parts = spec.split(":")
        self.stage, self.action = parts[0], parts[1]
        self.remaining = int(parts[2]) if len(parts) > 2 else None
        self.match = None
        if self.stage.startswith("rcpt[") and self.stage.endswith("]"):
            self.match = self.stage[5:-1]
            self.stage = "rcpt"

    def fires(self, stage, argument=""):
        if stage != self.stage or (self.match is not None and self.match not in argument):
            return False
        if self.remaining is not None:
            if self.remaining <= 0:
                return False
            self.remaining -= 1
        return True


faults = [Fault(spec) for spec in args.fault]
counter = {"messages": 0, "connections": 0}


async def apply_fault(smtp, stage, argument=""):
    """Returns True when the fault answered the command itself."""
    for fault in faults:
        if not fault.fires(stage, argument):
            continue
        if fault.action == "drop":
            smtp.transport.close()
            return True
        if fault.action.startswith("sleep="):
            await asyncio.sleep(float(fault.action[6:]))
            return False
        code = int(fault.action)
        await smtp.push(f"{code} {code // 100}.0.0 fault injected at {stage}")
        if code == 421:
            smtp.transport.close()
        return True
    return False


class FaultySMTP(SMTP):
    def connection_made(self, transport):
        counter["connections"] += 1
        with open(os.path.join(args.outdir, "connections"), "w") as f:
            f.write(str(counter["connections"]))
        super().connection_made(transport)

    async def smtp_EHLO(self, arg):
        if not await apply_fault(self, "ehlo", arg or ""):
            await super().smtp_EHLO(arg)

    async def smtp_MAIL(self, arg):
        if not await apply_fault(self, "mail", arg or ""):
            await super().smtp_MAIL(arg)

    async def smtp_RCPT(self, arg):
        if not await apply_fault(self, "rcpt", arg or ""):
            await super().smtp_RCPT(arg)

    async def smtp_DATA(self, arg):
        for fault in faults:
            if fault.stage == "data" and fault.action == "drop" and fault.fires("data"):
                # Take a little of the message, then hang up in the middle of it.
                await self.push("354 End data with <CR><LF>.<CR><LF>")
                await asyncio.sleep(0.05)
                self.transport.close()
                return
        if not await apply_fault(self, "data", arg or ""):
            await super().smtp_DATA(arg)


class Handler:
    async def handle_DATA(self, server, session, envelope):
        for fault in faults:
            if fault.fires("final"):
                if fault.action.startswith("sleep="):
                    await asyncio.sleep(float(fault.action[6:]))
                    break
                if fault.action == "drop":
                    server.transport.close()
                    return "421 4.0.0 dropped"
                return f"{fault.action} {int(fault.action) // 100}.0.0 fault injected at final"
        counter["messages"] += 1
        base = os.path.join(args.outdir, str(counter["messages"]))
        content = envelope.original_content if envelope.original_content is not None else envelope.content
        with open(base + ".json.tmp", "w") as f:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                       "mail_options": envelope.mail_options, "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
                       "auth": session.authenticated}, f)
        with open(base + ".eml", "wb") as f:
            f.write(content)
        os.rename(base + ".json.tmp", base + ".json")
        return "250 2.0.0 OK: queued"


def authenticator(server, session, envelope, mechanism, auth_data):
    if args.auth and isinstance(auth_data, LoginPassword):
        user, password = args.auth.split(":", 1)
        if auth_data.login == user.encode() and auth_data.password == password.encode():
            return AuthResult(success=True)
    return AuthResult(success=False, handled=False)


def tls_context():
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.cert, args.key)
    return context


def watch_stdin(loop):
    sys.stdin.buffer.read()  # returns at EOF, when the test (or its process) is gone
    os._exit(0)


async def main():
    loop = asyncio.get_running_loop()
    context = tls_context() if args.tls != "none" else None

    def factory():
        return FaultySMTP(
            Handler(),
            hostname="aiosmtpd.test",
            data_size_limit=args.size,
            enable_SMTPUTF8=args.smtputf8,
            decode_data=False,
            tls_context=context if args.tls == "starttls" else None,
            require_starttls=False,
            authenticator=authenticator if args.auth else None,
            auth_required=args.require_auth,
            auth_require_tls=not args.auth_insecure,
        )

    server = await loop.create_server(factory, "127.0.0.1", 0, ssl=context if args.tls == "implicit" else None)
    port = server.sockets[0].getsockname()[1]
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(port))
    os.rename(args.port_file + ".tmp", args.port_file)
    threading.Thread(target=watch_stdin, args=(loop,), daemon=True).start()
    await server.serve_forever()


asyncio.run(main())
