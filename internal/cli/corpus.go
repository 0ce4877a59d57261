package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"

	"github.com/stancehq/stance/model"
)

// Article is one article file.
type Article struct {
	// Doc names the article in output: its path relative to the directory
	// it was found in, with slashes, or its base name when it was given as
	// a file.
	Doc string
	// Path is where to read it.
	Path string
}

// FindArticles expands paths into articles: a file stands for itself; a
// directory for every *.txt file under it, recursively, in sorted order.
// A directory without any is an error, so that a mistyped path does not
// pass for an empty corpus.
func FindArticles(paths []string) ([]Article, error) {
	var out []Article
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			out = append(out, Article{Doc: filepath.Base(p), Path: p})
			continue
		}
		n := len(out)
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || filepath.Ext(path) != ".txt" {
				return nil
			}
			rel, err := filepath.Rel(p, path)
			if err != nil {
				return err
			}
			out = append(out, Article{Doc: filepath.ToSlash(rel), Path: path})
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(out) == n {
			return nil, fmt.Errorf("no *.txt files under %s", p)
		}
		// WalkDir goes in lexical order of names within each directory;
		// sort by the whole relative path so that "a/b.txt" < "a.txt" does
		// not depend on the walk.
		sort.Slice(out[n:], func(i, j int) bool { return out[n+i].Doc < out[n+j].Doc })
	}
	return out, nil
}

// Row is one quote found in an article.
type Row struct {
	Doc        string
	Start, End int
	Text       string
	Speaker    string
	Label      model.Label
	Scores     Scores
}

// CorpusOptions configures Corpus, EachArticle and StreamJSONL.
type CorpusOptions struct {
	// Concurrency is how many articles are read and classified at once
	// (1 when not positive). The rows come out in article order whatever
	// it is.
	Concurrency int
	// Progress, when not nil, is called with the number of articles
	// done: 1 as each one's rows are handed on, and, in StreamJSONL, the
	// number of articles a resumed run had done.
	Progress func(articles int)
}

// Corpus classifies each article with the service and returns one row for
// each quote, in article order and then text order. It fails on an
// article it cannot read or the service rejects, naming it, and on a quote
// whose text is not the article's bytes at its span.
func Corpus(ctx context.Context, c DocumentClassifier, articles []Article, opts CorpusOptions) ([]Row, error) {
	var rows []Row
	err := EachArticle(ctx, c, articles, opts, func(_ Article, rs []Row) error {
		rows = append(rows, rs...)
		return nil
	})
	return rows, err
}

// EachArticle is Corpus handing each article's rows to emit as soon as
// they, and those of every article before, are known, so that they can
// be written as the run goes. emit is called from one goroutine, in
// article order; the first error, in article order too, stops the run.
func EachArticle(ctx context.Context, c DocumentClassifier, articles []Article, opts CorpusOptions, emit func(Article, []Row) error) error {
	classify := func(ctx context.Context, i int) ([]Row, error) {
		return classifyArticle(ctx, c, articles[i])
	}
	return inOrder(ctx, len(articles), opts.Concurrency, classify, func(i int, rows []Row) error {
		if err := emit(articles[i], rows); err != nil {
			return err
		}
		if opts.Progress != nil {
			opts.Progress(1)
		}
		return nil
	})
}

// classifyArticle reads a, has the service find and classify its quotes,
// and checks what comes back.
func classifyArticle(ctx context.Context, c DocumentClassifier, a Article) ([]Row, error) {
	data, err := os.ReadFile(a.Path)
	if err != nil {
		return nil, err
	}
	text := string(data)
	quotes, err := c.ClassifyDocument(ctx, text)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", a.Path, err)
	}
	rows := make([]Row, 0, len(quotes))
	for i, q := range quotes {
		start, end := int(q.GetStart()), int(q.GetEnd())
		if start < 0 || start > end || end > len(text) || text[start:end] != q.GetText() {
			return nil, fmt.Errorf("%s: quote %d: %w: span [%d:%d] does not hold its text %q", a.Path, i+1, errBadResponse, start, end, q.GetText())
		}
		p, err := toPrediction(q.GetResult())
		if err != nil {
			return nil, fmt.Errorf("%s: quote %d: %w", a.Path, i+1, err)
		}
		rows = append(rows, Row{
			Doc: a.Doc, Start: start, End: end, Text: q.GetText(), Speaker: q.GetSpeaker(),
			Label: p.label, Scores: p.scores,
		})
	}
	return rows, nil
}

// StreamJSONL classifies the articles and writes each one's rows to w as
// JSON Lines, in article order, in a single write, as soon as they are
// known, so that a run that stops leaves whole articles behind. It
// returns the Summary of the rows it wrote.
//
// With resumed, the output file of an earlier run of the same articles,
// the rows it holds are not written again. The articles it holds rows of
// are not even classified again, except the last one, which the earlier
// run may have been writing when it stopped.
func StreamJSONL(ctx context.Context, c DocumentClassifier, articles []Article, w io.Writer, resumed *Resumed, opts CorpusOptions) (*Summary, error) {
	var skip map[string]bool
	if resumed != nil && resumed.Records > 0 {
		skip = make(map[string]bool)
		for k := range resumed.Done {
			skip[keyDoc(k)] = true
		}
		delete(skip, keyDoc(resumed.Last))
	}
	todo := make([]Article, 0, len(articles))
	for _, a := range articles {
		if !skip[a.Doc] {
			todo = append(todo, a)
		}
	}
	if done := len(articles) - len(todo); done > 0 && opts.Progress != nil {
		opts.Progress(done)
	}
	sum := NewSummary()
	var buf bytes.Buffer
	err := EachArticle(ctx, c, todo, opts, func(_ Article, rows []Row) error {
		if resumed != nil {
			rows = slices.DeleteFunc(rows, func(r Row) bool { return resumed.Done[rowKey(r.Doc, r.Start, r.End)] })
		}
		if len(rows) == 0 {
			return nil
		}
		buf.Reset()
		if err := WriteJSONL(&buf, rows); err != nil {
			return err
		}
		if _, err := w.Write(buf.Bytes()); err != nil {
			return err
		}
		for _, r := range rows {
			sum.Add(r.Speaker, r.Label)
		}
		return nil
	})
	return sum, err
}

// rowJSON is a Row's JSON form.
type rowJSON struct {
	Doc     string `json:"doc"`
	Start   int    `json:"start"`
	End     int    `json:"end"`
	Text    string `json:"text"`
	Speaker string `json:"speaker"`
	Label   string `json:"label"`
	Scores  Scores `json:"scores"`
}

// WriteJSONL writes one JSON object per row and line, with the label's
// name and a scores object from label name to probability.
func WriteJSONL(w io.Writer, rows []Row) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, r := range rows {
		err := enc.Encode(rowJSON{Doc: r.Doc, Start: r.Start, End: r.End, Text: r.Text, Speaker: r.Speaker, Label: r.Label.String(), Scores: r.Scores})
		if err != nil {
			return err
		}
	}
	return nil
}

// WriteCSV writes a header and one record per row, with a score_<label>
// column for each label.
func WriteCSV(w io.Writer, rows []Row) error {
	cw := csv.NewWriter(w)
	header := []string{"doc", "start", "end", "text", "speaker", "label"}
	for _, l := range model.Labels() {
		header = append(header, "score_"+l.String())
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, r := range rows {
		rec := []string{r.Doc, strconv.Itoa(r.Start), strconv.Itoa(r.End), r.Text, r.Speaker, r.Label.String()}
		for _, l := range model.Labels() {
			rec = append(rec, formatProb(r.Scores[l]))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Widths of the table's text columns, in characters.
const (
	tableTextWidth    = 60
	tableSpeakerWidth = 24
)

// WriteTable writes the rows as an aligned table for people, quote text on
// one line and cut to fit, then the number of quotes per label, and last
// the Summary of the rows: their number per speaker and label.
func WriteTable(w io.Writer, rows []Row) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "DOC\tSTART\tEND\tLABEL\tP\tSPEAKER\tTEXT")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%.2f\t%s\t%s\n", oneLine(r.Doc, 0), r.Start, r.End, r.Label, r.Scores[r.Label],
			oneLine(r.Speaker, tableSpeakerWidth), oneLine(r.Text, tableTextWidth))
	}
	fmt.Fprintln(tw)
	byLabel := make(map[model.Label]int)
	for _, r := range rows {
		byLabel[r.Label]++
	}
	fmt.Fprintln(tw, "LABEL\tQUOTES")
	for _, l := range model.Labels() {
		fmt.Fprintf(tw, "%s\t%d\n", l, byLabel[l])
	}
	fmt.Fprintf(tw, "total\t%d\n", len(rows))
	fmt.Fprintln(tw)
	if err := tw.Flush(); err != nil {
		return err
	}
	return SummarizeRows(rows).Write(w)
}

// oneLine makes s fit one table cell: every run of white space (tabs and
// newlines too, which would break the table) becomes one space and, when
// width > 0, s is cut to width characters, ending in "…" if cut.
func oneLine(s string, width int) string {
	s = strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
	if width <= 0 {
		return s
	}
	r := []rune(s)
	if len(r) <= width {
		return s
	}
	return string(r[:width-1]) + "…"
}
