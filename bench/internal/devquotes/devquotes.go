// Package devquotes loads the development quotes (testdata/dev/*.jsonl)
// that the benchmarks classify: real-sized quotes with the reporter's
// sentence around them, as stance's service receives them.
package devquotes

import (
	"path/filepath"

	"github.com/stancehq/stance/eval"
	"github.com/stancehq/stance/model"
)

// Load reads every quote of the *.jsonl files in dir, in file and line
// order.
func Load(dir string) ([]model.Input, error) {
	rows, err := eval.ReadGoldFiles(filepath.Join(dir, "*.jsonl"))
	if err != nil {
		return nil, err
	}
	ins := make([]model.Input, len(rows))
	for i, r := range rows {
		ins[i] = model.Input{Text: r.Text, Speaker: r.Speaker, Context: r.Context}
	}
	return ins, nil
}
