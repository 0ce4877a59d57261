// Command stanced serves the stance gRPC API: it loads the model (the
// bundled lexicon or the one given with --lexicon), listens on --listen and
// serves stance.v1.StanceService, grpc.health.v1 and server reflection until
// SIGINT or SIGTERM.
//
// Usage:
//
//	stanced [--listen 127.0.0.1:50051] [--lexicon FILE] [--tokenizer fast|sugarme]
//	        [--max-batch N] [--max-text-bytes N] [--max-doc-bytes N] [--max-streams N]
//	        [--tls-cert FILE --tls-key FILE [--client-ca FILE]]
//	        [--auth-token-file FILE] [--reflection=false]
//	        [--metrics-addr HOST:PORT]
//	        [--shutdown-timeout 10s] [--log-format text|json] [--log-level info]
//
// Every flag can also be set with an environment variable: STANCE_ and the
// flag's name in upper case with _ for -, such as STANCE_LISTEN or
// STANCE_MAX_BATCH. A flag on the command line wins over its variable.
//
// With --tls-cert and --tls-key the server speaks TLS only; with
// --client-ca too it requires every client to present a certificate signed
// by one of those CAs (mutual TLS). With --auth-token-file every call but
// health checks needs "authorization: Bearer TOKEN" with a token of the
// file (one a line; several allow rotation); the file is read at start-up.
//
// --tokenizer picks the implementation of the model's tokenizer: fast (the
// default) or sugarme, the reference the fast one is tested against, some
// fifty times slower per quote (bench/README.md); both split text into the
// same words, and the server answers INTERNAL for the few valid texts on
// which sugarme loses its offsets.
//
// With --metrics-addr the server also serves Prometheus metrics over plain
// HTTP at /metrics on that address (port 0 picks a free port, which the
// log's "serving metrics" record gives): per-method gRPC call counts,
// status codes and handling times, stance_classifications_total by label,
// and the Go runtime's and the process's metrics. The endpoint has neither
// TLS nor auth; give it an address that only the scraper reaches. Empty
// (the default) serves no metrics and records none.
//
// With --log-level debug every call is logged: method, status code,
// duration, peer and, for the calls that classify, the quotes answered.
// At info, the default, calls are not logged.
//
// On a signal the server reports NOT_SERVING to health checks, ends its
// health watches and ClassifyStream streams with UNAVAILABLE (clients
// send what those streams left unanswered to another server), stops
// taking new calls and waits for the calls under way for up to
// --shutdown-timeout, then cuts the rest off, stops serving metrics and
// exits 0.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/stancehq/stance/internal/creds"
	"github.com/stancehq/stance/model"
	"github.com/stancehq/stance/server"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "stanced:", err)
		os.Exit(1)
	}
}

// config is the command line, with the environment filled in.
type config struct {
	listen          string
	lexicon         string
	tokenizer       model.Tokenizer
	metricsAddr     string
	maxBatch        int
	maxTextBytes    int
	maxDocBytes     int
	maxStreams      int
	tlsCert         string
	tlsKey          string
	clientCA        string
	authTokenFile   string
	reflection      bool
	shutdownTimeout time.Duration
	logFormat       string
	logLevel        slog.Level
}

// tokenizerFlag is the --tokenizer flag.
type tokenizerFlag model.Tokenizer

func (f *tokenizerFlag) String() string { return model.Tokenizer(*f).String() }

func (f *tokenizerFlag) Set(s string) error {
	t, err := model.ParseTokenizer(s)
	if err != nil {
		return err
	}
	*f = tokenizerFlag(t)
	return nil
}

// envName is the environment variable for a flag.
func envName(flagName string) string {
	return "STANCE_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parseConfig reads the flags in args, then, for each flag args does not
// set, its environment variable as lookupEnv reports it.
func parseConfig(args []string, lookupEnv func(string) (string, bool), stderr io.Writer) (config, error) {
	c := config{logLevel: slog.LevelInfo, reflection: true}
	fs := flag.NewFlagSet("stanced", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.listen, "listen", "127.0.0.1:50051", "`address` to listen on; port 0 picks a free port")
	fs.StringVar(&c.lexicon, "lexicon", "", "lexicon `file` to load instead of the bundled one")
	fs.Var((*tokenizerFlag)(&c.tokenizer), "tokenizer", "tokenizer `implementation`: fast (the default) or sugarme (the reference, much slower)")
	fs.StringVar(&c.metricsAddr, "metrics-addr", "", "serve Prometheus metrics over HTTP at /metrics on this `address` (no TLS, no auth); empty serves none")
	fs.IntVar(&c.maxBatch, "max-batch", server.DefaultMaxBatch, "most quotes in one ClassifyBatch call")
	fs.IntVar(&c.maxTextBytes, "max-text-bytes", server.DefaultMaxTextBytes, "largest quote text, and largest context, in bytes")
	fs.IntVar(&c.maxDocBytes, "max-doc-bytes", server.DefaultMaxDocumentBytes, "largest ClassifyDocument article in bytes")
	fs.IntVar(&c.maxStreams, "max-streams", server.DefaultMaxConcurrentStreams, "most calls open at once on one client connection")
	fs.StringVar(&c.tlsCert, "tls-cert", "", "serve TLS with the certificate chain in this PEM `file` (needs --tls-key)")
	fs.StringVar(&c.tlsKey, "tls-key", "", "PEM `file` of the key of --tls-cert")
	fs.StringVar(&c.clientCA, "client-ca", "", "require client certificates signed by a CA in this PEM `file` (mutual TLS; needs --tls-cert)")
	fs.StringVar(&c.authTokenFile, "auth-token-file", "", "require a bearer token of this `file` (one a line) on every call but health checks")
	fs.BoolVar(&c.reflection, "reflection", true, "serve gRPC reflection (for grpcurl and the like)")
	fs.DurationVar(&c.shutdownTimeout, "shutdown-timeout", 10*time.Second, "how long to wait for calls under way on shutdown")
	fs.StringVar(&c.logFormat, "log-format", "text", "log `format`: text or json")
	fs.TextVar(&c.logLevel, "log-level", slog.LevelInfo, "log `level`: debug, info, warn or error")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: stanced [flags]\n\nServes the stance gRPC API. Every flag can be set with the environment\nvariable STANCE_<FLAG>, such as STANCE_MAX_BATCH; a flag wins.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q (stanced takes flags only)", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] || err != nil {
			return
		}
		if v, ok := lookupEnv(envName(f.Name)); ok {
			if serr := fs.Set(f.Name, v); serr != nil {
				err = fmt.Errorf("%s=%q: invalid value for --%s: %w", envName(f.Name), v, f.Name, serr)
			}
		}
	})
	if err != nil {
		return c, err
	}
	switch {
	case c.maxBatch < 1:
		return c, fmt.Errorf("--max-batch must be at least 1, not %d", c.maxBatch)
	case c.maxTextBytes < 1:
		return c, fmt.Errorf("--max-text-bytes must be at least 1, not %d", c.maxTextBytes)
	case c.maxDocBytes < 1:
		return c, fmt.Errorf("--max-doc-bytes must be at least 1, not %d", c.maxDocBytes)
	case c.maxStreams < 1:
		return c, fmt.Errorf("--max-streams must be at least 1, not %d", c.maxStreams)
	case (c.tlsCert == "") != (c.tlsKey == ""):
		return c, errors.New("--tls-cert and --tls-key go together")
	case c.clientCA != "" && c.tlsCert == "":
		return c, errors.New("--client-ca needs --tls-cert and --tls-key")
	case c.shutdownTimeout <= 0:
		return c, fmt.Errorf("--shutdown-timeout must be positive, not %v", c.shutdownTimeout)
	case c.logFormat != "text" && c.logFormat != "json":
		return c, fmt.Errorf("--log-format must be text or json, not %q", c.logFormat)
	}
	return c, nil
}

// newLogger returns the logger c asks for, writing to w.
func newLogger(c config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.logLevel}
	if c.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// loadModel loads the bundled model, or the one of the lexicon file, with
// the given tokenizer.
func loadModel(path string, tok model.Tokenizer) (*model.Model, error) {
	opts := []model.Option{model.WithTokenizer(tok)}
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("reading lexicon: %w", err)
		}
		opts = append(opts, model.WithLexicon(data, path))
	}
	return model.New(opts...)
}

// newMetricsRegistry returns a registry with the Go runtime's and the
// process's collectors, and the server's metrics registered on it.
func newMetricsRegistry() (*prometheus.Registry, *server.Metrics, error) {
	reg := prometheus.NewRegistry()
	for _, c := range []prometheus.Collector{
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	} {
		if err := reg.Register(c); err != nil {
			return nil, nil, fmt.Errorf("registering metrics: %w", err)
		}
	}
	m, err := server.NewMetrics(reg)
	if err != nil {
		return nil, nil, err
	}
	return reg, m, nil
}

// newMetricsServer returns the HTTP server of /metrics.
func newMetricsServer(reg *prometheus.Registry, logger *slog.Logger) *http.Server {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelError),
	}))
	return &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// metricsShutdownTimeout bounds how long stopping the metrics server
// waits for a scrape under way.
const metricsShutdownTimeout = 5 * time.Second

// run serves until ctx is done, then shuts down gracefully. It logs to
// stderr, including the address it listens on once it does.
func run(ctx context.Context, args []string, stderr io.Writer) error {
	c, err := parseConfig(args, os.LookupEnv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	logger := newLogger(c, stderr)

	opts := []server.Option{
		server.WithMaxBatch(c.maxBatch),
		server.WithMaxTextBytes(c.maxTextBytes),
		server.WithMaxDocumentBytes(c.maxDocBytes),
		server.WithMaxConcurrentStreams(c.maxStreams),
		server.WithReflection(c.reflection),
		server.WithLogger(logger),
	}
	// The security files are read before the model is loaded, so that a
	// mistake in them shows at once.
	if c.authTokenFile != "" {
		tokens, err := creds.ReadTokens(c.authTokenFile)
		if err != nil {
			return fmt.Errorf("--auth-token-file: %w", err)
		}
		opts = append(opts, server.WithAuthTokens(tokens...))
		if c.tlsCert == "" {
			logger.Warn("auth tokens without TLS travel in clear; use --tls-cert unless a proxy in front terminates TLS")
		}
	}
	var reg *prometheus.Registry
	if c.metricsAddr != "" {
		var metrics *server.Metrics
		if reg, metrics, err = newMetricsRegistry(); err != nil {
			return err
		}
		opts = append(opts, server.WithMetrics(metrics))
	}
	var extra []grpc.ServerOption
	if c.tlsCert != "" {
		cfg, err := creds.ServerTLS(c.tlsCert, c.tlsKey, c.clientCA)
		if err != nil {
			return fmt.Errorf("TLS: %w", err)
		}
		extra = append(extra, grpc.Creds(credentials.NewTLS(cfg)))
	}

	m, err := loadModel(c.lexicon, c.tokenizer)
	if err != nil {
		return fmt.Errorf("loading model: %w", err)
	}
	info := m.Info()
	logger.Info("model loaded", "name", info.Name, "version", info.Version, "entries", info.Entries, "checksum", info.Checksum,
		"tokenizer", c.tokenizer.String())

	srv := server.New(m, opts...)
	gs := srv.NewGRPCServer(extra...)

	lis, err := new(net.ListenConfig).Listen(ctx, "tcp", c.listen)
	if err != nil {
		return fmt.Errorf("listening: %w", err)
	}
	// metricsServed stays nil, and so never ready, without metrics.
	var metricsServed chan error
	var hs *http.Server
	if reg != nil {
		mlis, err := new(net.ListenConfig).Listen(ctx, "tcp", c.metricsAddr)
		if err != nil {
			lis.Close()
			return fmt.Errorf("--metrics-addr: listening: %w", err)
		}
		hs = newMetricsServer(reg, logger)
		metricsServed = make(chan error, 1)
		go func() { metricsServed <- hs.Serve(mlis) }()
		// Logged before "listening", so that whoever waits for that
		// record finds this one too.
		logger.Info("serving metrics", "addr", mlis.Addr().String(), "path", "/metrics")
		defer hs.Close()
	}
	served := make(chan error, 1)
	go func() { served <- gs.Serve(lis) }()
	logger.Info("listening", "addr", lis.Addr().String(),
		"tls", c.tlsCert != "", "mtls", c.clientCA != "", "auth", c.authTokenFile != "", "reflection", c.reflection)

	select {
	case err := <-served:
		// Serve returns only on a listener failure while ctx is live.
		return fmt.Errorf("serving: %w", err)
	case err := <-metricsServed:
		gs.Stop()
		return fmt.Errorf("serving metrics: %w", err)
	case <-ctx.Done():
	}

	logger.Info("shutting down", "timeout", c.shutdownTimeout)
	srv.Shutdown()
	stopped := make(chan struct{})
	go func() {
		gs.GracefulStop()
		close(stopped)
	}()
	timer := time.NewTimer(c.shutdownTimeout)
	defer timer.Stop()
	select {
	case <-stopped:
	case <-timer.C:
		logger.Warn("calls still under way at the shutdown timeout; cutting them off")
		gs.Stop()
		<-stopped
	}
	if err := <-served; err != nil {
		return fmt.Errorf("serving: %w", err)
	}
	// Metrics are served through the drain, so that it can be watched.
	if hs != nil {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), metricsShutdownTimeout)
		err := hs.Shutdown(sctx)
		cancel()
		if err != nil {
			logger.Warn("metrics scrape still under way at the shutdown; cutting it off", "error", err)
		}
		if err := <-metricsServed; !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("serving metrics: %w", err)
		}
	}
	logger.Info("stopped")
	return nil
}
