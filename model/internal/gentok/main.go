// Command gentok writes model/tokenizer.json, the tokenizer definition the
// model embeds: BERT's uncased WordPiece vocabulary (shipped inside the
// github.com/sugarme/tokenizer module, so no download is needed) behind a
// normalizer that straightens curly quotes, decomposes accents (NFD) before
// BERT's normalizer strips them, and lowercases.
//
// Run it from the model directory with go generate.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

func main() {
	if err := run("tokenizer.json"); err != nil {
		fmt.Fprintln(os.Stderr, "gentok:", err)
		os.Exit(1)
	}
}

// run writes the tokenizer definition to out.
func run(out string) error {
	dir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/sugarme/tokenizer").Output()
	if err != nil {
		return fmt.Errorf("locating github.com/sugarme/tokenizer: %w", err)
	}
	path := filepath.Join(strings.TrimSpace(string(dir)), "pretrained", "model", "bert-base-uncased-vocab.txt")
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	vocab := map[string]int{}
	sc := bufio.NewScanner(f)
	for i := 0; sc.Scan(); i++ {
		vocab[sc.Text()] = i
	}
	if err := sc.Err(); err != nil {
		return err
	}
	replace := func(from, to string) map[string]any {
		return map[string]any{"type": "Replace", "pattern": map[string]any{"String": from}, "content": to}
	}
	def := map[string]any{
		"version": "1.0",
		"normalizer": map[string]any{"type": "Sequence", "normalizers": []any{
			replace("\u2019", "'"), replace("\u2018", "'"), replace("\u201c", `"`), replace("\u201d", `"`),
			map[string]any{"type": "NFD"},
			map[string]any{"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": true, "lowercase": true},
		}},
		"pre_tokenizer": map[string]any{"type": "BertPreTokenizer"},
		"model": map[string]any{
			"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
			"max_input_chars_per_word": 100, "vocab": vocab,
		},
	}
	b, err := json.MarshalIndent(def, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(out, append(b, '\n'), 0o644)
}
