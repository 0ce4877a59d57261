package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// This file runs stanced (and the stance CLI) as real processes, to test
// what only a process shows: signals, exit codes, restarts.

// buildCommands builds stanced and stance into t.TempDir() and returns
// their paths.
func buildCommands(t *testing.T) (stanced, stance string) {
	t.Helper()
	dir := t.TempDir()
	stanced, stance = filepath.Join(dir, "stanced"), filepath.Join(dir, "stance")
	for pkg, out := range map[string]string{".": stanced, "../stance": stance} {
		cmd := exec.Command("go", "build", "-o", out, pkg)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", pkg, err, b)
		}
	}
	return stanced, stance
}

// logBuffer collects a process's output, safe for concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// records returns the JSON log records so far.
func (l *logBuffer) records() []map[string]any {
	var out []map[string]any
	for _, line := range strings.Split(l.String(), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil {
			out = append(out, rec)
		}
	}
	return out
}

// process is a command running for a test.
type process struct {
	name string
	cmd  *exec.Cmd
	logs *logBuffer // stderr
	done chan struct{}
	err  error // what Wait returned, once done is closed
}

// startProcess starts bin with args; the end of the test kills it if it
// is still running.
func startProcess(t *testing.T, name, bin string, args ...string) *process {
	t.Helper()
	p := &process{name: name, cmd: exec.Command(bin, args...), logs: &logBuffer{}, done: make(chan struct{})}
	p.cmd.Stderr = p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		if !p.exited() {
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// signal sends sig to the process, which must still be running.
func (p *process) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if p.exited() {
		t.Fatalf("%s exited before the %v it was to get (%v):\n%s", p.name, sig, p.err, p.logs)
	}
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signalling %s: %v", p.name, err)
	}
}

// wait waits for the process to exit and returns its exit code.
func (p *process) wait(t *testing.T, limit time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(limit):
		t.Fatalf("%s still running %v on:\n%s", p.name, limit, p.logs)
	}
	var exit *exec.ExitError
	if errors.As(p.err, &exit) {
		return exit.ExitCode()
	}
	if p.err != nil {
		t.Fatalf("%s: %v", p.name, p.err)
	}
	return 0
}

// until polls cond every few milliseconds until it holds, failing the
// test after limit, or at once if stop says the wait is hopeless.
func until(t *testing.T, what string, limit time.Duration, cond func() bool, stop func() string) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if why := stop(); why != "" {
			t.Fatalf("waiting for %s: %s", what, why)
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: not within %v", what, limit)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// stanced is a stanced process serving on addr.
type stancedProcess struct {
	*process
	addr string
	// metrics is the address of its /metrics, when started with
	// --metrics-addr.
	metrics string
}

// startStanced starts stanced on listen ("127.0.0.1:0" for a free port)
// with JSON logs at debug level, and waits until it listens.
func startStanced(t *testing.T, bin, name, listen string, args ...string) *stancedProcess {
	t.Helper()
	args = append([]string{"--listen", listen, "--log-format", "json", "--log-level", "debug"}, args...)
	p := &stancedProcess{process: startProcess(t, name, bin, args...)}
	until(t, name+" to listen", 30*time.Second, func() bool {
		for _, rec := range p.logs.records() {
			switch rec["msg"] {
			case "serving metrics": // logged before "listening"
				p.metrics, _ = rec["addr"].(string)
			case "listening":
				p.addr, _ = rec["addr"].(string)
				return true
			}
		}
		return false
	}, func() string {
		if p.exited() {
			return name + " exited:\n" + p.logs.String()
		}
		return ""
	})
	return p
}

// calls returns the calls of method the server has logged as finished,
// by status code.
func (p *stancedProcess) calls(method string) map[string]int {
	n := make(map[string]int)
	for _, rec := range p.logs.records() {
		if rec["msg"] == "call" && rec["method"] == method {
			code, _ := rec["code"].(string)
			n[code]++
		}
	}
	return n
}

// inFlight returns the calls of method (a method name such as
// "ClassifyStream") the server has started and not yet finished, from its
// metrics: the server must have been started with --metrics-addr.
func (p *stancedProcess) inFlight(t *testing.T, method string) int {
	t.Helper()
	if p.metrics == "" {
		t.Fatalf("%s serves no metrics", p.name)
	}
	n := 0.0
	tag := `grpc_method="` + method + `"`
	for series, v := range scrape(t, p.metrics) {
		switch {
		case !strings.Contains(series, tag):
		case strings.HasPrefix(series, "grpc_server_started_total{"):
			n += v
		case strings.HasPrefix(series, "grpc_server_handled_total{"):
			n -= v
		}
	}
	return int(n)
}

// lineCounter counts the lines of a file as it grows, reading only what
// was appended since the last count.
type lineCounter struct {
	path  string
	off   int64
	lines int
}

// count returns the number of lines in the file now, 0 if it does not
// exist yet.
func (c *lineCounter) count(t *testing.T) int {
	t.Helper()
	f, err := os.Open(c.path)
	if errors.Is(err, os.ErrNotExist) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	// A resumed run cuts a torn last line off, which held no newline.
	c.off = min(c.off, info.Size())
	buf := make([]byte, 1<<20)
	for {
		n, err := f.ReadAt(buf, c.off)
		c.lines += bytes.Count(buf[:n], []byte{'\n'})
		c.off += int64(n)
		if err != nil {
			return c.lines
		}
	}
}
