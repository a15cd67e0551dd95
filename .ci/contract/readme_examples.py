#!/usr/bin/env python3
"""Runs the README's marked examples, in order, against a fresh server, and fails when one answers with an error
status it does not announce or prints something other than what the README shows under it.

In README.md an example is a ```sh block right after a `<!-- example -->` line (`<!-- example status=403 -->` when
it shows a refusal). A ```json or ```text block right after it is what it prints:
- json: the README's value is a pattern for the printed one. Objects may leave out members; a string with `…` in it
  stands for any text there; an array ending in "…" may go on with more items.
- text: each line must match a printed line, in order (lines may come between); `…` stands for any text.

The examples run in one bash, as if pasted into one terminal, in the folder where `smartmails serve` was started
with no flags, with SM and KEY set to its address and the key it printed on first start. `swift run smartmails`
runs the binary already built rather than building again.

    readme_examples.py --binary .build/debug/smartmails --engine sqlite|postgres [--readme README.md]
"""

import argparse
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server import Server, StageFailure  # noqa: E402

MARKER = re.compile(r"^<!-- example(?: status=(\d{3}))? -->\s*$")
FENCE = re.compile(r"^```(\w*)\s*$")
SEPARATOR = "@@readme-example@@"

PRELUDE = r"""
set -euo pipefail
# Every curl answer's status goes to a file the runner reads, so that an example needs no -f to be checked.
curl() {
    local output status
    output=$(command curl -w '\n%{http_code}' "$@")
    status=${output##*$'\n'}
    printf '%s\n' "${output%$'\n'*}"
    echo "$status" >>"$README_STATUSES"
}
swift() {
    if [ "${1:-}" = run ] && [ "${2:-}" = smartmails ]; then shift 2; "$SMARTMAILS_BINARY" "$@"; else command swift "$@"; fi
}
"""


class Example:
    def __init__(self, line, status, code):
        self.line, self.status, self.code = line, status, code
        self.expected_kind, self.expected = None, None


def parse(readme):
    lines = open(readme, encoding="utf-8").read().splitlines()
    examples, index = [], 0

    def fenced_block(start):
        """The fenced block starting at or after `start` (blank lines skipped): (kind, text, next index)."""
        while start < len(lines) and not lines[start].strip():
            start += 1
        match = start < len(lines) and FENCE.match(lines[start])
        if not match:
            return None, None, start
        end = start + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        return match.group(1), "\n".join(lines[start + 1:end]), end + 1

    while index < len(lines):
        marker = MARKER.match(lines[index])
        if not marker:
            index += 1
            continue
        marker_line = index + 1
        kind, code, index = fenced_block(index + 1)
        if kind != "sh":
            raise StageFailure(f"README.md:{marker_line}: an example marker must be followed by a ```sh block")
        example = Example(marker_line, int(marker.group(1) or 0), code)
        kind, text, after = fenced_block(index)
        if kind in ("json", "text"):
            example.expected_kind, example.expected, index = kind, text, after
        examples.append(example)
    return examples


def text_matches(pattern, text):
    parts = [re.escape(part) for part in pattern.split("…")]
    return re.fullmatch("(?s)" + ".*".join(parts), text) is not None


def json_mismatch(pattern, value, path="$"):
    """Why `value` does not fit `pattern`, or None when it does."""
    if isinstance(pattern, dict):
        if not isinstance(value, dict):
            return f"{path}: expected an object, got {json.dumps(value)}"
        for key, member in pattern.items():
            if key not in value:
                return f"{path}: no member {key!r}"
            reason = json_mismatch(member, value[key], f"{path}.{key}")
            if reason:
                return reason
        return None
    if isinstance(pattern, list):
        if not isinstance(value, list):
            return f"{path}: expected an array, got {json.dumps(value)}"
        open_ended = bool(pattern) and pattern[-1] == "…"
        items = pattern[:-1] if open_ended else pattern
        if len(value) < len(items) or (not open_ended and len(value) != len(items)):
            return f"{path}: expected {len(items)}{' or more' if open_ended else ''} items, got {len(value)}"
        for position, item in enumerate(items):
            reason = json_mismatch(item, value[position], f"{path}[{position}]")
            if reason:
                return reason
        return None
    if isinstance(pattern, str) and "…" in pattern:
        if isinstance(value, str) and text_matches(pattern, value):
            return None
        return f"{path}: {json.dumps(value)} does not match {json.dumps(pattern)}"
    if pattern != value or type(pattern) is not type(value):
        return f"{path}: expected {json.dumps(pattern)}, got {json.dumps(value)}"
    return None


def output_mismatch(example, printed):
    if example.expected_kind == "json":
        try:
            pattern = json.loads(example.expected)
        except json.JSONDecodeError as error:
            return f"the README's JSON under it does not parse: {error}"
        try:
            value = json.loads(printed)
        except json.JSONDecodeError:
            return f"it printed something that is not one JSON value:\n{printed}"
        return json_mismatch(pattern, value)
    if example.expected_kind == "text":
        remaining = printed.splitlines()
        for expected in example.expected.splitlines():
            while remaining and not text_matches(expected, remaining[0]):
                remaining.pop(0)
            if not remaining:
                return f"no printed line matches {expected!r} (in order); it printed:\n{printed}"
            remaining.pop(0)
    return None


def run(arguments):
    examples = parse(arguments.readme)
    if not examples:
        raise StageFailure(f"{arguments.readme} has no <!-- example --> blocks")
    with Server(arguments.binary, arguments.engine, os.environ.get("SMARTMAILS_TEST_POSTGRES_URL")) as server:
        statuses = os.path.join(server.folder, "statuses")
        script = [PRELUDE]
        for number, example in enumerate(examples):
            script.append(f"echo {SEPARATOR}{number}; echo {SEPARATOR}{number} >>\"$README_STATUSES\"\n{example.code}\n")
        environment = dict(server.environment(), SM=server.url, KEY=server.first_key, README_STATUSES=statuses,
                           SMARTMAILS_BINARY=server.binary)
        result = subprocess.run(["bash", "-c", "\n".join(script)], cwd=server.folder, env=environment,
                                capture_output=True, text=True, timeout=300)
        printed = split(result.stdout)
        answered = split(open(statuses).read() if os.path.exists(statuses) else "")
        for number, example in enumerate(examples):
            where = f"README.md:{example.line}"
            if number not in printed:
                raise StageFailure(f"{where}: the example before it stopped the run:\n{result.stderr}")
            ran_last = number == max(printed)
            if ran_last and result.returncode != 0:
                raise StageFailure(f"{where}: the example failed (exit {result.returncode}):\n{example.code}\n{result.stderr}{printed[number]}")
            codes = [int(code) for code in answered.get(number, "").split()]
            expected = example.status or None
            wrong = [code for code in codes if (code != expected if expected else code >= 400)]
            if wrong or (expected and not codes):
                raise StageFailure(f"{where}: answered {codes}, expected {expected or 'no error status'}:\n{example.code}\n{printed[number]}")
            reason = output_mismatch(example, printed[number])
            if reason:
                raise StageFailure(f"{where}: its output no longer matches the README: {reason}\n{example.code}")
    return len(examples)


def split(text):
    parts, current, lines = {}, None, []
    for line in text.splitlines():
        if line.startswith(SEPARATOR):
            if current is not None:
                parts[current] = "\n".join(lines)
            current, lines = int(line[len(SEPARATOR):]), []
        else:
            lines.append(line)
    if current is not None:
        parts[current] = "\n".join(lines)
    return parts


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--readme", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "README.md"))
    arguments = parser.parse_args()
    try:
        count = run(arguments)
    except StageFailure as failure:
        print(f"README examples ({arguments.engine}): FAILED\n{failure}")
        return 1
    print(f"README examples ({arguments.engine}): {count} examples ran and printed what the README shows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
