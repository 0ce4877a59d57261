package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/stancehq/stance/model"
	stancev1 "github.com/stancehq/stance/proto/stance/v1"
)

var fault = flag.Bool("fault", false, "run TestFault: two stanced processes and a stance client through SIGTERM and SIGKILL (about half a minute)")

// TestSIGTERM stops a stanced process as an orchestrator does, with
// SIGTERM, while a health watch and a stream are open: health must turn
// NOT_SERVING, the stream end with UNAVAILABLE for its client to go
// elsewhere, and the process exit 0 well before the shutdown timeout,
// which it needs no part of.
func TestSIGTERM(t *testing.T) {
	bin, _ := buildCommands(t)
	p := startStanced(t, bin, "stanced", "127.0.0.1:0", "--shutdown-timeout", "20s")
	conn := dial(t, p.addr)
	ctx := callContext(t)

	watch, err := healthpb.NewHealthClient(conn).Watch(ctx, &healthpb.HealthCheckRequest{Service: "stance.v1.StanceService"})
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := watch.Recv(); err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("Watch = %v, %v; want SERVING", resp, err)
	}
	stream, err := stancev1.NewStanceServiceClient(conn).ClassifyStream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	send := func(id string) error {
		return stream.Send(&stancev1.ClassifyStreamRequest{Quote: &stancev1.Quote{Id: id, Text: "We will respond with force."}})
	}
	if err := send("1"); err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	p.signal(t, syscall.SIGTERM)
	if resp, err := watch.Recv(); err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_NOT_SERVING {
		t.Errorf("Watch after SIGTERM = %v, %v; want NOT_SERVING", resp, err)
	}
	_ = send("2")
	for {
		if _, err := stream.Recv(); err != nil {
			if status.Code(err) != codes.Unavailable {
				t.Errorf("stream after SIGTERM ended with %v, want Unavailable", err)
			}
			break
		}
	}
	if code := p.wait(t, 20*time.Second); code != 0 {
		t.Errorf("stanced exited %d after SIGTERM, want 0:\n%s", code, p.logs)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("stanced took %v to stop, want far less than its 20s shutdown timeout", d)
	}
	logs := p.logs.String()
	if !strings.Contains(logs, `"msg":"stopped"`) || strings.Contains(logs, "cutting them off") {
		t.Errorf("stanced did not stop cleanly:\n%s", logs)
	}
}

// devQuotes reads the development quotes' text, speaker and context.
func devQuotes(t *testing.T) []map[string]string {
	t.Helper()
	paths, err := filepath.Glob("../../testdata/dev/quotes-*.jsonl")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no development quotes (%v)", err)
	}
	var out []map[string]string
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			var q struct{ Text, Speaker, Context string }
			if err := json.Unmarshal([]byte(line), &q); err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			out = append(out, map[string]string{"text": q.Text, "speaker": q.Speaker, "context": q.Context})
		}
	}
	return out
}

// TestFault runs two stanced processes on loopback and streams quotes to
// them through the stance CLI, and then, while the work goes on: stops one
// server with SIGTERM and restarts it; kills the client with SIGKILL and
// restarts it with --resume; kills the other server with SIGKILL and
// restarts it. Every quote must end up in the output exactly once, with
// the model's own result.
func TestFault(t *testing.T) {
	if !*fault {
		t.Skip("run with -fault (see .ci/run)")
	}
	const n = 60000
	stancedBin, stanceBin := buildCommands(t)
	dir := t.TempDir()

	// The quotes: development quotes, six to a text, so that there is
	// work enough for the faults to fall in the middle of it and a stream
	// lasts long enough for a signal to find it under way.
	dev := devQuotes(t)
	type quote struct{ ID, Text, Speaker, Context string }
	quotes := make([]quote, n)
	var in bytes.Buffer
	for i := range quotes {
		a := dev[i%len(dev)]
		text := a["text"]
		for _, k := range []int{7, 13, 17, 19, 23} {
			text += " " + dev[(k*i+k/6)%len(dev)]["text"]
		}
		q := quote{ID: fmt.Sprintf("q%05d", i), Text: text, Speaker: a["speaker"], Context: a["context"]}
		quotes[i] = q
		line, _ := json.Marshal(struct {
			ID      string `json:"id"`
			Text    string `json:"text"`
			Speaker string `json:"speaker"`
			Context string `json:"context"`
		}{q.ID, q.Text, q.Speaker, q.Context})
		in.Write(line)
		in.WriteByte('\n')
	}
	input, output := filepath.Join(dir, "in.jsonl"), filepath.Join(dir, "out.jsonl")
	if err := os.WriteFile(input, in.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	srv := []*stancedProcess{
		startStanced(t, stancedBin, "server A", "127.0.0.1:0", "--shutdown-timeout", "5s", "--metrics-addr", "127.0.0.1:0"),
		startStanced(t, stancedBin, "server B", "127.0.0.1:0", "--shutdown-timeout", "5s"),
	}
	addrs := srv[0].addr + "," + srv[1].addr
	startClient := func(name string) *process {
		return startProcess(t, name, stanceBin, "classify", "--addr", addrs, "--in", input, "--out", output, "--resume", "--timeout", "3m")
	}
	client := startClient("client 1")
	lines := &lineCounter{path: output}
	running := func(p *process) func() string {
		return func() string {
			if p.exited() {
				return fmt.Sprintf("%s exited (%v) with %d of %d lines written; the faults came too late:\n%s", p.name, p.err, lines.count(t), n, p.logs)
			}
			return ""
		}
	}

	// 1. SIGTERM server A under load: it must drain and exit 0, ending the
	// streams it was serving with UNAVAILABLE. The signal goes as soon as
	// A's metrics show a stream under way; a stream can still end between
	// the scrape and the signal, and then A is restarted and signalled
	// again further on, up to five times.
	const sigtermTries = 5
	for try := 1; ; try++ {
		at := lines.count(t) + 2000
		until(t, fmt.Sprintf("%d lines and a stream under way on A", at), time.Minute, func() bool {
			return lines.count(t) >= at && srv[0].inFlight(t, "ClassifyStream") > 0
		}, running(client))
		srv[0].signal(t, syscall.SIGTERM)
		if code := srv[0].wait(t, 15*time.Second); code != 0 {
			t.Fatalf("server A exited %d after SIGTERM, want 0:\n%s", code, srv[0].logs)
		}
		streams := srv[0].calls(stancev1.StanceService_ClassifyStream_FullMethodName)
		cut := streams["Unavailable"]
		t.Logf("server A stopped by SIGTERM at %d lines; its streams by code: %v", lines.count(t), streams)
		srv[0] = startStanced(t, stancedBin, "server A again", srv[0].addr, "--shutdown-timeout", "5s", "--metrics-addr", "127.0.0.1:0")
		until(t, "the client to use server A again", time.Minute, func() bool {
			return srv[0].calls(stancev1.StanceService_ClassifyStream_FullMethodName)["OK"] > 0
		}, running(client))
		if cut > 0 {
			break
		}
		if try == sigtermTries {
			t.Errorf("server A ended no stream with UNAVAILABLE at any of %d SIGTERMs: the fault hit no work under way", try)
			break
		}
	}

	// 2. SIGKILL the client, and resume.
	before := lines.count(t)
	client.signal(t, syscall.SIGKILL)
	client.wait(t, 10*time.Second)
	t.Logf("client killed at %d lines", before)
	client = startClient("client 2")
	until(t, "the resumed client to write", time.Minute, func() bool { return lines.count(t) >= before+2000 }, running(client))

	// 3. SIGKILL server B, and restart it on the same port.
	time.Sleep(40 * time.Millisecond)
	srv[1].signal(t, syscall.SIGKILL)
	srv[1].wait(t, 10*time.Second)
	t.Logf("server B killed at %d lines", lines.count(t))
	time.Sleep(200 * time.Millisecond)
	srv[1] = startStanced(t, stancedBin, "server B again", srv[1].addr, "--shutdown-timeout", "5s")

	if code := client.wait(t, 3*time.Minute); code != 0 {
		t.Fatalf("the resumed client exited %d:\n%s", code, client.logs)
	}
	if !strings.Contains(client.logs.String(), "records kept") {
		t.Errorf("the resumed client did not say what it kept:\n%s", client.logs)
	}
	for _, s := range srv {
		if s.calls(stancev1.StanceService_ClassifyStream_FullMethodName)["OK"] == 0 {
			t.Errorf("%s finished no stream: the work was not spread", s.name)
		}
	}

	// Every quote exactly once, whole lines only, and the results those of
	// the model.
	m, err := model.New()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(output)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	seen := make(map[string]int, n)
	lineNo := 0
	for sc.Scan() {
		lineNo++
		line := sc.Bytes()
		// Lines keep the input's field order: the id comes first.
		const prefix = `{"id":"`
		if !bytes.HasPrefix(line, []byte(prefix)) || len(line) < len(prefix)+7 || line[len(line)-1] != '}' {
			t.Fatalf("output line %d is not a whole result: %.80q", lineNo, line)
		}
		id := string(line[len(prefix) : len(prefix)+6])
		if first, ok := seen[id]; ok {
			t.Fatalf("%s on output lines %d and %d", id, first, lineNo)
		}
		seen[id] = lineNo
		var i int
		if _, err := fmt.Sscanf(id, "q%05d", &i); err != nil || i >= n {
			t.Fatalf("output line %d has id %q, not one sent", lineNo, id)
		}
		if i%50 != 0 {
			continue
		}
		var got struct {
			Text   string
			Label  string
			Scores map[string]float64
		}
		if err := json.Unmarshal(line, &got); err != nil {
			t.Fatalf("output line %d: %v", lineNo, err)
		}
		q := quotes[i]
		want, err := m.Classify(model.Input{Text: q.Text, Speaker: q.Speaker, Context: q.Context})
		if err != nil {
			t.Fatal(err)
		}
		if got.Text != q.Text || got.Label != want.Label.String() {
			t.Fatalf("%s: label %q for %.40q, want %q", id, got.Label, got.Text, want.Label)
		}
		for _, l := range model.Labels() {
			if math.Abs(got.Scores[l.String()]-want.Scores[l]) > 1e-12 {
				t.Fatalf("%s: score of %s %v, want %v", id, l, got.Scores[l.String()], want.Scores[l])
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(seen) != n {
		t.Fatalf("%d quotes in the output, want all %d exactly once", len(seen), n)
	}
	t.Logf("%d quotes, each exactly once, through SIGTERM of A, SIGKILL of the client and SIGKILL of B", n)
}
