// Command stance labels the quoted statements in news with their speech
// act (accusation, denial, threat, conciliation or neutral) through the
// stance service.
//
// Usage:
//
//	stance corpus [--addr ADDRS] [--format table|jsonl|csv] [--out FILE [--resume]] [--concurrency N] [--progress WHEN] PATH...
//	stance classify [--addr ADDRS] [--in FILE] [--out FILE [--resume]] [--strict] [--concurrency N] [--progress WHEN]
//	stance eval --gold FILE [--in FILE] [--corpus DIR] [--context] [--addr ADDRS]
//
// corpus finds, attributes and labels every quote in the articles at PATH
// (a file, or a directory searched for *.txt), and ends with a table of
// the quotes per speaker and label. classify reads quotes as JSON Lines
// and writes each back with its label, scores and evidence. eval scores
// the service against hand-labelled gold quotes.
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
//
// --concurrency N sets how many articles (corpus) or streams (classify)
// are in flight at once; output comes in input order whatever N is.
// --progress auto, the default, draws a progress bar on standard error
// when it is a terminal.
//
// The work is done by package internal/cli; this package only gives it a
// process.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/stancehq/stance/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, cli.ErrReported) {
			fmt.Fprintln(os.Stderr, "stance:", err)
		}
		os.Exit(1)
	}
}

// run is the whole command, which tests call too: main only adds the
// process around it.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return cli.Run(ctx, args, stdin, stdout, stderr)
}
