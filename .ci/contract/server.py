"""A fresh `smartmails serve` for one contract stage: started the way the README says (no flags, in an empty
folder) on SQLite, or on a new PostgreSQL database, and stopped with SIGTERM, which must end it cleanly."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

KEY_PATTERN = re.compile(r"\bsm_live_[0-9A-Za-z]{38}\b")


class StageFailure(Exception):
    """A stage's own failure: its message is what CI prints."""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, binary, engine, postgres_url=None, extra_env=None):
        self.binary = os.path.abspath(binary)
        self.extra_env = extra_env or {}
        self.engine = engine
        self.postgres_url = postgres_url
        self.folder = tempfile.mkdtemp(prefix=f"smartmails-contract-{engine}-")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database_url = None
        self.database_name = None
        self.process = None
        self.first_key = None
        self.banner = ""

    # The environment of every smartmails process of the stage: only the port differs from the README's defaults
    # (several stages and the test suite share the machine), and PostgreSQL's URL when that is the engine.
    def environment(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("SMARTMAILS_")}
        env["SMARTMAILS_PORT"] = str(self.port)
        env.update(self.extra_env)
        if self.database_url:
            env["SMARTMAILS_DATABASE_URL"] = self.database_url
        return env

    def __enter__(self):
        if self.engine == "postgres":
            self._create_database()
        self.stdout_path = os.path.join(self.folder, "stdout.log")
        self.stderr_path = os.path.join(self.folder, "stderr.log")
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.process = subprocess.Popen([self.binary, "serve"], cwd=self.folder, env=self.environment(), stdout=out, stderr=err)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise StageFailure(f"smartmails serve exited with {self.process.returncode}:\n{self.logs()}")
            self.banner = open(self.stdout_path, encoding="utf-8", errors="replace").read()
            match = KEY_PATTERN.search(self.banner)
            if match and self._healthy():
                self.first_key = match.group(0)
                return self
            time.sleep(0.1)
        raise StageFailure(f"smartmails serve printed no key or did not answer /healthz within 60 s:\n{self.logs()}")

    def __exit__(self, *exc):
        self.stop(check=exc[0] is None)
        return False

    def stop(self, check=True):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                if check:
                    raise StageFailure("smartmails serve did not stop within 30 s of SIGTERM")
            if check and self.process.returncode != 0:
                raise StageFailure(f"smartmails serve exited with {self.process.returncode} on SIGTERM:\n{self.logs()}")
        if self.database_name:
            self._psql(f'DROP DATABASE IF EXISTS "{self.database_name}" WITH (FORCE)')
            self.database_name = None

    def kill_and_restart(self):
        """SIGKILL (nothing gets to run on the way out), then `smartmails serve` again on the same data."""
        self.process.kill()
        self.process.wait()
        with open(self.stdout_path, "ab") as out, open(self.stderr_path, "ab") as err:
            self.process = subprocess.Popen([self.binary, "serve"], cwd=self.folder, env=self.environment(), stdout=out, stderr=err)
        deadline = time.monotonic() + 60
        while not self._healthy():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise StageFailure(f"smartmails serve did not come back after a kill:\n{self.logs()}")
            time.sleep(0.1)

    def logs(self):
        parts = []
        for path in (getattr(self, "stdout_path", None), getattr(self, "stderr_path", None)):
            if path and os.path.exists(path):
                parts.append(open(path, encoding="utf-8", errors="replace").read()[-4000:])
        return "\n".join(parts)

    def cli(self, *arguments):
        """Runs `smartmails ARGUMENTS` on the server's own data (same folder, same database) and returns stdout."""
        result = subprocess.run([self.binary, *arguments], cwd=self.folder, env=self.environment(),
                                capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise StageFailure(f"smartmails {' '.join(arguments)} failed ({result.returncode}): {result.stderr.strip()}")
        return result.stdout

    def _healthy(self):
        try:
            with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, ConnectionError, OSError):
            return False

    def _create_database(self):
        if not self.postgres_url:
            raise StageFailure("the postgres stage needs SMARTMAILS_TEST_POSTGRES_URL")
        self.database_name = "smartmails_contract_" + uuid.uuid4().hex[:12]
        self._psql(f'CREATE DATABASE "{self.database_name}"')
        parts = urllib.parse.urlsplit(self.postgres_url)
        self.database_url = urllib.parse.urlunsplit(parts._replace(path="/" + self.database_name))

    def _psql(self, statement):
        result = subprocess.run(["psql", self.postgres_url, "-qAtc", statement], capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise StageFailure(f"psql failed: {result.stderr.strip()}")


class LocalDNS:
    """The tests' DNS server (dnslib) on loopback, answering from a zone file this stage rewrites."""

    SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests", "SmartMailsTestSupport", "Fixtures", "dns_server.py")

    def __enter__(self):
        self.folder = tempfile.mkdtemp(prefix="smartmails-dns-")
        self.zone = os.path.join(self.folder, "zone.json")
        self.publish([])
        port_file = os.path.join(self.folder, "port")
        self.process = subprocess.Popen([sys.executable, self.SCRIPT, "--zone", self.zone, "--port-file", port_file], stdin=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while not os.path.exists(port_file):
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise StageFailure("the DNS fixture did not start (pip install dnslib)")
            time.sleep(0.05)
        self.address = "127.0.0.1:" + open(port_file).read().strip()
        return self

    def publish(self, records):
        with open(self.zone + ".tmp", "w") as handle:
            json.dump({"records": records, "faults": {}}, handle)
        os.replace(self.zone + ".tmp", self.zone)

    def __exit__(self, *exc):
        self.process.stdin.close()
        self.process.wait(timeout=10)
        return False
