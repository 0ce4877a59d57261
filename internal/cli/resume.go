package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Resumed is an output file opened to carry on a run that stopped: the
// keys of the records it already holds, and the file, open for appending
// after the last whole line.
//
// The commands write whole lines in one write each, a batch at a time, so
// that a run killed at any moment leaves whole lines behind, with at most
// the last one torn if the kill came inside a large write. OpenResumed
// cuts such a torn line off; the record it held is done again.
type Resumed struct {
	// File is open for writing at the end of the whole lines.
	File *os.File
	// Done holds the key of every record in the file.
	Done map[string]bool
	// Last is the key of the last record, or "" for an empty file.
	Last string
	// Records is the number of records in the file, and Torn the number
	// of bytes of a torn last line that were cut off.
	Records, Torn int
}

// LineKey returns the key of one output line, or an error if the line
// cannot be resumed from.
type LineKey func(line []byte) (string, error)

// OpenResumed opens the output file at path for a resumed run, creating it
// if need be. Every whole line must have a key, unique in the file;
// otherwise the file was not written by the same command, and resuming
// could duplicate or lose records, so it is an error naming the line.
func OpenResumed(path string, key LineKey) (*Resumed, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	r, err := readResumed(f, path, key)
	if err != nil {
		f.Close()
		return nil, err
	}
	return r, nil
}

func readResumed(f *os.File, path string, key LineKey) (*Resumed, error) {
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	r := &Resumed{File: f, Done: make(map[string]bool)}
	whole := bytes.LastIndexByte(data, '\n') + 1
	if r.Torn = len(data) - whole; r.Torn > 0 {
		if err := f.Truncate(int64(whole)); err != nil {
			return nil, fmt.Errorf("%s: cutting off the torn last line: %w", path, err)
		}
	}
	if _, err := f.Seek(int64(whole), io.SeekStart); err != nil {
		return nil, err
	}
	seen := make(map[string]int)
	for n, rest := 1, data[:whole]; len(rest) > 0; n++ {
		i := bytes.IndexByte(rest, '\n')
		line := rest[:i]
		rest = rest[i+1:]
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		k, err := key(line)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: cannot resume: %w", path, n, err)
		}
		if first, ok := seen[k]; ok {
			return nil, fmt.Errorf("%s:%d: cannot resume: the record of line %d again", path, n, first)
		}
		seen[k] = n
		r.Done[k] = true
		r.Last = k
		r.Records++
	}
	return r, nil
}

// ClassifyKey is the key of a line written by Classify: its "id".
func ClassifyKey(line []byte) (string, error) {
	var v struct {
		ID *string `json:"id"`
	}
	if err := json.Unmarshal(line, &v); err != nil {
		return "", fmt.Errorf("not a JSON object with a string id: %w", err)
	}
	if v.ID == nil || *v.ID == "" {
		return "", errors.New(`no "id"`)
	}
	return *v.ID, nil
}

// CorpusKey is the key of a line written by WriteJSONL: the quote's
// article and span.
func CorpusKey(line []byte) (string, error) {
	var v struct {
		Doc        *string `json:"doc"`
		Start, End *int
	}
	if err := json.Unmarshal(line, &v); err != nil {
		return "", fmt.Errorf("not a corpus row: %w", err)
	}
	if v.Doc == nil || v.Start == nil || v.End == nil {
		return "", errors.New(`not a corpus row: no "doc", "start" or "end"`)
	}
	return rowKey(*v.Doc, *v.Start, *v.End), nil
}

// rowKey is the key of the quote at [start, end) of doc. NUL cannot occur
// in a path, so the doc is the key's part before the first NUL.
func rowKey(doc string, start, end int) string {
	return doc + "\x00" + strconv.Itoa(start) + "-" + strconv.Itoa(end)
}

// keyDoc returns the doc part of a rowKey.
func keyDoc(key string) string {
	doc, _, _ := strings.Cut(key, "\x00")
	return doc
}
