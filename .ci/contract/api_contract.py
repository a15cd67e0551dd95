#!/usr/bin/env python3
"""The API contract stage: schemathesis against a fresh server's /openapi.json, every check and every phase.

Zero failures passes. Beyond what schemathesis checks, the stage compares its recorded traffic with the audit
log: every key change the API answered with a 2xx is recorded, and no refused request changed anything (nothing
half-written). Prints one line on success; the failures and the server's log otherwise.

    api_contract.py --binary .build/debug/smartmails --engine sqlite|postgres [--examples N] [--seed N]

PostgreSQL comes from SMARTMAILS_TEST_POSTGRES_URL (a database is made for the run and dropped after it).
"""

import argparse
import collections
import json
import os
import re
import subprocess
import urllib.parse
import sys
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server import LocalDNS, Server, StageFailure  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
KEY_ID = r"key_[0-9a-z]{26}"
# What each successful key operation writes to the audit log.
AUDITED = [
    ("POST", re.compile(r"^/v1/api-keys$"), 201, "api_key.created"),
    ("POST", re.compile(rf"^/v1/api-keys/{KEY_ID}/roll$"), 200, "api_key.rolled"),
    ("POST", re.compile(rf"^/v1/api-keys/{KEY_ID}/revoke$"), 200, "api_key.revoked"),
]


def audit_counts(server, key):
    counts = collections.Counter()
    cursor = None
    while True:
        url = server.url + "/v1/audit-log?limit=100" + (f"&cursor={cursor}" if cursor else "")
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                page = json.load(response)
        except urllib.error.HTTPError as error:
            raise StageFailure(f"reading the audit log with the run's key failed: {error.code} {error.read().decode(errors='replace')}")
        counts.update(event["action"] for event in page["data"])
        cursor = page.get("next_cursor")
        if not cursor:
            return counts


def answered_changes(har_path):
    """Counts the 2xx answers to each audited operation in schemathesis' recorded traffic."""
    counts = collections.Counter()
    with open(har_path, encoding="utf-8") as file:
        entries = json.load(file)["log"]["entries"]
    for entry in entries:
        method = entry["request"]["method"]
        path = urllib.parse.urlsplit(entry["request"]["url"]).path
        status = entry["response"]["status"]
        for audited_method, pattern, success, action in AUDITED:
            if method == audited_method and pattern.match(path) and status == success:
                counts[action] += 1
    return counts, len(entries)


def run(arguments):
    postgres_url = os.environ.get("SMARTMAILS_TEST_POSTGRES_URL")
    # Domain checks ask a DNS server on loopback, never the machine's resolver: the stage talks to nothing else.
    with LocalDNS() as dns, Server(arguments.binary, arguments.engine, postgres_url, {"SMARTMAILS_DNS_SERVER": dns.address}) as server:
        # The run's own key, minted through the CLI like an operator would, with room for the run's request rate.
        key = server.cli("keys", "create", "--name", "schemathesis", "--scopes", "admin", "--rate-limit", "100000/60").strip()
        key_id = next(line.split("\t")[0] for line in server.cli("keys", "list").splitlines() if "\tschemathesis\t" in line)
        before = audit_counts(server, key)
        reports = os.path.join(server.folder, "reports")
        command = [
            # The schemathesis of this Python, which is the one .ci/run installs it into.
            sys.executable, "-m", "schemathesis.cli", "--config-file", os.path.join(HERE, "schemathesis.toml"), "run", server.url + "/openapi.json",
            "-H", f"Authorization: Bearer {key}",
            "--checks", "all", "--phases", "examples,coverage,fuzzing,stateful",
            "--max-examples", str(arguments.examples),
            *(["--seed", str(arguments.seed)] if arguments.seed is not None else ["--generation-deterministic"]),
            "--report", "json,har", "--report-dir", reports, "--no-color",
        ]
        try:
            environment = dict(os.environ, SCHEMATHESIS_HOOKS=os.path.join(HERE, "hooks.py"), SMARTMAILS_CONTRACT_KEY_ID=key_id)
            result = subprocess.run(command, capture_output=True, text=True, timeout=arguments.time_cap, env=environment)
        except subprocess.TimeoutExpired:
            raise StageFailure(f"schemathesis ran past its {arguments.time_cap} s cap")
        output = result.stdout + result.stderr
        report = {name.split("-")[0]: os.path.join(reports, name) for name in os.listdir(reports)}
        if os.environ.get("SMARTMAILS_CONTRACT_VERBOSE"):
            print(output)
        if result.returncode != 0:
            raise StageFailure(f"schemathesis failed (exit {result.returncode}):\n{output}\n--- server log ---\n{server.logs()}")

        after = audit_counts(server, key)
        answered, requests = answered_changes(report["har"])
        with open(report["json"], encoding="utf-8") as file:
            summary = json.load(file)
        for _, _, _, action in AUDITED:
            recorded = after[action] - before[action]
            if recorded != answered[action]:
                raise StageFailure(f"the audit log holds {recorded} {action} events, but the API answered {answered[action]} such requests with success")
        logs = server.logs()
        if key in logs:
            raise StageFailure("the run's API key appears in the server's log")
    return summary


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--engine", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--examples", type=int, default=int(os.environ.get("SMARTMAILS_CONTRACT_EXAMPLES", "100")))
    # Without a seed the inputs are deterministic, so CI repeats itself; a seed (or SMARTMAILS_CONTRACT_SEED)
    # explores other inputs.
    seed = os.environ.get("SMARTMAILS_CONTRACT_SEED")
    parser.add_argument("--seed", type=int, default=int(seed) if seed else None)
    parser.add_argument("--time-cap", type=int, default=600)
    arguments = parser.parse_args()
    try:
        summary = run(arguments)
    except StageFailure as failure:
        print(f"schemathesis ({arguments.engine}): FAILED\n{failure}")
        return 1
    operations = summary["operations"]["tested"]
    cases = summary["test_cases"]["generated"]
    print(f"schemathesis ({arguments.engine}): 0 failures over {operations} operations, {cases} cases")
    return 0


if __name__ == "__main__":
    sys.exit(main())
