package bench

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stancehq/stance/model"
	"github.com/stancehq/stance/quote"
)

// articles reads the development articles and sets b's bytes per op to
// their mean size, since each op handles one article.
func articles(b *testing.B) []string {
	b.Helper()
	files, err := filepath.Glob("../testdata/corpus/*.txt")
	if err != nil || len(files) == 0 {
		b.Fatalf("no articles (%v)", err)
	}
	var texts []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		texts = append(texts, string(data))
	}
	size := 0
	for _, t := range texts {
		size += len(t)
	}
	b.SetBytes(int64(size / len(texts)))
	return texts
}

// BenchmarkExtract finds the quotes of one development article per op,
// the first half of what stance corpus does with an article; its MB/s
// bounds the command's.
func BenchmarkExtract(b *testing.B) {
	texts := articles(b)
	b.ResetTimer()
	for i := range b.N {
		quote.Extract(texts[i%len(texts)])
	}
}

// BenchmarkExtractClassify finds and classifies the quotes of one
// development article per op, in process: stance corpus without the
// service calls, file reading and output.
func BenchmarkExtractClassify(b *testing.B) {
	texts := articles(b)
	m := newModel(b)
	b.ResetTimer()
	for i := range b.N {
		text := texts[i%len(texts)]
		for _, q := range quote.Extract(text) {
			in := model.Input{Text: q.Text, Speaker: q.Speaker, Context: text[q.ContextStart:q.ContextEnd]}
			if _, err := m.Classify(in); err != nil {
				b.Fatal(err)
			}
		}
	}
}
