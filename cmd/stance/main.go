// Command stance labels the quoted statements in news with their speech
// act (accusation, denial, threat, conciliation or neutral) through the
// stance service.
//
// Usage:
//
//	stance corpus [--addr HOST:PORT] [--format table|jsonl|csv] [--out FILE] PATH...
//	stance classify [--addr HOST:PORT] [--in FILE] [--out FILE] [--strict]
//	stance eval --gold FILE [--in FILE] [--corpus DIR] [--context] [--addr HOST:PORT]
//
// corpus finds, attributes and labels every quote in the articles at PATH
// (a file, or a directory searched for *.txt). classify reads quotes as
// JSON Lines and writes each back with its label, scores and evidence.
// eval scores the service against hand-labelled gold quotes.
//
// Without --addr, stance starts the service inside its own process, on a
// loopback port, and stops it when done; with --addr it talks to a running
// stanced.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/stancehq/stance/client"
	"github.com/stancehq/stance/internal/cli"
	"github.com/stancehq/stance/model"
	"github.com/stancehq/stance/server"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, errReported) {
			fmt.Fprintln(os.Stderr, "stance:", err)
		}
		os.Exit(1)
	}
}

// errReported is returned for failures already explained on stderr, such
// as a bad flag.
var errReported = errors.New("failed")

const usage = `usage:
  stance corpus [--addr HOST:PORT] [--format table|jsonl|csv] [--out FILE] PATH...
  stance classify [--addr HOST:PORT] [--in FILE] [--out FILE] [--strict]
  stance eval --gold FILE [--in FILE] [--corpus DIR] [--context] [--addr HOST:PORT]

Run "stance COMMAND -h" for a command's flags. Without --addr, stance runs
the service in its own process.
`

// run is the whole command: main only adds the process around it.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errReported
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
	return errReported
}

// common holds the flags every command has.
type common struct {
	addr    string
	timeout time.Duration
}

func newFlagSet(name string, stderr io.Writer, synopsis string) (*flag.FlagSet, *common) {
	fs := flag.NewFlagSet("stance "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: stance %s %s\n\nflags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	c := &common{}
	fs.StringVar(&c.addr, "addr", "", "`HOST:PORT` of a running stanced; empty to run the service in this process")
	fs.DurationVar(&c.timeout, "timeout", 10*time.Minute, "give up after this long")
	return fs, c
}

// parse parses args, allowing flags after positional arguments ("stance
// corpus DIR --format csv"), and returns the positional ones. -h is
// errHelp.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, errHelp
			}
			return nil, errReported
		}
		rest := fs.Args()
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			// Everything after "--" is positional.
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
}

// errHelp is parse's result for -h: the usage is printed, and the command
// has nothing more to do.
var errHelp = errors.New("help requested")

func runCorpus(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, com := newFlagSet("corpus", stderr, "[--addr HOST:PORT] [--format table|jsonl|csv] [--out FILE] PATH...")
	format := fs.String("format", "table", "output `format`: table, jsonl or csv")
	out := fs.String("out", "", "write to `FILE` instead of standard output")
	paths, err := parse(fs, args)
	if err != nil {
		return helpOK(err)
	}
	write := map[string]func(io.Writer, []cli.Row) error{"table": cli.WriteTable, "jsonl": cli.WriteJSONL, "csv": cli.WriteCSV}[*format]
	if write == nil {
		fmt.Fprintf(stderr, "stance corpus: unknown --format %q (want table, jsonl or csv)\n", *format)
		return errReported
	}
	if len(paths) == 0 {
		fs.Usage()
		return errReported
	}
	articles, err := cli.FindArticles(paths)
	if err != nil {
		return err
	}
	var rows []cli.Row
	err = withService(ctx, com, stderr, func(ctx context.Context, s cli.Service) error {
		rows, err = cli.Corpus(ctx, s, articles)
		return err
	})
	if err != nil {
		return err
	}
	return writeOutput(*out, stdout, func(w io.Writer) error { return write(w, rows) })
}

func runClassify(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs, com := newFlagSet("classify", stderr, "[--addr HOST:PORT] [--in FILE] [--out FILE] [--strict]")
	in := fs.String("in", "", "read JSON Lines quotes from `FILE` instead of standard input")
	out := fs.String("out", "", "write to `FILE` instead of standard output")
	strict := fs.Bool("strict", false, "stop at the first invalid line instead of reporting and skipping it")
	rest, err := parse(fs, args)
	if err != nil {
		return helpOK(err)
	}
	if len(rest) > 0 {
		fmt.Fprintf(stderr, "stance classify: unexpected argument %q (use --in FILE)\n", rest[0])
		return errReported
	}
	opts := cli.ClassifyOptions{Name: "stdin", Strict: *strict}
	r := stdin
	if *in != "" {
		f, err := os.Open(*in)
		if err != nil {
			return err
		}
		defer f.Close()
		r, opts.Name = f, *in
	}
	return withService(ctx, com, stderr, func(ctx context.Context, s cli.Service) error {
		return writeOutput(*out, stdout, func(w io.Writer) error {
			return cli.Classify(ctx, s, r, w, stderr, opts)
		})
	})
}

func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, com := newFlagSet("eval", stderr, "--gold FILE [--in FILE] [--corpus DIR] [--context] [--addr HOST:PORT]")
	var opts cli.EvalOptions
	fs.StringVar(&opts.Gold, "gold", "", "gold quotes, JSON Lines (`FILE`)")
	fs.StringVar(&opts.In, "in", "", "predictions from stance classify (`FILE`), matched to gold quotes by id; without it the service classifies the gold quotes")
	fs.StringVar(&opts.Corpus, "corpus", "", "`DIR` of the articles gold quotes point into (default: corpus beside the gold file's directory)")
	fs.BoolVar(&opts.Context, "context", false, "send each gold quote's context with its text")
	rest, err := parse(fs, args)
	if err != nil {
		return helpOK(err)
	}
	if opts.Gold == "" || len(rest) > 0 {
		fs.Usage()
		return errReported
	}
	return withService(ctx, com, stderr, func(ctx context.Context, s cli.Service) error {
		return cli.Eval(ctx, s, opts, stdout)
	})
}

// helpOK turns -h into success.
func helpOK(err error) error {
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}

// writeOutput runs write on the file at path, or on stdout when path is
// empty. The file is created only when write starts, and a failed close
// is an error: output cut short must not pass for complete.
func writeOutput(path string, stdout io.Writer, write func(io.Writer) error) error {
	if path == "" {
		return write(stdout)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// withService runs f with a client of the service at com.addr, or of one
// started in this process on a loopback port when com.addr is empty, and
// closes what it opened when f returns.
func withService(ctx context.Context, com *common, stderr io.Writer, f func(context.Context, cli.Service) error) error {
	ctx, cancel := context.WithTimeout(ctx, com.timeout)
	defer cancel()
	addr := com.addr
	if addr == "" {
		local, err := startLocal(stderr)
		if err != nil {
			return err
		}
		defer local.stop()
		addr = local.addr
	}
	c, err := client.New(addr, client.WithTimeout(com.timeout))
	if err != nil {
		return err
	}
	defer c.Close()
	return f(ctx, c)
}

// localServer is the service running inside this process.
type localServer struct {
	addr string
	stop func()
}

// startLocal starts the service on 127.0.0.1 with the bundled model.
// Server warnings and errors go to stderr.
func startLocal(stderr io.Writer) (*localServer, error) {
	m, err := model.New()
	if err != nil {
		return nil, fmt.Errorf("loading the model: %w", err)
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv := server.New(m, server.WithLogger(logger))
	gs := srv.NewGRPCServer()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	var wg sync.WaitGroup
	wg.Go(func() { _ = gs.Serve(lis) })
	return &localServer{addr: lis.Addr().String(), stop: func() {
		srv.Shutdown()
		gs.GracefulStop()
		wg.Wait()
	}}, nil
}
