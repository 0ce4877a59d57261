// Command gencorpus writes a corpus of news articles of a given size for
// the corpus benchmark, built from the development articles: each article
// is one of their headlines over paragraphs drawn at random from all of
// them, so that quotes keep their attributions and no two articles are
// alike. The same arguments always write the same corpus.
//
// Usage:
//
//	gencorpus -mb 200 -out DIR [-from testdata/corpus] [-seed 1]
//
// It writes DIR/NNN/NNNNNN.txt, a thousand articles a directory.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "gencorpus:", err)
		os.Exit(1)
	}
}

func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("gencorpus", flag.ContinueOnError)
	fs.SetOutput(stderr)
	mb := fs.Int("mb", 20, "size of the corpus in `MB` (10^6 bytes) of article text")
	out := fs.String("out", "", "`DIR` to write the articles to; it must not exist")
	from := fs.String("from", "testdata/corpus", "`DIR` of *.txt articles to draw from")
	seed := fs.Uint64("seed", 1, "random seed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || *mb < 1 {
		return errors.New("need -out and -mb of 1 or more")
	}
	headlines, paragraphs, err := readArticles(*from)
	if err != nil {
		return err
	}
	if err := os.Mkdir(*out, 0o755); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(*seed, 0))
	total := 0
	for n := 0; total < *mb*1e6; n++ {
		var b strings.Builder
		b.WriteString(headlines[rng.IntN(len(headlines))])
		b.WriteString("\n\n")
		// Eight to 23 paragraphs: some 4 kB, a news article's length.
		for range 8 + rng.IntN(16) {
			b.WriteString(paragraphs[rng.IntN(len(paragraphs))])
			b.WriteString("\n\n")
		}
		dir := filepath.Join(*out, fmt.Sprintf("%03d", n/1000))
		if n%1000 == 0 {
			if err := os.Mkdir(dir, 0o755); err != nil {
				return err
			}
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%06d.txt", n)), []byte(b.String()), 0o644); err != nil {
			return err
		}
		total += b.Len()
	}
	return nil
}

// readArticles returns the first lines (headlines) and the other
// non-empty lines (paragraphs) of the *.txt files in dir.
func readArticles(dir string) (headlines, paragraphs []string, err error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil {
		return nil, nil, err
	}
	if len(files) == 0 {
		return nil, nil, fmt.Errorf("no *.txt files in %s", dir)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, nil, err
		}
		var lines []string
		for _, l := range strings.Split(string(b), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				lines = append(lines, l)
			}
		}
		if len(lines) < 2 {
			continue
		}
		headlines = append(headlines, lines[0])
		paragraphs = append(paragraphs, lines[1:]...)
	}
	if len(paragraphs) == 0 {
		return nil, nil, fmt.Errorf("no paragraphs in %s", dir)
	}
	return headlines, paragraphs, nil
}
