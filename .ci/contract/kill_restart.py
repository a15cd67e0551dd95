#!/usr/bin/env python3
"""A killed server loses no mail: 10,000 messages are queued, `smartmails serve` is killed with SIGKILL while it
delivers them to a real SMTP server (aiosmtpd), and started again on the same data. Every message must arrive, and
no more of them twice than the worker had in flight when it died (the delivery concurrency, 32), and the server
must count every such possible duplicate (it counts each message it held claimed, at most 64) (`smartmails_delivery_possible_duplicates_total{reason="lease_expired"}`)
and say so on the message's timeline.

    kill_restart.py --binary .build/debug/smartmails --engine sqlite|postgres
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server import Server, StageFailure  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SINK = os.path.join(HERE, "..", "..", "Tests", "SMTPKitTests", "Fixtures", "SMTP", "aiosmtpd_server.py")
# The worker claims as many again ahead of those in flight; those it never sent are counted but cannot arrive twice.
MESSAGES, BATCH, IN_FLIGHT, CLAIMED = 10_000, 1_000, 32, 64


def received(folder):
    """The recipients of every message the sink has written, in order (one recipient each)."""
    recipients, index = [], 1
    while os.path.exists(os.path.join(folder, f"{index}.json")):
        with open(os.path.join(folder, f"{index}.json")) as handle:
            recipients += json.load(handle)["rcpt_tos"]
        index += 1
    return recipients


def get(server, path):
    request = urllib.request.Request(server.url + path, headers={"Authorization": f"Bearer {server.first_key}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read()


def count_files(folder):
    return sum(1 for name in os.listdir(folder) if name.endswith(".json"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    arguments = parser.parse_args()
    outdir = tempfile.mkdtemp(prefix="smartmails-kill-sink-")
    port_file = os.path.join(outdir, "port")
    sink = subprocess.Popen([sys.executable, SINK, "--port-file", port_file, "--outdir", outdir], stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while not os.path.exists(port_file):
            if time.monotonic() > deadline or sink.poll() is not None:
                raise StageFailure("aiosmtpd did not start (python3-aiosmtpd)")
            time.sleep(0.05)
        relay = f"smtp://127.0.0.1:{open(port_file).read().strip()}?tls=none"
        # A short lease, so that on PostgreSQL the killed node's claims come back within seconds.
        environment = {"SMARTMAILS_SMTP_URL": relay, "SMARTMAILS_QUEUE_LEASE": "5"}
        with Server(arguments.binary, arguments.engine, os.environ.get("SMARTMAILS_TEST_POSTGRES_URL"), environment) as server:
            started = time.monotonic()
            for first in range(0, MESSAGES, BATCH):
                messages = [{"from": {"email": "shop@example.com"}, "to": [{"email": f"r{n}@example.org"}], "subject": f"Order {n}", "text": "x"}
                            for n in range(first, first + BATCH)]
                request = urllib.request.Request(server.url + "/v1/messages/batch", data=json.dumps({"messages": messages}).encode(),
                                                 headers={"Authorization": f"Bearer {server.first_key}", "Content-Type": "application/json"})
                with urllib.request.urlopen(request, timeout=60) as response:
                    if json.load(response)["queued"] != BATCH:
                        raise StageFailure("a batch was not queued whole")
            # Killed mid-send: once some thousands are out and thousands are still queued.
            while count_files(outdir) < 2_000:
                if time.monotonic() - started > 240:
                    raise StageFailure(f"only {count_files(outdir)} messages arrived in 240 s:\n{server.logs()}")
                time.sleep(0.05)
            before = count_files(outdir)
            server.kill_and_restart()
            while len(set(received(outdir))) < MESSAGES:
                if time.monotonic() - started > 480:
                    got = set(received(outdir))
                    raise StageFailure(f"after the kill, {MESSAGES - len(got)} messages never arrived:\n{server.logs()}")
                time.sleep(0.2)
            time.sleep(1)  # anything still in flight lands, so that duplicates are all counted
            everything = received(outdir)
            duplicates = len(everything) - len(set(everything))
            if duplicates > IN_FLIGHT:
                raise StageFailure(f"{duplicates} messages arrived twice; at most the {IN_FLIGHT} in flight may")
            metrics = get(server, "/metrics").decode()
            match = re.search(r'smartmails_delivery_possible_duplicates_total\{reason="lease_expired"\} (\d+)', metrics)
            counted = int(match.group(1)) if match else 0
            if not duplicates <= counted <= CLAIMED:
                raise StageFailure(f"{duplicates} messages arrived twice, but the server counted {counted} possible duplicates (claimed: at most {CLAIMED})")
            twice = next((address for address in set(everything) if everything.count(address) > 1), None)
            if twice:
                found = json.loads(get(server, f"/v1/messages?recipient={twice}"))["data"]
                timeline = json.loads(get(server, f"/v1/messages/{found[0]['id']}"))["events"]
                if not any("may arrive twice" in (event.get("detail") or "") for event in timeline):
                    raise StageFailure(f"the timeline of a message that arrived twice does not say it may have: {timeline}")
            print(f"kill -9 ({arguments.engine}): killed after {before} of {MESSAGES} messages; all {MESSAGES} arrived after the restart, "
                  f"{duplicates} twice (at most {IN_FLIGHT} in flight; the server counted {counted} possible duplicates), {time.monotonic() - started:.0f} s")
    except StageFailure as failure:
        print(f"kill -9 ({arguments.engine}): FAILED\n{failure}")
        return 1
    finally:
        sink.stdin.close()
        sink.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
