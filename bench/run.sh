#!/bin/sh
# run.sh runs stance's benchmarks and prints one table of figures: the
# model beside a bare lowercase-split-lookup pass, the gRPC service, the
# stance corpus command on generated corpora, and a peer (govader). It
# takes about four minutes on two cores; see README.md.
#
# Usage: bench/run.sh [CORPUS_MB...]   (default: 20 200)
set -eu

cd "$(dirname "$0")/.."
sizes=${*:-20 200}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/stance-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

step() { printf '%s\n' "$*" >&2; }

step "building"
go test -c -o "$tmp/bench.test" ./bench
(cd bench/peer && go test -c -o "$tmp/peer.test" .)
go build -o "$tmp/stance" ./cmd/stance
go build -o "$tmp/gencorpus" ./bench/internal/gencorpus

# The test binaries run in their package directories, where the
# benchmarks find ../testdata.
step "model benchmarks"
(cd bench && "$tmp/bench.test" -test.run '^$' -test.benchmem \
	-test.bench '^Benchmark(Classify|Bare|ClassifyVsBare)$' -test.benchtime 50000x -test.count 3 \
	>"$tmp/model.txt")
(cd bench && "$tmp/bench.test" -test.run '^$' -test.benchmem \
	-test.bench '^BenchmarkClassifySugarme$' -test.benchtime 500x >>"$tmp/model.txt")
(cd bench && "$tmp/bench.test" -test.run '^$' \
	-test.bench '^Benchmark(Extract|ExtractClassify)$' -test.benchtime 1000x -test.count 3 >>"$tmp/model.txt")
(cd bench && "$tmp/bench.test" -test.run '^$' -test.bench '^BenchmarkClassify$' -test.benchtime 200000x \
	-test.cpuprofile "$tmp/cpu.out" >/dev/null)
go tool pprof -traces "$tmp/bench.test" "$tmp/cpu.out" >"$tmp/traces.txt" 2>/dev/null

step "gRPC benchmarks"
(cd bench && "$tmp/bench.test" -test.run '^$' \
	-test.bench '^Benchmark(UnaryClassifyVsCheck|UnaryCannedVsCheck|ClassifyStream|ClassifyBatch)$' -test.benchtime 20000x -test.count 3 \
	>"$tmp/grpc.txt")

step "peer benchmarks"
(cd bench/peer && "$tmp/peer.test" -test.run '^$' -test.benchmem \
	-test.bench . -test.benchtime 20000x -test.count 3 >"$tmp/peer.txt")

for mb in $sizes; do
	step "corpus of $mb MB"
	"$tmp/gencorpus" -mb "$mb" -from testdata/corpus -out "$tmp/corpus-$mb"
	/usr/bin/time -v "$tmp/stance" corpus --format jsonl --out "$tmp/corpus-$mb.jsonl" "$tmp/corpus-$mb" \
		2>"$tmp/corpus-$mb.time" || { cat "$tmp/corpus-$mb.time" >&2; exit 1; }
done

go run ./bench/internal/table "$tmp"
