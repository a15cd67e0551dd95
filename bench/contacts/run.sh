#!/usr/bin/env bash
# Contacts benchmarks: CSV import, the batch upsert API, a segment count and the NDJSON export, at a million contacts.
#
# Data: bench.py writes a CSV of ROWS contacts (email, first_name, last_name, external_id; attributes company
# (string), age (number), vip (boolean), signup (date, RFC 3339), plan (pro/free/team); two tags such as
# "vip;newsletter") and BATCH_REQUESTS JSON bodies of BATCH_SIZE other contacts, all before anything is timed. It is
# seeded, so every run has the same data, and it counts the rows the segment rule below matches (about 5 %).
#
#   1. CLI import into the empty workspace of a fresh SQLite data dir (`smartmails contacts import`, with
#      --type age=number --type vip=boolean --type signup=date), once: rows/s (target >= 50,000) and peak RSS from
#      GNU time (target < 200 MB). Then the same file again, every row unchanged, once: rows/s (target: at least the
#      first import's).
#   2. The floor: sqlite3's own `.import --csv` of the same file into a bare table (all TEXT), once: rows/s, and
#      SmartMails' first import as a share of it (no target: it says how far from the storage engine's own speed).
#   3. Batch upsert API: BATCH_REQUESTS sequential POST /v1/contacts/batch of BATCH_SIZE new contacts each, on one
#      keep-alive connection, against `smartmails serve` on the SQLite data dir, with a key whose rate limit cannot
#      throttle, once: contacts/s over the requests' time (target >= 50,000).
#   4. A three-condition segment count (plan = pro, tag vip, age >= 30) over the imported contacts with
#      POST /v1/segments/preview: the median of 5 calls after one untimed call (target < 1000 ms); its count must
#      equal the generator's.
#   5. GET /v1/contacts/export?format=ndjson of every contact, once: seconds (target < 15 s for 1,000,000 contacts,
#      scaled to ROWS) and the growth of the server's peak RSS (VmHWM before and after; target < 100 MB, i.e. flat);
#      its line count must equal the number of contacts. It runs before the batch upserts, on a server started for
#      these measurements, so the peak before it is the server's own.
# With SMARTMAILS_BENCH_POSTGRES_URL (or SMARTMAILS_TEST_POSTGRES_URL), e.g.
# postgres://postgres:secret@127.0.0.1:5432/postgres?sslmode=disable, steps 1, 4 and 5 run again on a database made
# for the run (and dropped after it) on that server.
#
# Cheap timings (the segment count) are medians of 5; the big ones (imports, batch, export) run once each. Everything
# is on loopback, every step has a timeout (STEP_TIMEOUT seconds; steps stay in the foreground process group, so
# Ctrl-C stops them at once), and the servers, the database and the temp dirs are cleaned up.
# Prints PASS/FAIL for each target and exits 0 either way; exits non-zero only when something broke.
# Usage: bench/contacts/run.sh   (env: ROWS=1000000 BATCH_REQUESTS=100 BATCH_SIZE=10000 SKIP_BUILD=1
#                                 SMARTMAILS_BIN=.build/release/smartmails STEP_TIMEOUT=1800)
set -euo pipefail
shopt -s inherit_errexit

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
HELPER="$ROOT/bench/contacts/bench.py"

ROWS="${ROWS:-1000000}"
BATCH_REQUESTS="${BATCH_REQUESTS:-100}"
BATCH_SIZE="${BATCH_SIZE:-10000}"
STEP_TIMEOUT="${STEP_TIMEOUT:-1800}"
SMARTMAILS_BIN="${SMARTMAILS_BIN:-.build/release/smartmails}"
[[ "$SMARTMAILS_BIN" == /* ]] || SMARTMAILS_BIN="$ROOT/$SMARTMAILS_BIN"
POSTGRES_URL="${SMARTMAILS_BENCH_POSTGRES_URL:-${SMARTMAILS_TEST_POSTGRES_URL:-}}"
SEGMENT_CALLS=5
TARGET_IMPORT_RPS=50000
TARGET_IMPORT_RSS_MB=200
TARGET_BATCH_CPS=50000
TARGET_SEGMENT_MS=1000
TARGET_EXPORT_SECONDS_PER_MILLION=15
TARGET_EXPORT_GROWTH_MB=100
IMPORT_TYPES=(--type age=number --type vip=boolean --type signup=date)

log() { printf '[contacts-bench] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ "$ROWS" =~ ^[1-9][0-9]*$ ]] || die "ROWS must be a positive integer"
[[ "$BATCH_REQUESTS" =~ ^[1-9][0-9]*$ ]] || die "BATCH_REQUESTS must be a positive integer"
[[ "$BATCH_SIZE" =~ ^[1-9][0-9]*$ ]] && (( BATCH_SIZE <= 10000 )) || die "BATCH_SIZE must be 1 to 10000"

apt_install() {  # apt_install PACKAGE
    log "installing $1 (Debian package)"
    if ! apt-get install -y "$1" >/dev/null 2>&1; then
        apt-get update >/dev/null 2>&1 && apt-get install -y "$1" >/dev/null 2>&1 || die "cannot install $1"
    fi
}
for tool in curl python3; do command -v "$tool" >/dev/null || die "$tool is required"; done
[[ -x /usr/bin/time ]] || apt_install time
command -v sqlite3 >/dev/null || apt_install sqlite3
if [[ -n "$POSTGRES_URL" ]]; then command -v psql >/dev/null || apt_install postgresql-client; fi

# --- build -------------------------------------------------------------------------------------------------
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    log "building release: smartmails"
    # Build progress goes to stderr so that stdout carries only the results.
    swift build -c release --product smartmails >&2
fi
[[ -x "$SMARTMAILS_BIN" ]] || die "$SMARTMAILS_BIN is missing"
SECONDS=0

# --- clean-up ----------------------------------------------------------------------------------------------
WORK_DIR="$(mktemp -d -t smartmails-contacts-bench.XXXXXX)"
SERVER_PID=""
SERVER_ERR=""
PG_ADMIN_URL=""
PG_DB=""
stop_server() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    [[ -n "$SERVER_PID" ]] && { wait "$SERVER_PID" 2>/dev/null || true; }
    SERVER_PID=""
}
drop_database() {
    [[ -n "$PG_DB" ]] || return 0
    log "dropping database $PG_DB"
    PGCONNECT_TIMEOUT=10 timeout --foreground 120 psql "$PG_ADMIN_URL" -v ON_ERROR_STOP=1 -qXc "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)" >/dev/null 2>&1 \
        || PGCONNECT_TIMEOUT=10 timeout --foreground 120 psql "$PG_ADMIN_URL" -v ON_ERROR_STOP=1 -qXc "DROP DATABASE IF EXISTS \"$PG_DB\"" >/dev/null \
        || log "could not drop database $PG_DB"
    PG_DB=""
}
cleanup() {
    local status=$?
    if [[ $status -ne 0 && -n "$SERVER_PID" && -f "$SERVER_ERR" ]]; then
        log "server stderr (last lines):"
        tail -n 20 "$SERVER_ERR" >&2 || true
    fi
    stop_server
    drop_database
    rm -rf "$WORK_DIR"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- helpers -----------------------------------------------------------------------------------------------
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
calc() { python3 -c "print($1)"; }
# verdict VALUE OP TARGET: PASS or FAIL (OP is one of < <= >= >).
verdict() { awk -v a="$1" -v b="$3" -v op="$2" 'BEGIN { ok = (op == "<") ? a < b : (op == "<=") ? a <= b : (op == ">=") ? a >= b : a > b; print ok ? "PASS" : "FAIL" }'; }
mb() { calc "'%.1f' % ($1 / 1024)"; }  # kB to MB
vm_hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$SERVER_PID/status"; }

# start_server NAME STORAGE_ARGS...: a server on a free loopback port; sets SERVER_PID, BASE and SERVER_OUT.
start_server() {
    local name="$1"; shift
    local attempt port
    for attempt in 1 2 3; do
        port="$(free_port)"
        SERVER_OUT="$WORK_DIR/$name.out"
        SERVER_ERR="$WORK_DIR/$name.err"
        # Logs at warning: per-request logging would measure the terminal, not the server.
        SMARTMAILS_LOG_LEVEL=warning "$SMARTMAILS_BIN" serve "$@" --host 127.0.0.1 --port "$port" \
            >"$SERVER_OUT" 2>"$SERVER_ERR" &
        SERVER_PID=$!
        for _ in $(seq 1 300); do
            curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && break
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        if curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null; then
            BASE="http://127.0.0.1:$port"
            log "server ($name) pid $SERVER_PID on $BASE"
            return 0
        fi
        log "server ($name) did not come up on port $port (attempt $attempt)"
        stop_server
        [[ $attempt -lt 3 ]] || { tail -n 20 "$SERVER_ERR" >&2; die "server did not start"; }
    done
}

# bootstrap NAME STORAGE_ARGS...: the first start of a server on the empty database makes the workspace "default"
# and its admin key; the server is stopped again so that the imports run alone.
bootstrap() {
    local name="$1"; shift
    start_server "$name-bootstrap" "$@"
    grep -q 'sm_live_[A-Za-z0-9]' "$SERVER_OUT" || die "no admin key in the first-start banner ($name)"
    stop_server
}

# run_import NAME STORAGE_ARGS...: one CLI import of the CSV; prints
# "<seconds> <peak RSS kB> <rows> <created> <updated> <unchanged> <failed>".
run_import() {
    local name="$1"; shift
    local started ended summary
    started=$EPOCHREALTIME
    if ! SMARTMAILS_LOG_LEVEL=warning /usr/bin/time -f '%M' -o "$WORK_DIR/$name.time" \
        timeout --foreground "$STEP_TIMEOUT" "$SMARTMAILS_BIN" contacts import "$CSV" --workspace default "${IMPORT_TYPES[@]}" "$@" \
        >"$WORK_DIR/$name.summary" 2>"$WORK_DIR/$name.progress"; then
        tr '\r' '\n' <"$WORK_DIR/$name.progress" | tail -n 5 >&2
        die "the import ($name) failed"
    fi
    ended=$EPOCHREALTIME
    summary="$(sed -nE 's/.* completed: ([0-9]+) rows, ([0-9]+) created, ([0-9]+) updated, ([0-9]+) unchanged, ([0-9]+) failed.*/\1 \2 \3 \4 \5/p' "$WORK_DIR/$name.summary")"
    [[ -n "$summary" ]] || { cat "$WORK_DIR/$name.summary" >&2; die "no summary line from the import ($name)"; }
    printf '%s %s %s\n' "$(calc "'%.3f' % ($ended - $started)")" "$(tail -n 1 "$WORK_DIR/$name.time")" "$summary"
}

mint_key() {  # mint_key STORAGE_ARGS...: a key that no rate limit of the benchmark reaches
    local key
    key="$(SMARTMAILS_LOG_LEVEL=warning timeout --foreground 120 "$SMARTMAILS_BIN" keys create "$@" --workspace default --name bench \
        --scopes admin --rate-limit 100000/60)" || die "minting the benchmark key failed"
    [[ "$key" == sm_live_* ]] || die "unexpected output from keys create"
    printf '%s\n' "$key"
}

# import_section LABEL NAME STORAGE_ARGS...: both imports, printed; sets FIRST_IMPORT_RPS.
import_section() {
    local label="$1" name="$2"; shift 2
    local seconds rss rows created updated unchanged failed rps rss_mb second_rps check result
    log "$label: importing $ROWS rows into the empty workspace"
    result="$(run_import "$name-import1" "$@")" || exit 1
    read -r seconds rss rows created updated unchanged failed <<<"$result"
    [[ "$rows" == "$ROWS" && "$created" == "$ROWS" && "$failed" == 0 ]] \
        || die "the first import ($label) read $rows rows: $created created, $updated updated, $unchanged unchanged, $failed failed"
    rps="$(calc "'%.0f' % ($ROWS / max($seconds, 1e-6))")"
    rss_mb="$(mb "$rss")"
    FIRST_IMPORT_RPS="$rps"
    echo "  CLI import into an empty workspace (once): $ROWS rows in $seconds s"
    echo "    $rps rows/s (target >= $TARGET_IMPORT_RPS): $(verdict "$rps" '>=' "$TARGET_IMPORT_RPS")"
    echo "    peak RSS $rss_mb MB (target < $TARGET_IMPORT_RSS_MB MB): $(verdict "$rss_mb" '<' "$TARGET_IMPORT_RSS_MB")"
    if [[ -n "$FLOOR_RPS" ]]; then
        echo "    $(calc "'%.1f' % (100.0 * $rps / $FLOOR_RPS)")% of sqlite3's .import ($FLOOR_RPS rows/s; no target)"
    fi
    log "$label: importing the same file again"
    result="$(run_import "$name-import2" "$@")" || exit 1
    read -r seconds rss rows created updated unchanged failed <<<"$result"
    [[ "$rows" == "$ROWS" && "$failed" == 0 ]] || die "the second import ($label) read $rows rows, $failed failed"
    second_rps="$(calc "'%.0f' % ($ROWS / max($seconds, 1e-6))")"
    echo "  the same file again (once): $ROWS rows in $seconds s, peak RSS $(mb "$rss") MB"
    echo "    $second_rps rows/s (target >= the first import's $rps): $(verdict "$second_rps" '>=' "$rps")"
    check=FAIL; [[ "$unchanged" == "$ROWS" ]] && check=PASS
    echo "    every row unchanged ($created created, $updated updated, $unchanged unchanged): $check"
}

# segment_section KEY: one untimed call, then the median of SEGMENT_CALLS.
segment_section() {
    local key="$1" status time_total count times=() median call result
    python3 -c 'import json, sys; print(json.dumps({"rule": json.load(open(sys.argv[1]))["rule"]}))' "$META" >"$WORK_DIR/rule.json"
    for call in $(seq 0 "$SEGMENT_CALLS"); do
        result="$(timeout --foreground "$STEP_TIMEOUT" curl -sS -o "$WORK_DIR/segment.json" -w '%{http_code} %{time_total}' \
            -X POST "$BASE/v1/segments/preview" -H "Authorization: Bearer $key" -H 'content-type: application/json' \
            --data-binary @"$WORK_DIR/rule.json")" || die "POST /v1/segments/preview failed"
        read -r status time_total <<<"$result"
        [[ "$status" == 200 ]] || { head -c 500 "$WORK_DIR/segment.json" >&2; die "POST /v1/segments/preview answered $status"; }
        (( call == 0 )) || times+=("$(calc "'%.1f' % ($time_total * 1000)")")
    done
    count="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["count"])' "$WORK_DIR/segment.json")"
    median="$(python3 "$HELPER" median "${times[@]}")"
    median="$(calc "'%.1f' % $median")"
    echo "  segment count, plan = pro and tag vip and age >= 30 (median of $SEGMENT_CALLS after a warm-up call): $median ms" \
        "(target < $TARGET_SEGMENT_MS ms): $(verdict "$median" '<' "$TARGET_SEGMENT_MS")"
    echo "    calls: ${times[*]} ms"
    local check=FAIL; [[ "$count" == "$EXPECTED_MATCHES" ]] && check=PASS
    echo "    count $count (the generator's: $EXPECTED_MATCHES): $check"
}

# export_section KEY CONTACTS: one NDJSON export, its time, the server's peak RSS growth and its line count.
export_section() {
    local key="$1" contacts="$2" before after status time_total lines target growth_mb result
    before="$(vm_hwm_kb)"
    result="$(timeout --foreground "$STEP_TIMEOUT" curl -sS -o "$WORK_DIR/export.ndjson" -w '%{http_code} %{time_total}' \
        -H "Authorization: Bearer $key" "$BASE/v1/contacts/export?format=ndjson")" || die "GET /v1/contacts/export failed"
    read -r status time_total <<<"$result"
    after="$(vm_hwm_kb)"
    [[ "$status" == 200 ]] || { head -c 500 "$WORK_DIR/export.ndjson" >&2; die "GET /v1/contacts/export answered $status"; }
    lines="$(wc -l <"$WORK_DIR/export.ndjson")"
    # A missing final newline would hide a line from wc.
    if [[ -s "$WORK_DIR/export.ndjson" && "$(tail -c 1 "$WORK_DIR/export.ndjson" | od -An -tx1 | tr -d ' \n')" != 0a ]]; then
        lines=$((lines + 1))
    fi
    target="$(calc "'%.2f' % ($TARGET_EXPORT_SECONDS_PER_MILLION * $contacts / 1e6)")"
    growth_mb="$(mb "$((after - before))")"
    time_total="$(calc "'%.2f' % $time_total")"
    echo "  NDJSON export of every contact (once): $time_total s, $(calc "'%.0f' % ($contacts / max($time_total, 1e-6))") contacts/s," \
        "$(calc "'%.1f' % ($(stat -c %s "$WORK_DIR/export.ndjson") / 1048576)") MiB"
    echo "    $time_total s (target < $target s, i.e. $TARGET_EXPORT_SECONDS_PER_MILLION s per million): $(verdict "$time_total" '<' "$target")"
    echo "    server peak RSS $(mb "$before") MB before, $(mb "$after") MB after: grew $growth_mb MB" \
        "(target < $TARGET_EXPORT_GROWTH_MB MB): $(verdict "$growth_mb" '<' "$TARGET_EXPORT_GROWTH_MB")"
    local check=FAIL; [[ "$lines" == "$contacts" ]] && check=PASS
    echo "    $lines lines for $contacts contacts: $check"
    rm -f "$WORK_DIR/export.ndjson"
}

batch_section() {  # batch_section KEY
    local key="$1" seconds created updated unchanged failed total cps result
    total=$((BATCH_REQUESTS * BATCH_SIZE))
    log "sending $BATCH_REQUESTS batch upserts of $BATCH_SIZE contacts"
    result="$(timeout --foreground "$STEP_TIMEOUT" python3 "$HELPER" batch "$BASE" "$key" \
        "$WORK_DIR/batches" "$BATCH_REQUESTS" "$BATCH_SIZE")" || die "the batch upserts failed"
    read -r seconds created updated unchanged failed <<<"$result"
    cps="$(calc "'%.0f' % ($total / max($seconds, 1e-6))")"
    echo "  batch upsert API, $BATCH_REQUESTS sequential requests of $BATCH_SIZE new contacts (once):" \
        "$(calc "'%.3f' % $seconds") s, $(calc "'%.1f' % (1000 * $seconds / $BATCH_REQUESTS)") ms per request"
    echo "    $cps contacts/s (target >= $TARGET_BATCH_CPS): $(verdict "$cps" '>=' "$TARGET_BATCH_CPS")"
    local check=FAIL; [[ "$created" == "$total" && "$failed" == 0 ]] && check=PASS
    echo "    $created created, $updated updated, $unchanged unchanged, $failed failed of $total: $check"
}

# --- data --------------------------------------------------------------------------------------------------
CSV="$WORK_DIR/contacts.csv"
META="$WORK_DIR/meta.json"
log "generating $ROWS CSV rows and $BATCH_REQUESTS batch bodies of $BATCH_SIZE contacts"
timeout --foreground "$STEP_TIMEOUT" python3 "$HELPER" generate "$ROWS" "$CSV" "$WORK_DIR/batches" "$BATCH_REQUESTS" "$BATCH_SIZE" "$META" \
    || die "generating the data failed"
EXPECTED_MATCHES="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["rule_matches"])' "$META")"
echo "Data: $ROWS CSV rows ($(calc "'%.1f' % ($(stat -c %s "$CSV") / 1048576)") MiB), $EXPECTED_MATCHES of them in the segment;" \
    "$BATCH_REQUESTS batch bodies of $BATCH_SIZE new contacts"

# --- the floor: sqlite3 .import ----------------------------------------------------------------------------
log "sqlite3 .import --csv"
started=$EPOCHREALTIME
/usr/bin/time -f '%M' -o "$WORK_DIR/floor.time" \
    timeout --foreground "$STEP_TIMEOUT" sqlite3 "$WORK_DIR/floor.db" ".import --csv $CSV contacts" >&2 || die "sqlite3 .import failed"
ended=$EPOCHREALTIME
FLOOR_ROWS="$(sqlite3 "$WORK_DIR/floor.db" 'SELECT count(*) FROM contacts')"
[[ "$FLOOR_ROWS" == "$ROWS" ]] || die "sqlite3 imported $FLOOR_ROWS rows, expected $ROWS"
FLOOR_SECONDS="$(calc "'%.3f' % ($ended - $started)")"
FLOOR_RPS="$(calc "'%.0f' % ($ROWS / max($FLOOR_SECONDS, 1e-6))")"
rm -f "$WORK_DIR/floor.db"
echo "Floor: sqlite3 $(sqlite3 --version | cut -d' ' -f1) .import --csv into a bare table (once): $ROWS rows in $FLOOR_SECONDS s," \
    "$FLOOR_RPS rows/s, peak RSS $(mb "$(tail -n 1 "$WORK_DIR/floor.time")") MB"

# --- SQLite ------------------------------------------------------------------------------------------------
SQLITE_ARGS=(--data-dir "$WORK_DIR/data")
mkdir -p "$WORK_DIR/data"
echo "SQLite (a fresh data dir):"
bootstrap sqlite "${SQLITE_ARGS[@]}"
import_section SQLite sqlite "${SQLITE_ARGS[@]}"
KEY="$(mint_key "${SQLITE_ARGS[@]}")"
start_server sqlite "${SQLITE_ARGS[@]}"
log "SQLite: segment count"
segment_section "$KEY"
log "SQLite: export"
export_section "$KEY" "$ROWS"
batch_section "$KEY"
stop_server

# --- PostgreSQL --------------------------------------------------------------------------------------------
if [[ -n "$POSTGRES_URL" ]]; then
    PG_ADMIN_URL="$POSTGRES_URL"
    name="smartmails_bench_$$_$RANDOM"
    log "creating database $name"
    PGCONNECT_TIMEOUT=10 timeout --foreground 120 psql "$PG_ADMIN_URL" -v ON_ERROR_STOP=1 -qXc "CREATE DATABASE \"$name\"" >/dev/null \
        || die "cannot create database $name"
    PG_DB="$name"
    PG_ARGS=(--database-url "$(python3 "$HELPER" dburl "$POSTGRES_URL" "$PG_DB")")
    echo "PostgreSQL $(PGCONNECT_TIMEOUT=10 timeout --foreground 60 psql "$PG_ADMIN_URL" -AtqXc 'SHOW server_version' || echo '?') (a fresh database):"
    # The server keeps its local files in a data dir of its own even on PostgreSQL.
    mkdir -p "$WORK_DIR/pgdata"
    PG_ARGS+=(--data-dir "$WORK_DIR/pgdata")
    bootstrap postgres "${PG_ARGS[@]}"
    import_section PostgreSQL postgres "${PG_ARGS[@]}"
    KEY="$(mint_key "${PG_ARGS[@]}")"
    start_server postgres "${PG_ARGS[@]}"
    log "PostgreSQL: segment count"
    segment_section "$KEY"
    log "PostgreSQL: export"
    export_section "$KEY" "$ROWS"
    stop_server
    drop_database
else
    echo "PostgreSQL: skipped (set SMARTMAILS_BENCH_POSTGRES_URL or SMARTMAILS_TEST_POSTGRES_URL)"
fi
log "benchmarks took ${SECONDS}s after the build"
