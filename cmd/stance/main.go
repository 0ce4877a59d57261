// Command stance labels the quoted statements in news with their speech
// act (accusation, denial, threat, conciliation or neutral) through the
// stance service.
//
// Usage:
//
//	stance corpus [--addr ADDRS] [--format table|jsonl|csv] [--out FILE [--resume]] PATH...
//	stance classify [--addr ADDRS] [--in FILE] [--out FILE [--resume]] [--strict]
//	stance eval --gold FILE [--in FILE] [--corpus DIR] [--context] [--addr ADDRS]
//
// corpus finds, attributes and labels every quote in the articles at PATH
// (a file, or a directory searched for *.txt). classify reads quotes as
// JSON Lines and writes each back with its label, scores and evidence.
// eval scores the service against hand-labelled gold quotes.
//
// Without --addr, stance starts the service inside its own process, on a
// loopback port, and stops it when done; with --addr it talks to a running
// stanced, or to several: --addr takes a comma-separated list of HOST:PORT
// or a gRPC target such as dns:///stance.internal:50051, and spreads the
// work round-robin over the servers, moving it off any that fail. The
// security flags (--tls, --tls-ca, --tls-cert, --tls-key,
// --tls-server-name, --auth-token-file) match stanced's.
//
// With --resume, corpus and classify carry on a run that stopped, even
// one killed: the lines already in --out are kept (a torn last line is cut
// off) and only the rest are done. Output is written whole lines at a
// time, so that every quote ends up in the file exactly once.
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
	"github.com/stancehq/stance/internal/creds"
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
  stance corpus [--addr ADDRS] [--format table|jsonl|csv] [--out FILE [--resume]] PATH...
  stance classify [--addr ADDRS] [--in FILE] [--out FILE [--resume]] [--strict]
  stance eval --gold FILE [--in FILE] [--corpus DIR] [--context] [--addr ADDRS]

Run "stance COMMAND -h" for a command's flags. Without --addr, stance runs
the service in its own process; ADDRS is HOST:PORT, a comma-separated list
of them, or a gRPC target such as dns:///stance.internal:50051.
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
	addr          string
	timeout       time.Duration
	maxAttempts   int
	tls           bool
	tlsCA         string
	tlsCert       string
	tlsKey        string
	tlsServerName string
	authTokenFile string
}

// tlsWanted reports whether any TLS flag is set.
func (c *common) tlsWanted() bool {
	return c.tls || c.tlsCA != "" || c.tlsCert != "" || c.tlsKey != "" || c.tlsServerName != ""
}

// clientOptions turns the flags into client options.
func (c *common) clientOptions() ([]client.Option, error) {
	if c.maxAttempts < 1 {
		return nil, fmt.Errorf("--max-attempts must be at least 1, not %d", c.maxAttempts)
	}
	opts := []client.Option{client.WithTimeout(c.timeout), client.WithMaxAttempts(c.maxAttempts)}
	useTLS := c.tlsWanted()
	if useTLS {
		cfg, err := creds.ClientTLS(c.tlsCA, c.tlsCert, c.tlsKey, c.tlsServerName)
		if err != nil {
			return nil, err
		}
		opts = append(opts, client.WithTLS(cfg))
	}
	if c.authTokenFile != "" {
		if !useTLS {
			return nil, errors.New("--auth-token-file needs TLS (--tls or --tls-ca): the token must not travel in clear")
		}
		token, err := creds.ReadToken(c.authTokenFile)
		if err != nil {
			return nil, err
		}
		opts = append(opts, client.WithToken(token))
	}
	return opts, nil
}

func newFlagSet(name string, stderr io.Writer, synopsis string) (*flag.FlagSet, *common) {
	fs := flag.NewFlagSet("stance "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: stance %s %s\n\nflags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	c := &common{}
	fs.StringVar(&c.addr, "addr", "", "`ADDRS` of running stanced servers: HOST:PORT, a comma-separated list, or a target such as dns:///NAME:PORT; empty to run the service in this process")
	fs.DurationVar(&c.timeout, "timeout", 10*time.Minute, "give up after this long")
	fs.IntVar(&c.maxAttempts, "max-attempts", client.DefaultMaxAttempts, "tries of each call, and each quote, while servers are unavailable (1: no retries)")
	fs.BoolVar(&c.tls, "tls", false, "talk TLS, trusting the system's CAs (implied by the other --tls flags)")
	fs.StringVar(&c.tlsCA, "tls-ca", "", "talk TLS, trusting the CA certificates in this PEM `file`")
	fs.StringVar(&c.tlsCert, "tls-cert", "", "client certificate PEM `file`, for servers that require one (needs --tls-key)")
	fs.StringVar(&c.tlsKey, "tls-key", "", "PEM `file` of the key of --tls-cert")
	fs.StringVar(&c.tlsServerName, "tls-server-name", "", "`name` the server's certificate must hold, if not the host of --addr")
	fs.StringVar(&c.authTokenFile, "auth-token-file", "", "send the bearer token in this `file` on every call (needs TLS)")
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
	fs, com := newFlagSet("corpus", stderr, "[--addr ADDRS] [--format table|jsonl|csv] [--out FILE [--resume]] PATH...")
	format := fs.String("format", "table", "output `format`: table, jsonl or csv (jsonl with --resume)")
	out := fs.String("out", "", "write to `FILE` instead of standard output")
	resume := fs.Bool("resume", false, "carry on a run that stopped: keep the rows already in --out and add the rest")
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
			return errReported
		case !formatSet:
			*format = "jsonl"
		case *format != "jsonl":
			fmt.Fprintf(stderr, "stance corpus: --resume writes JSON Lines, not --format %s\n", *format)
			return errReported
		}
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
	if *format == "jsonl" {
		// Rows are written as each article is done, so that a run that
		// stops keeps what it did.
		return withOutput(*out, *resume, cli.CorpusKey, stdout, stderr, func(w io.Writer, r *cli.Resumed) error {
			return withService(ctx, com, stderr, func(ctx context.Context, s cli.Service) error {
				_, err := cli.StreamJSONL(ctx, s, articles, w, r)
				return err
			})
		})
	}
	var rows []cli.Row
	err = withService(ctx, com, stderr, func(ctx context.Context, s cli.Service) error {
		rows, err = cli.Corpus(ctx, s, articles)
		return err
	})
	if err != nil {
		return err
	}
	return withOutput(*out, false, nil, stdout, stderr, func(w io.Writer, _ *cli.Resumed) error { return write(w, rows) })
}

func runClassify(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs, com := newFlagSet("classify", stderr, "[--addr ADDRS] [--in FILE] [--out FILE [--resume]] [--strict]")
	in := fs.String("in", "", "read JSON Lines quotes from `FILE` instead of standard input")
	out := fs.String("out", "", "write to `FILE` instead of standard output")
	strict := fs.Bool("strict", false, "stop at the first invalid line instead of reporting and skipping it")
	resume := fs.Bool("resume", false, "carry on a run that stopped: keep the lines already in --out and classify the rest (every line needs a unique id)")
	rest, err := parse(fs, args)
	if err != nil {
		return helpOK(err)
	}
	if len(rest) > 0 {
		fmt.Fprintf(stderr, "stance classify: unexpected argument %q (use --in FILE)\n", rest[0])
		return errReported
	}
	if *resume && *out == "" {
		fmt.Fprintln(stderr, "stance classify: --resume needs --out FILE")
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
	return withOutput(*out, *resume, cli.ClassifyKey, stdout, stderr, func(w io.Writer, resumed *cli.Resumed) error {
		if resumed != nil {
			opts.Done = resumed.Done
		}
		return withService(ctx, com, stderr, func(ctx context.Context, s cli.Service) error {
			return cli.Classify(ctx, s, r, w, stderr, opts)
		})
	})
}

func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, com := newFlagSet("eval", stderr, "--gold FILE [--in FILE] [--corpus DIR] [--context] [--addr ADDRS]")
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

// withOutput runs write on the file at path, or on stdout when path is
// empty. A failed close is an error: output cut short must not pass for
// complete. With resume, the file is opened with cli.OpenResumed, its
// lines checked with key, and write gets what it holds; without, the file
// is created anew.
func withOutput(path string, resume bool, key cli.LineKey, stdout, stderr io.Writer, write func(io.Writer, *cli.Resumed) error) error {
	if path == "" {
		return write(stdout, nil)
	}
	var f *os.File
	var resumed *cli.Resumed
	var err error
	if resume {
		if resumed, err = cli.OpenResumed(path, key); err != nil {
			return err
		}
		f = resumed.File
		fmt.Fprintf(stderr, "stance: resuming %s: %d records kept", path, resumed.Records)
		if resumed.Torn > 0 {
			fmt.Fprintf(stderr, ", a torn last line of %d bytes cut off", resumed.Torn)
		}
		fmt.Fprintln(stderr)
	} else if f, err = os.Create(path); err != nil {
		return err
	}
	err = write(f, resumed)
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
	opts, err := com.clientOptions()
	if err != nil {
		return err
	}
	addr := com.addr
	if addr == "" {
		if com.tlsWanted() || com.authTokenFile != "" {
			return errors.New("the TLS and token flags are for a server given with --addr")
		}
		local, err := startLocal(stderr)
		if err != nil {
			return err
		}
		defer local.stop()
		addr = local.addr
	}
	c, err := client.New(addr, opts...)
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
