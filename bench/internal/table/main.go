// Command table prints the table of figures of bench/run.sh from the raw
// output the script collects in one directory:
//
//	model.txt      go test -bench output of the model benchmarks
//	traces.txt     go tool pprof -traces of a CPU profile of BenchmarkClassify
//	grpc.txt       go test -bench output of the gRPC benchmarks
//	peer.txt       go test -bench output of the peer module's benchmarks
//	corpus-N/      a generated corpus of N MB
//	corpus-N.time  /usr/bin/time -v of "stance corpus" over it
//	corpus-N.jsonl its output, one line per quote
//
// Usage:
//
//	go run ./bench/internal/table DIR
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "table:", err)
		os.Exit(1)
	}
}

// Goals, from the issue.
const (
	goalModel = 3.0 // Classify / bare pass
	goalGRPC  = 1.3 // unary Classify / health Check
)

func run(args []string, w io.Writer) error {
	if len(args) != 1 {
		return errors.New("usage: table DIR")
	}
	dir := args[0]
	model, err := readBench(filepath.Join(dir, "model.txt"))
	if err != nil {
		return err
	}
	grpc, err := readBench(filepath.Join(dir, "grpc.txt"))
	if err != nil {
		return err
	}
	peer, err := readBench(filepath.Join(dir, "peer.txt"))
	if err != nil {
		return err
	}
	traces, err := os.Open(filepath.Join(dir, "traces.txt"))
	if err != nil {
		return err
	}
	defer traces.Close()
	stages, err := profileStages(traces)
	if err != nil {
		return err
	}
	corpora, err := readCorpora(dir)
	if err != nil {
		return err
	}

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	p := func(format string, args ...any) { fmt.Fprintf(tw, "  "+format+"\n", args...) }
	fmt.Fprintf(w, "stance benchmarks, %s, %s/%s, %d CPUs, %s\n", time.Now().UTC().Format("2006-01-02 15:04 MST"), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	fmt.Fprintln(w, "Every ratio compares two things measured in alternating rounds of the same run.")

	fmt.Fprintln(w, "\nMODEL: one development quote per op (text about 100 bytes, context about 160)")
	p("\tns/op\tallocs/op\t")
	p("Classify, fast tokenizer\t%s\t%s\t", num(model.get("Classify", "ns/op")), count(model.get("Classify", "allocs/op")))
	p("Classify, sugarme tokenizer\t%s\t%s\t", num(model.get("ClassifySugarme", "ns/op")), count(model.get("ClassifySugarme", "allocs/op")))
	p("bare pass: lowercase, split, look up\t%s\t%s\t", num(model.get("Bare", "ns/op")), count(model.get("Bare", "allocs/op")))
	r := model.get("ClassifyVsBare", "ratio")
	p("Classify / bare pass (%s / %s ns)\t%.2fx\t%s\t", num(model.get("ClassifyVsBare", "classify-ns/quote")), num(model.get("ClassifyVsBare", "bare-ns/quote")), r, verdict(r, goalModel))
	tw.Flush()
	fmt.Fprintln(w, "\nwhere Classify's time goes (CPU profile; runtime time charged to the model code that called it)")
	for _, s := range stages {
		p("%s\t%s\t", s.name, s.share)
	}
	tw.Flush()

	fmt.Fprintln(w, "\nGRPC: loopback TCP, one connection, the service as stanced runs it")
	p("unary Classify latency\t%.0f µs\t", grpc.get("UnaryClassifyVsCheck", "classify-µs/call"))
	p("health Check latency\t%.0f µs\t", grpc.get("UnaryClassifyVsCheck", "check-µs/call"))
	r = grpc.get("UnaryClassifyVsCheck", "ratio")
	p("Classify / Check\t%.2fx\t%s\t", r, verdict(r, goalGRPC))
	p("  the model's time inside the server\t%.1f µs\t(%s ns in a loop)\t", grpc.get("UnaryClassifyVsCheck", "model-µs/call"), num(model.get("Classify", "ns/op")))
	p("  Classify with a canned result / Check\t%.2fx\t(the floor without the model)\t", grpc.get("UnaryCannedVsCheck", "ratio"))
	p("ClassifyStream, one stream\t%s quotes/s\t", num(grpc.get("ClassifyStream", "quotes/s")))
	p("ClassifyBatch, 100 quotes a call\t%s quotes/s\t", num(grpc.get("ClassifyBatch", "quotes/s")))
	tw.Flush()

	fmt.Fprintln(w, "\nCORPUS: stance corpus --format jsonl, service in process, generated articles")
	p("corpus\tarticles\tquotes\tseconds\tMB/s\tpeak RSS\t")
	for _, c := range corpora {
		p("%.0f MB\t%s\t%s\t%.1f\t%.2f\t%.0f MB\t", c.mb, num(float64(c.articles)), num(float64(c.quotes)), c.seconds, c.mb/c.seconds, c.rssMB)
	}
	if n := len(corpora); n >= 2 {
		a, b := corpora[0], corpora[n-1]
		p("peak RSS, %.0f MB / %.0f MB\t%.2fx\t%s\t\t\t\t", b.mb, a.mb, b.rssMB/a.rssMB, flat(b.rssMB/a.rssMB))
	}
	p("in process, one article at a time:\t\t\t\t\t\t")
	p("  quote.Extract alone\t\t\t\t%.2f\t\t", model.get("Extract", "MB/s"))
	p("  quote.Extract and Classify\t\t\t\t%.2f\t\t", model.get("ExtractClassify", "MB/s"))
	tw.Flush()

	fmt.Fprintln(w, "\nPEER: the same quotes, text and context, in alternating rounds")
	p("\tns/quote\tallocs/op\t")
	p("stance Classify\t%s\t%s\t", num(peer.get("StanceVsGovader", "stance-ns/quote")), count(peer.get("Stance", "allocs/op")))
	p("govader PolarityScores\t%s\t%s\t", num(peer.get("StanceVsGovader", "govader-ns/quote")), count(peer.get("Govader", "allocs/op")))
	p("stance / govader\t%.2fx\t\t", peer.get("StanceVsGovader", "ratio"))
	return tw.Flush()
}

// verdict says whether a ratio meets its goal.
func verdict(r, goal float64) string {
	if r <= goal {
		return fmt.Sprintf("goal <= %.1fx: met", goal)
	}
	return fmt.Sprintf("goal <= %.1fx: MISSED", goal)
}

// flat says whether memory stayed flat as the corpus grew tenfold.
func flat(r float64) string {
	if r <= 1.5 {
		return "flat"
	}
	return "GROWS with the corpus"
}

// num formats a number with thousands separators and no decimals, or with
// two significant decimals when it is small.
func num(v float64) string {
	if v < 10 {
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
	s := strconv.FormatInt(int64(v+0.5), 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// count formats a whole number with thousands separators.
func count(v float64) string {
	if v < 10 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return num(v)
}

// corpus is one corpus run.
type corpus struct {
	mb               float64
	articles, quotes int
	seconds, rssMB   float64
}

// readCorpora reads the corpus-N runs in dir, smallest first.
func readCorpora(dir string) ([]corpus, error) {
	times, err := filepath.Glob(filepath.Join(dir, "corpus-*.time"))
	if err != nil {
		return nil, err
	}
	var cs []corpus
	for _, t := range times {
		base := strings.TrimSuffix(t, ".time")
		var c corpus
		f, err := os.Open(t)
		if err != nil {
			return nil, err
		}
		c.seconds, c.rssMB, err = readTime(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", t, err)
		}
		var bytes int64
		err = filepath.WalkDir(base, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			bytes += info.Size()
			c.articles++
			return nil
		})
		if err != nil {
			return nil, err
		}
		c.mb = float64(bytes) / 1e6
		out, err := os.ReadFile(base + ".jsonl")
		if err != nil {
			return nil, err
		}
		c.quotes = strings.Count(string(out), "\n")
		cs = append(cs, c)
	}
	if len(cs) == 0 {
		return nil, fmt.Errorf("no corpus-*.time in %s", dir)
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].mb < cs[j].mb })
	return cs, nil
}
