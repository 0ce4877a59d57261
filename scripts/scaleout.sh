#!/usr/bin/env bash
# scripts/scaleout.sh is the scale-out demo: it builds stanced and stance,
# starts REPLICAS stanced replicas (3) on free loopback ports, each with
# --metrics-addr, and sends them work through one client with the three
# addresses as a list, which the client balances round-robin:
#
#   1. stance corpus over testdata/corpus (ClassifyDocument, one call an
#      article);
#   2. stance classify over the development quotes (testdata/dev/*.jsonl),
#      COPIES times (4), each with only an id and a text (ClassifyStream).
#
# It then scrapes every replica's /metrics and prints, for each, the calls
# it handled by method and code (grpc_server_handled_total), the quotes it
# received on streams (grpc_server_msg_received_total) and the quotes it
# labelled (stance_classifications_total), and stops the replicas with
# SIGTERM, checking that each exits 0. Everything it starts stops when it
# ends, however it ends; it talks to 127.0.0.1 only and needs jq and curl.
#
#   scripts/scaleout.sh
#   REPLICAS=2 COPIES=8 scripts/scaleout.sh
set -euo pipefail
cd "$(dirname "$0")/.."

REPLICAS=${REPLICAS:-3}
COPIES=${COPIES:-4}
for tool in jq curl; do
  command -v "$tool" >/dev/null || { echo "scaleout.sh needs $tool (apt-get install $tool)" >&2; exit 1; }
done

work=$(mktemp -d)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
# A signal becomes an ordinary exit, which runs cleanup.
trap 'exit 130' INT
trap 'exit 143' TERM

go build -o "$work/stanced" ./cmd/stanced
go build -o "$work/stance" ./cmd/stance

# Start the replicas on port 0 and learn their ports from their logs:
# "serving metrics" comes before "listening".
grpc_addrs=()
metrics_addrs=()
for i in $(seq "$REPLICAS"); do
  "$work/stanced" --listen 127.0.0.1:0 --metrics-addr 127.0.0.1:0 --log-format json 2>"$work/stanced-$i.log" &
  pids+=($!)
done
for i in $(seq "$REPLICAS"); do
  addr=""
  for _ in $(seq 300); do
    addr=$(jq -r 'select(.msg == "listening") | .addr' "$work/stanced-$i.log" 2>/dev/null || true)
    [ -n "$addr" ] && break
    kill -0 "${pids[$((i - 1))]}" 2>/dev/null || { cat "$work/stanced-$i.log" >&2; exit 1; }
    sleep 0.1
  done
  [ -n "$addr" ] || { echo "replica $i did not listen within 30s" >&2; exit 1; }
  grpc_addrs+=("$addr")
  metrics_addrs+=("$(jq -r 'select(.msg == "serving metrics") | .addr' "$work/stanced-$i.log")")
done
addrs=$(IFS=,; echo "${grpc_addrs[*]}")
echo "replicas: $addrs"

# now prints seconds since the epoch, with fractions; since T0 the seconds
# since T0.
now() { date +%s.%N; }
since() { awk -v t0="$1" -v t1="$(now)" 'BEGIN { printf "%.2f", t1 - t0 }'; }

echo
echo "\$ stance corpus --addr $addrs --format jsonl testdata/corpus"
t0=$(now)
"$work/stance" corpus --addr "$addrs" --format jsonl testdata/corpus >"$work/corpus.jsonl" 2>"$work/corpus.err" ||
  { cat "$work/corpus.err" >&2; exit 1; }
took=$(since "$t0")
corpus_quotes=$(wc -l <"$work/corpus.jsonl")
echo "$corpus_quotes quotes from $(ls testdata/corpus | wc -l) articles in $took s"

for c in $(seq "$COPIES"); do
  cat testdata/dev/*.jsonl | jq -c --arg c "$c" '{id: (.id + "-" + $c), text}'
done >"$work/quotes.jsonl"
sent=$(wc -l <"$work/quotes.jsonl")
echo
echo "\$ stance classify --addr $addrs < quotes.jsonl   # $sent quotes: testdata/dev/*.jsonl x $COPIES, id and text"
t0=$(now)
"$work/stance" classify --addr "$addrs" <"$work/quotes.jsonl" >"$work/classified.jsonl" 2>"$work/classify.err" ||
  { cat "$work/classify.err" >&2; exit 1; }
took=$(since "$t0")
classified=$(wc -l <"$work/classified.jsonl")
echo "$classified quotes in $took s"

# Per replica: calls by method and code, quotes streamed, quotes labelled.
echo
{
  printf 'replica\taddress\tcalls handled (method=count, code OK unless said)\tstream quotes in\taccusation\tdenial\tthreat\tconciliation\tneutral\tlabelled\n'
  for i in $(seq "$REPLICAS"); do
    curl -sf --max-time 10 "http://${metrics_addrs[$((i - 1))]}/metrics" >"$work/metrics-$i.txt"
    awk -v replica="$i" -v addr="${grpc_addrs[$((i - 1))]}" '
      function label(line, name,   re, v) {
        re = name "=\"[^\"]*\""
        if (!match(line, re)) return ""
        v = substr(line, RSTART + length(name) + 2, RLENGTH - length(name) - 3)
        return v
      }
      /^grpc_server_handled_total\{/ && $NF > 0 && label($0, "grpc_service") == "stance.v1.StanceService" {
        m = label($0, "grpc_method"); code = label($0, "grpc_code")
        calls = calls (calls == "" ? "" : " ") m "=" $NF (code == "OK" ? "" : "(" code ")")
      }
      /^grpc_server_msg_received_total\{/ && label($0, "grpc_method") == "ClassifyStream" { streamed = $NF }
      /^stance_classifications_total\{/ { n[label($0, "label")] = $NF; total += $NF }
      END {
        printf "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", replica, addr, (calls == "" ? "none" : calls), streamed,
          n["accusation"], n["denial"], n["threat"], n["conciliation"], n["neutral"], total
      }' "$work/metrics-$i.txt"
  done
} >"$work/table.tsv"
awk -F'\t' 'NR > 1 { s += $10; q += $4 } END {
  printf "all\t\t\t%d\t\t\t\t\t\t%d\n", q, s }' "$work/table.tsv" >>"$work/table.tsv"
if command -v column >/dev/null; then column -t -s $'\t' "$work/table.tsv"; else cat "$work/table.tsv"; fi
labelled=$(awk -F'\t' '$1 == "all" { print $10 }' "$work/table.tsv")
echo "quotes out: $corpus_quotes (corpus) + $classified (classify) = $((corpus_quotes + classified)); labelled by the replicas: $labelled"

# Stop the replicas as an orchestrator would, and check they exit 0.
status=0
for i in $(seq "$REPLICAS"); do
  pid=${pids[$((i - 1))]}
  kill -TERM "$pid"
  if ! wait "$pid"; then
    echo "replica $i did not exit 0 on SIGTERM:" >&2
    tail -5 "$work/stanced-$i.log" >&2
    status=1
  fi
done
pids=()
[ "$((corpus_quotes + classified))" -eq "$labelled" ] || { echo "the replicas labelled $labelled quotes, not $((corpus_quotes + classified))" >&2; status=1; }
[ "$classified" -eq "$sent" ] || { echo "classify wrote $classified lines for $sent quotes" >&2; status=1; }
exit "$status"
