#!/usr/bin/env bash
# SMTP client benchmark: postfix's smtp-source against SMTPKit's smtp-bench, both into one smtp-sink, in one run.
# Prints messages/s for each, the ratio, and smtp-bench's peak RSS; further lines do 20 KB messages with DKIM,
# once per algorithm (RSA-2048 is bound by its private-key operation, about 0.4 ms of CPU per message here).
# Needs postfix's smtp-sink/smtp-source (apt-get install -y postfix, with main_mailer_type "No configuration") and
# GNU time (apt-get install -y time). Runs as root (smtp-sink drops to nobody). Bounded: every step has a timeout.
# Environment: MESSAGES (40000), CONNECTIONS (8), DKIM (space-separated, of rsa ed25519 off; default "ed25519 rsa"),
# SMTP_BENCH_BIN (skip the build).
set -euo pipefail
cd "$(dirname "$0")/../.."

MESSAGES=${MESSAGES:-40000}
CONNECTIONS=${CONNECTIONS:-8}
DKIM=${DKIM:-ed25519 rsa}

for tool in /usr/sbin/smtp-sink /usr/sbin/smtp-source /usr/bin/time; do
    if [ ! -x "$tool" ]; then
        echo "missing $tool: apt-get install -y postfix time (preseed postfix/main_mailer_type 'No configuration')" >&2
        exit 1
    fi
done

if [ -z "${SMTP_BENCH_BIN:-}" ]; then
    timeout 1800 swift build -c release --product smtp-bench >&2
    SMTP_BENCH_BIN="$(swift build -c release --show-bin-path)/smtp-bench"
fi

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
/usr/sbin/smtp-sink -u nobody 127.0.0.1:"$port" 1024 &
sink=$!
trap 'kill $sink 2>/dev/null; wait $sink 2>/dev/null || true' EXIT
for _ in $(seq 100); do
    (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break
    sleep 0.05
done

now() { date +%s.%N; }

# Runs one comparison line: size in bytes, DKIM mode for smtp-bench, label.
compare() {
    local size=$1 dkim=$2 label=$3
    local start end reference ours rss line
    start=$(now)
    timeout 300 /usr/sbin/smtp-source -s "$CONNECTIONS" -m "$MESSAGES" -l "$size" -d 127.0.0.1:"$port"
    end=$(now)
    reference=$(echo "$MESSAGES / ($end - $start)" | bc -l)

    line=$(timeout 300 /usr/bin/time -v -o /tmp/smtp-bench-time.$$ "$SMTP_BENCH_BIN" --port "$port" --messages "$MESSAGES" \
        --size "$size" --connections "$CONNECTIONS" --dkim "$dkim" --deadline 280)
    echo "$line" >&2
    ours=$(echo "$line" | sed -n 's/.* rate=\([0-9]*\).*/\1/p')
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' /tmp/smtp-bench-time.$$)
    rm -f /tmp/smtp-bench-time.$$
    printf '%s: smtp-source %.0f msg/s, smtp-bench %s msg/s, ratio %.2f (target >= 0.90), smtp-bench peak RSS %s MB\n' \
        "$label" "$reference" "$ours" "$(echo "$ours / $reference" | bc -l)" "$((rss / 1024))"
}

compare 2048 off "2 KB x $MESSAGES over $CONNECTIONS connections"
for algorithm in $DKIM; do
    compare 20480 "$algorithm" "20 KB x $MESSAGES over $CONNECTIONS connections, DKIM $algorithm"
done
