package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// ErrReported is returned for failures already explained on stderr, such
// as a bad flag, which the caller need not print again.
var ErrReported = errors.New("failed")

const usage = `usage:
  stance corpus [--addr ADDRS] [--format table|jsonl|csv] [--out FILE [--resume]] [--concurrency N] [--progress WHEN] PATH...
  stance classify [--addr ADDRS] [--in FILE] [--out FILE [--resume]] [--strict] [--concurrency N] [--progress WHEN]
  stance eval --gold FILES [--in FILE] [--corpus DIR] [--context] [--addr ADDRS]

Run "stance COMMAND -h" for a command's flags. Without --addr, stance runs
the service in its own process; ADDRS is HOST:PORT, a comma-separated list
of them, or a gRPC target such as dns:///stance.internal:50051.
`

// Run is the stance command: args are its arguments without the program
// name, starting with the subcommand (corpus, classify, eval or help).
// Results go to stdout, or to the file of --out; messages, progress and
// corpus summaries go to stderr. Failures it has explained on stderr
// return an error wrapping ErrReported; the caller prints any other.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return ErrReported
	}
	cmd, args := args[0], args[1:]
	switch cmd {
	case "corpus":
		return runCorpus(ctx, args, stdout, stderr)
	case "classify":
		return runClassify(ctx, args, stdin, stdout, stderr)
	case "eval":
		return runEval(ctx, args, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprintf(stderr, "stance: unknown command %q\n%s", cmd, usage)
	return ErrReported
}

func runCorpus(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, com := newFlagSet("corpus", stderr, "[--addr ADDRS] [--format table|jsonl|csv] [--out FILE [--resume]] [--concurrency N] [--progress WHEN] PATH...")
	format := fs.String("format", "table", "output `format`: table, jsonl or csv (jsonl with --resume)")
	out := fs.String("out", "", "write to `FILE` instead of standard output")
	resume := fs.Bool("resume", false, "carry on a run that stopped: keep the rows already in --out and add the rest")
	run := addRunFlags(fs, "articles read and classified at once")
	paths, err := parse(fs, args)
	if err != nil {
		return helpOK(err)
	}
	formatSet := false
	fs.Visit(func(f *flag.Flag) { formatSet = formatSet || f.Name == "format" })
	if *resume {
		switch {
		case *out == "":
			fmt.Fprintln(stderr, "stance corpus: --resume needs --out FILE")
			return ErrReported
		case !formatSet:
			*format = "jsonl"
		case *format != "jsonl":
			fmt.Fprintf(stderr, "stance corpus: --resume writes JSON Lines, not --format %s\n", *format)
			return ErrReported
		}
	}
	write := map[string]func(io.Writer, []Row) error{"table": WriteTable, "jsonl": WriteJSONL, "csv": WriteCSV}[*format]
	if write == nil {
		fmt.Fprintf(stderr, "stance corpus: unknown --format %q (want table, jsonl or csv)\n", *format)
		return ErrReported
	}
	if err := run.check("corpus", stderr); err != nil {
		return err
	}
	if len(paths) == 0 {
		fs.Usage()
		return ErrReported
	}
	articles, err := FindArticles(paths)
	if err != nil {
		return err
	}
	bar := run.bar(stderr, int64(len(articles)), "articles")
	defer bar.Close()
	stdout, stderr = bar.Writer(stdout), bar.Writer(stderr)
	opts := CorpusOptions{Concurrency: run.concurrency, Progress: bar.Add}

	if *format == "jsonl" {
		// Rows are written as each article is done, so that a run that
		// stops keeps what it did. The summary counts the rows of an
		// earlier run too, read as the output file is resumed.
		sum := NewSummary()
		key := summingKey(sum)
		err := withOutput(*out, *resume, key, stdout, stderr, func(w io.Writer, r *Resumed) error {
			return withService(ctx, com, stderr, func(ctx context.Context, s Service) error {
				written, err := StreamJSONL(ctx, s, articles, w, r, opts)
				sum.Merge(written)
				return err
			})
		})
		if err != nil {
			return err
		}
		bar.Close()
		return sum.Write(stderr)
	}
	var rows []Row
	err = withService(ctx, com, stderr, func(ctx context.Context, s Service) error {
		rows, err = Corpus(ctx, s, articles, opts)
		return err
	})
	if err != nil {
		return err
	}
	bar.Close()
	if err := withOutput(*out, false, nil, stdout, stderr, func(w io.Writer, _ *Resumed) error { return write(w, rows) }); err != nil {
		return err
	}
	if *format == "table" {
		// The table ends with the summary already.
		return nil
	}
	return SummarizeRows(rows).Write(stderr)
}

func runClassify(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs, com := newFlagSet("classify", stderr, "[--addr ADDRS] [--in FILE] [--out FILE [--resume]] [--strict] [--concurrency N] [--progress WHEN]")
	in := fs.String("in", "", "read JSON Lines quotes from `FILE` instead of standard input")
	out := fs.String("out", "", "write to `FILE` instead of standard output")
	strict := fs.Bool("strict", false, "stop at the first invalid line instead of reporting and skipping it")
	resume := fs.Bool("resume", false, "carry on a run that stopped: keep the lines already in --out and classify the rest (every line needs a unique id)")
	run := addRunFlags(fs, "ClassifyStream streams open at once, spread over the servers")
	rest, err := parse(fs, args)
	if err != nil {
		return helpOK(err)
	}
	if len(rest) > 0 {
		fmt.Fprintf(stderr, "stance classify: unexpected argument %q (use --in FILE)\n", rest[0])
		return ErrReported
	}
	if *resume && *out == "" {
		fmt.Fprintln(stderr, "stance classify: --resume needs --out FILE")
		return ErrReported
	}
	if err := run.check("classify", stderr); err != nil {
		return err
	}
	com.streams = run.concurrency
	opts := ClassifyOptions{Name: "stdin", Strict: *strict}
	r := stdin
	if *in != "" {
		f, err := os.Open(*in)
		if err != nil {
			return err
		}
		defer f.Close()
		r, opts.Name = f, *in
	}
	// The input is a stream of unknown length: the bar counts quotes.
	bar := run.bar(stderr, -1, "quotes")
	defer bar.Close()
	stdout, stderr = bar.Writer(stdout), bar.Writer(stderr)
	opts.Progress = bar.Add
	return withOutput(*out, *resume, ClassifyKey, stdout, stderr, func(w io.Writer, resumed *Resumed) error {
		if resumed != nil {
			opts.Done = resumed.Done
		}
		return withService(ctx, com, stderr, func(ctx context.Context, s Service) error {
			return Classify(ctx, s, r, w, stderr, opts)
		})
	})
}

func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, com := newFlagSet("eval", stderr, "--gold FILES [--in FILE] [--corpus DIR] [--context] [--addr ADDRS]")
	var opts EvalOptions
	fs.StringVar(&opts.Gold, "gold", "", "gold quotes, JSON Lines: a file or a glob of files (`FILES`)")
	fs.StringVar(&opts.In, "in", "", "predictions from stance classify (`FILE`), matched to gold quotes by id; without it the service classifies the gold quotes")
	fs.StringVar(&opts.Corpus, "corpus", "", "`DIR` of the articles gold quotes point into (default: corpus beside the gold file's directory)")
	fs.BoolVar(&opts.Context, "context", false, "send each gold quote's context with its text")
	rest, err := parse(fs, args)
	if err != nil {
		return helpOK(err)
	}
	if opts.Gold == "" || len(rest) > 0 {
		fs.Usage()
		return ErrReported
	}
	return withService(ctx, com, stderr, func(ctx context.Context, s Service) error {
		return Eval(ctx, s, opts, stdout)
	})
}
