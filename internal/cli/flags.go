package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/stancehq/stance/client"
	"github.com/stancehq/stance/internal/creds"
)

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

	// streams is ClassifyAll's number of streams, from --concurrency; 0
	// for the client's default.
	streams int
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
	if c.streams > 0 {
		opts = append(opts, client.WithStreams(c.streams))
	}
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

// DefaultConcurrency is how much work corpus and classify have in flight
// at once without --concurrency: as many streams as the client library
// opens by default, and as many articles.
const DefaultConcurrency = client.DefaultStreams

// runFlags are the flags of the commands that classify much: corpus and
// classify.
type runFlags struct {
	concurrency int
	progress    string // auto, always or never
}

// addRunFlags adds --concurrency and --progress to fs; what says what
// --concurrency counts.
func addRunFlags(fs *flag.FlagSet, what string) *runFlags {
	r := &runFlags{}
	fs.IntVar(&r.concurrency, "concurrency", DefaultConcurrency, "`N` "+what+"; output comes in input order whatever it is")
	fs.StringVar(&r.progress, "progress", "auto", "show progress on standard error: auto (when it is a terminal), always or never (`WHEN`)")
	return r
}

// check reports bad values on stderr, as the flag package does.
func (r *runFlags) check(cmd string, stderr io.Writer) error {
	if r.concurrency < 1 {
		fmt.Fprintf(stderr, "stance %s: --concurrency must be at least 1, not %d\n", cmd, r.concurrency)
		return ErrReported
	}
	switch r.progress {
	case "auto", "always", "never":
		return nil
	}
	fmt.Fprintf(stderr, "stance %s: unknown --progress %q (want auto, always or never)\n", cmd, r.progress)
	return ErrReported
}

// bar returns the progress bar --progress asks for on stderr, for
// total units of work (-1 when unknown) named unit.
func (r *runFlags) bar(stderr io.Writer, total int64, unit string) *Progress {
	return NewProgress(stderr, r.progress == "always" || r.progress == "auto" && IsTerminal(stderr), total, unit)
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
			return nil, ErrReported
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

// helpOK turns -h into success.
func helpOK(err error) error {
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}
