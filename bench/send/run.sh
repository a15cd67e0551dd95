#!/usr/bin/env bash
# Sending benchmarks (release build), against postfix's smtp-sink, with smtp-source on the same sink in the same run
# as the ceiling:
#   1. acceptance: ACCEPT messages through POST /v1/messages/batch (1,000 a request, one keep-alive connection),
#      each durable when answered: messages/s (target >= 10,000 on SQLite). They are due later, so no delivery runs
#      beside them.
#   2. delivery: DELIVER queued templated messages of about 5 KB from a sending domain to smtp-sink, messages/s from
#      the moment they fall due until the metrics count them all delivered, against smtp-source's rate for as many
#      5 KB messages over as many connections, run just before in the same round (target: at least 0.7 of it). Each
#      round runs the server twice: signing with Ed25519 alone (SMARTMAILS_DKIM_SIGNATURES=ed25519, the issue's
#      target) and with both signatures (the default; RSA-2048 costs about 0.4 ms of CPU a message). The ratio is the
#      median of ROUNDS interleaved rounds; the server's peak RSS.
#   3. transactional latency on the idle server: LATENCY messages one at a time, accepted-to-250 (the answer to the
#      POST until the message reads delivered, polled every millisecond): p50 (target < 20 ms) and p99 (< 100 ms).
# Acceptance runs once; the latency figures are over LATENCY samples. Prints PASS/FAIL per target and exits 0
# either way; non-zero only when something broke. Needs postfix (smtp-sink, smtp-source) and GNU time; runs as root.
# Usage: bench/send/run.sh   (env: ACCEPT=100000 DELIVER=100000 LATENCY=300 CONNECTIONS=32 ROUNDS=5 SKIP_BUILD=1
#                             SMARTMAILS_BIN=.build/release/smartmails)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
SMARTMAILS_BIN="${SMARTMAILS_BIN:-.build/release/smartmails}"
for tool in /usr/sbin/smtp-sink /usr/sbin/smtp-source /usr/bin/time; do
    [[ -x "$tool" ]] || { echo "missing $tool: apt-get install -y postfix time (preseed postfix/main_mailer_type 'No configuration')" >&2; exit 1; }
done
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    timeout 1800 swift build -c release --product smartmails >&2
fi
[[ -x "$SMARTMAILS_BIN" ]] || { echo "$SMARTMAILS_BIN is missing" >&2; exit 1; }
exec timeout --foreground 3600 python3 "$ROOT/bench/send/bench.py" "$SMARTMAILS_BIN" \
    "${ACCEPT:-100000}" "${DELIVER:-100000}" "${LATENCY:-300}" "${CONNECTIONS:-32}" "${ROUNDS:-5}"
