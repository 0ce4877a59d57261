package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestGeneratedDefinitionIsCommitted regenerates the tokenizer definition
// and compares it with the one the model embeds, so that a change to this
// generator cannot go unnoticed.
func TestGeneratedDefinitionIsCommitted(t *testing.T) {
	out := filepath.Join(t.TempDir(), "tokenizer.json")
	if err := run(out); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../../tokenizer.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("generated tokenizer.json (%d bytes) differs from model/tokenizer.json (%d bytes); run go generate ./model", len(got), len(want))
	}
}
