package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"

	"github.com/stancehq/stance/client"
	"github.com/stancehq/stance/model"
	"github.com/stancehq/stance/server"
)

// withOutput runs write on the file at path, or on stdout when path is
// empty. A failed close is an error: output cut short must not pass for
// complete. With resume, the file is opened with OpenResumed, its lines
// checked with key, and write gets what it holds; without, the file is
// created anew.
func withOutput(path string, resume bool, key LineKey, stdout, stderr io.Writer, write func(io.Writer, *Resumed) error) error {
	if path == "" {
		return write(stdout, nil)
	}
	var f *os.File
	var resumed *Resumed
	var err error
	if resume {
		if resumed, err = OpenResumed(path, key); err != nil {
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
func withService(ctx context.Context, com *common, stderr io.Writer, f func(context.Context, Service) error) error {
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
