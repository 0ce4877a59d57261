#!/usr/bin/env bash
# scripts/load.sh is the load test of stanced: it builds stanced, serves it
# on a free loopback port, and drives it with ghz (installed at a pinned
# version through the Go module proxy), first with unary Classify calls,
# then with the same number of quotes through ClassifyStream, with a fresh
# server for each so that each gets its own peak memory. It prints, for
# each, the calls, requests per second, p50 and p99 latency, the errors
# and the server's peak resident memory (VmHWM), and leaves ghz's full
# JSON reports in $OUT (default: a temporary directory).
#
# It is too heavy for CI; run it on a quiet machine:
#
#   scripts/load.sh                 # 100000 quotes each way, 100 at once
#   N=20000 C=50 scripts/load.sh    # smaller
#
# Knobs (environment): N quotes per phase (100000), C concurrent calls
# (100), STREAM_MSGS quotes per stream (100), CONNS client connections
# (1), OUT report directory. It talks to 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."

GHZ_VERSION=v0.120.0
N=${N:-100000}
C=${C:-100}
STREAM_MSGS=${STREAM_MSGS:-100}
CONNS=${CONNS:-1}
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"

export PATH="$(go env GOPATH)/bin:$PATH"
command -v jq >/dev/null || { echo "load.sh needs jq (apt-get install jq)" >&2; exit 1; }
go install "github.com/bojand/ghz/cmd/ghz@${GHZ_VERSION}"

work=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    wait "$pid" || true
  fi
  rm -rf "$work"
}
# INT and TERM exit through cleanup too, so that a stopped run leaves no
# server and no files behind.
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

go build -o "$work/stanced" ./cmd/stanced

# The quotes: the development set, round-robin.
cat testdata/dev/quotes-*.jsonl |
  jq -c '{quote: {id: (.id // "q"), text: .text, speaker: (.speaker // ""), context: (.context // "")}}' >"$work/quotes.jsonl"
jq -s '.' "$work/quotes.jsonl" >"$work/unary.json"
jq -s --argjson n "$STREAM_MSGS" '.[:$n]' "$work/quotes.jsonl" >"$work/stream.json"
if [ "$(jq length "$work/stream.json")" -lt "$STREAM_MSGS" ]; then
  echo "STREAM_MSGS=$STREAM_MSGS is more than the $(jq length "$work/unary.json") development quotes" >&2
  exit 1
fi

# start_server starts stanced and sets pid and addr.
start_server() {
  : >"$work/server.log"
  "$work/stanced" --listen 127.0.0.1:0 --log-format json 2>"$work/server.log" &
  pid=$!
  addr=""
  for _ in $(seq 300); do
    addr=$(jq -r 'select(.msg == "listening") | .addr' "$work/server.log" 2>/dev/null || true)
    [ -n "$addr" ] && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "stanced did not listen within 30s" >&2
  exit 1
}

# stop_server prints the server's peak RSS in MiB and stops it.
stop_server() {
  local hwm
  hwm=$(awk '/^VmHWM:/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status")
  kill -TERM "$pid"
  wait "$pid" || true
  pid=""
  echo "$hwm"
}

# run_phase NAME CALL CALLS DATA QUOTES_PER_CALL
run_phase() {
  local name=$1 call=$2 calls=$3 data=$4 per=$5 rss
  start_server
  ghz --insecure --proto proto/stance/v1/stance.proto --call "$call" \
    --data-file "$data" -n "$calls" -c "$C" --connections "$CONNS" \
    --timeout 60s --format json --output "$OUT/$name.json" "$addr" >/dev/null
  rss=$(stop_server)
  jq -r --arg name "$name" --arg rss "$rss" --argjson per "$per" '
    def ms(p): ((.latencyDistribution // [])[] | select(.percentage == p) | .latency / 1e6);
    (.statusCodeDistribution // {}) as $codes
    | [$name, .count, (.count * $per), (.rps | floor), (.rps * $per | floor),
       (ms(50) | . * 100 | round / 100), (ms(99) | . * 100 | round / 100),
       (.count - ($codes.OK // 0)), ($codes | tojson), $rss]
    | @tsv' "$OUT/$name.json" >>"$work/summary.tsv"
}

printf 'phase\tcalls\tquotes\tcalls/s\tquotes/s\tp50 ms\tp99 ms\terrors\tcodes\tpeak RSS MiB\n' >"$work/summary.tsv"
run_phase unary stance.v1.StanceService.Classify "$N" "$work/unary.json" 1
run_phase stream stance.v1.StanceService.ClassifyStream "$((N / STREAM_MSGS))" "$work/stream.json" "$STREAM_MSGS"

echo "ghz $GHZ_VERSION, $(nproc) cores, concurrency $C, $CONNS connection(s); reports in $OUT"
if command -v column >/dev/null; then column -t -s $'\t' "$work/summary.tsv"; else cat "$work/summary.tsv"; fi
echo "(stream: one call is a stream of $STREAM_MSGS quotes; its latency is the whole stream's)"
