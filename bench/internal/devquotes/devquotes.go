// Package devquotes loads the development quotes (testdata/dev/*.jsonl)
// that the benchmarks classify: real-sized quotes with the reporter's
// sentence around them, as stance's service receives them.
package devquotes

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/stancehq/stance/model"
)

// Load reads every quote of the *.jsonl files in dir, in file and line
// order.
func Load(dir string) ([]model.Input, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no *.jsonl files in %s", dir)
	}
	var ins []model.Input
	for _, name := range files {
		qs, err := load(name)
		if err != nil {
			return nil, err
		}
		ins = append(ins, qs...)
	}
	return ins, nil
}

func load(name string) ([]model.Input, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var ins []model.Input
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		var q struct{ Text, Speaker, Context string }
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, n, err)
		}
		ins = append(ins, model.Input{Text: q.Text, Speaker: q.Speaker, Context: q.Context})
	}
	return ins, sc.Err()
}
