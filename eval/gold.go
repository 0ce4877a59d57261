package eval

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Gold is one hand-labelled quote. Rows of the development corpus's gold
// carry Doc, Start and End; rows of free-standing development sets carry
// only the text and its labels.
type Gold struct {
	ID         string   `json:"id"`
	Doc        string   `json:"doc,omitempty"`
	Start      int      `json:"start"`
	End        int      `json:"end"`
	Text       string   `json:"text"`
	Speaker    string   `json:"speaker,omitempty"`
	Context    string   `json:"context,omitempty"`
	Label      string   `json:"label"`
	Also       []string `json:"also,omitempty"`
	Kind       string   `json:"kind,omitempty"`
	Difficulty string   `json:"difficulty,omitempty"`
	// Source says where a written quote's wording comes from: "recalled"
	// for a real statement as its writer remembered it, "reconstructed"
	// for what a report most plausibly said. Real statements score lower,
	// so the training command reports them on their own.
	Source string `json:"source,omitempty"`
}

// HasSpan reports whether g locates its quote in a corpus document.
func (g Gold) HasSpan() bool { return g.Doc != "" && g.End > g.Start }

// ReadGold reads JSON Lines gold rows. Blank lines are skipped; a line that
// is not a JSON object with a text is an error naming its line number.
func ReadGold(r io.Reader) ([]Gold, error) {
	var rows []Gold
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 16<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var g Gold
		if err := json.Unmarshal(line, &g); err != nil {
			return nil, fmt.Errorf("gold line %d: %w", n, err)
		}
		if g.Text == "" {
			return nil, fmt.Errorf("gold line %d: no text", n)
		}
		rows = append(rows, g)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading gold: %w", err)
	}
	return rows, nil
}

// ReadGoldFiles reads the gold rows of every file matching the glob
// pattern, in file-name order. A pattern that matches no file is an error,
// so that a mistyped path does not pass for an empty set; an error in a
// file names it.
func ReadGoldFiles(pattern string) ([]Gold, error) {
	names, err := filepath.Glob(pattern)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no files match %s", pattern)
	}
	var rows []Gold
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		rs, err := ReadGold(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		rows = append(rows, rs...)
	}
	return rows, nil
}
