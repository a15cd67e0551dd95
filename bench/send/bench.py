#!/usr/bin/env python3
"""bench/send/run.sh's measurements (standard library only): see run.sh for what each figure is.

    bench.py BINARY ACCEPT DELIVER LATENCY CONNECTIONS ROUNDS
"""
import datetime
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

TARGET_ACCEPT = 10_000
TARGET_DELIVERY_RATIO = 0.7
TARGET_P50_MS, TARGET_P99_MS = 20, 100
KEY_PATTERN = re.compile(rb"sm_live_[0-9A-Za-z]{38}")
# About 5 KB rendered: a receipt with a few lines per item, personalised.
HTML = "<html><body><h1>Thank you, {{name}}!</h1><p>Order {{order}} is confirmed.</p>" + "".join(
    f"<tr><td>Item {n}: {{{{item}}}}</td><td>{{{{price}}}}</td><td>Lorem ipsum dolor sit amet, consectetur adipiscing elit.</td></tr>"
    for n in range(36)) + "</body></html>"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def verdict(ok):
    return "PASS" if ok else "FAIL"


class Server:
    def __init__(self, binary, folder, environment):
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("SMARTMAILS_")}
        env.update(environment, SMARTMAILS_PORT=str(self.port), SMARTMAILS_LOG_LEVEL="warning", SMARTMAILS_DATA_DIR=os.path.join(folder, "data"))
        self.out = open(os.path.join(folder, "server.out"), "wb")
        self.process = subprocess.Popen([binary, "serve"], cwd=folder, env=env, stdout=self.out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                self.call("GET", "/healthz")
                break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    sys.exit("the server did not start:\n" + open(self.out.name, errors="replace").read()[-2000:])
                time.sleep(0.1)
        match = KEY_PATTERN.search(open(self.out.name, "rb").read())
        self.key = match.group(0).decode() if match else None
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)

    def call(self, method, path, body=None, key=None, connection=None):
        own = connection is None
        connection = connection or http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        connection.request(method, path, body=json.dumps(body).encode() if body is not None else None, headers=headers)
        response = connection.getresponse()
        data = response.read()
        if own:
            connection.close()
        if response.status >= 400:
            sys.exit(f"{method} {path} answered {response.status}: {data[:400]!r}")
        return json.loads(data) if data and data[:1] in b"{[" else data

    def delivered(self):
        text = self.call("GET", "/metrics").decode()
        match = re.search(r'smartmails_delivery_attempts_total\{status="delivered"\} (\d+)', text)
        return int(match.group(1)) if match else 0

    def peak_rss_mb(self):
        with open(f"/proc/{self.process.pid}/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def batches(total, make):
    for first in range(0, total, 1000):
        yield {"messages": [make(n) for n in range(first, min(total, first + 1000))]}


def smtp_source(port, count, connections):
    started = time.monotonic()
    subprocess.run(["/usr/sbin/smtp-source", "-s", str(connections), "-l", "5120", "-m", str(count), "-f", "shop@example.com",
                    "-t", "ana@example.org", f"127.0.0.1:{port}"], check=True, timeout=900)
    return count / (time.monotonic() - started)


def deliver_all(server, key, template, deliver, queue_rate):
    """Queues DELIVER templated messages due a little ahead (the time queuing them at `queue_rate` messages/s takes,
    and some) and times them from due to all delivered: (messages/s, the queuing rate seen)."""
    before = server.delivered()
    began = time.monotonic()
    due = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=3 + 1.5 * deliver / queue_rate)
    due_text = due.strftime("%Y-%m-%dT%H:%M:%SZ")
    templated = lambda n: {"from": {"email": "shop@shop.example"}, "to": [{"email": f"d{n}@example.org"}], "send_at": due_text,
                           "template": {"id": template["id"], "data": {"name": f"Customer {n}", "order": str(n), "item": "Widget", "price": "9.90"}}}
    for body in batches(deliver, templated):
        server.call("POST", "/v1/messages/batch", body, key, server.connection)
    queued = deliver / (time.monotonic() - began)
    due_at = datetime.datetime.strptime(due_text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc).timestamp()
    if time.time() > due_at:
        print("  (queuing took longer than the head start: the delivery figure includes some of it)")
    while time.time() < due_at:
        time.sleep(0.01)
    started = time.monotonic()
    while server.delivered() - before < deliver:
        if time.monotonic() - started > 900:
            sys.exit(f"only {server.delivered() - before} of {deliver} delivered in 900 s")
        time.sleep(0.05)
    return deliver / (time.monotonic() - started), queued


def main():
    binary, accept, deliver, latency, connections, rounds = os.path.abspath(sys.argv[1]), *map(int, sys.argv[2:7])
    work = tempfile.mkdtemp(prefix="smartmails-send-bench-")
    sink_port = free_port()
    sink = subprocess.Popen(["/usr/sbin/smtp-sink", "-u", "nobody", f"127.0.0.1:{sink_port}", "1024"])
    # Ed25519 alone is the target; both signatures (the default) show what RSA-2048 costs.
    signings = [("ed25519", "Ed25519"), ("ed25519,rsa", "Ed25519 and RSA-2048")]
    try:
        time.sleep(0.5)
        environment = {"SMARTMAILS_SMTP_URL": f"smtp://127.0.0.1:{sink_port}?tls=none", "SMARTMAILS_DELIVERY_CONCURRENCY": str(connections)}
        server = Server(binary, work, environment)
        # A key no rate limit of the benchmark reaches.
        key = subprocess.run([binary, "keys", "create", "--workspace", "default", "--name", "bench", "--scopes", "admin", "--rate-limit", "100000/60"], cwd=work,
                             env={**{k: v for k, v in os.environ.items() if not k.startswith("SMARTMAILS_")}, "SMARTMAILS_DATA_DIR": os.path.join(work, "data")},
                             capture_output=True, text=True, check=True).stdout.strip()
        server.call("POST", "/v1/domains", {"name": "shop.example"}, key)
        template = server.call("POST", "/v1/templates", {"name": "receipt", "subject": "Your order {{order}}", "html": HTML}, key)

        # 1. Acceptance, due in a while so that no delivery runs beside it.
        later = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        plain = lambda n: {"from": {"email": "shop@shop.example"}, "to": [{"email": f"r{n}@example.org"}], "subject": f"Order {n}",
                           "text": "Thank you for your order.", "send_at": later}
        bodies = [json.dumps(body).encode() for body in batches(accept, plain)]
        elapsed = 0.0
        for body in bodies:
            began = time.perf_counter()
            server.connection.request("POST", "/v1/messages/batch", body=body, headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"})
            response = server.connection.getresponse()
            answer = response.read()
            elapsed += time.perf_counter() - began
            if response.status != 200 or json.loads(answer)["queued"] != 1000:
                sys.exit(f"a batch answered {response.status}: {answer[:300]!r}")
        rate = accept / elapsed
        print(f"acceptance: {accept} messages in {len(bodies)} batches, {elapsed:.2f} s: {rate:.0f} messages/s durable "
              f"(target >= {TARGET_ACCEPT}): {verdict(rate >= TARGET_ACCEPT)}", flush=True)
        server.stop()

        # 2. Delivery, interleaved with smtp-source (the ceiling: as many connections, 5 KB messages) in each round.
        ratios = {signing: [] for signing, _ in signings}
        rss = {signing: 0.0 for signing, _ in signings}
        queue_rate = 1000.0
        for round in range(1, rounds + 1):
            ceiling = smtp_source(sink_port, min(deliver, 100_000), connections)
            line = f"round {round}: smtp-source {ceiling:.0f} messages/s"
            for signing, _ in signings:
                server = Server(binary, work, {**environment, "SMARTMAILS_DKIM_SIGNATURES": signing})
                delivery, queue_rate = deliver_all(server, key, template, deliver, queue_rate)
                rss[signing] = max(rss[signing], server.peak_rss_mb())
                ratios[signing].append(delivery / ceiling)
                line += f"; {signing}: {delivery:.0f} messages/s ({delivery / ceiling:.2f})"
                if round < rounds or signing != signings[-1][0]:
                    server.stop()
            print(line, flush=True)
        for signing, label in signings:
            ratio = statistics.median(ratios[signing])
            print(f"delivery: {deliver} templated messages of about 5 KB signed with {label}, median of {rounds} rounds: {ratio:.2f} of smtp-source "
                  f"(target >= {TARGET_DELIVERY_RATIO}): {verdict(ratio >= TARGET_DELIVERY_RATIO)}; peak RSS {rss[signing]:.0f} MB")

        # 3. Latency, one message at a time on the now idle server (both signatures).
        # Fresh connections: the delivery wait leaves the first idle past the server's keep-alive timeout.
        server.connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        polling = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        samples = []
        for n in range(latency):
            message = {"from": {"email": "shop@shop.example"}, "to": [{"email": f"l{n}@example.org"}], "subject": f"Receipt {n}", "text": "Thanks."}
            accepted = server.call("POST", "/v1/messages", message, key, server.connection)
            began = time.perf_counter()
            while True:
                status = server.call("GET", f"/v1/messages/{accepted['id']}", None, key, polling)["status"]
                if status == "delivered":
                    break
                if status not in ("queued", "sending"):
                    sys.exit(f"a latency message ended {status}")
                time.sleep(0.001)
            samples.append((time.perf_counter() - began) * 1000)
        samples.sort()
        p50, p99 = statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.99))]
        print(f"latency, accepted to 250, {latency} messages one at a time: p50 {p50:.1f} ms (target < {TARGET_P50_MS}): {verdict(p50 < TARGET_P50_MS)}, "
              f"p99 {p99:.1f} ms (target < {TARGET_P99_MS}): {verdict(p99 < TARGET_P99_MS)}")
        server.stop()
    finally:
        sink.terminate()
        sink.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
