package main

import (
	"math"
	"strings"
	"testing"
)

func TestParseBench(t *testing.T) {
	in := `goos: linux
BenchmarkClassify-2   	  100000	     14847 ns/op	     993 B/op	       3 allocs/op
BenchmarkClassify-2   	  100000	     15847 ns/op	     993 B/op	       3 allocs/op
BenchmarkClassify-2   	  100000	     19000 ns/op	     993 B/op	       3 allocs/op
BenchmarkClassifyVsBare-2   	  100000	     22301 ns/op	      4904 bare-ns/quote	     17397 classify-ns/quote	         3.548 ratio
PASS
`
	r, err := parseBench(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, unit string
		want       float64
	}{
		{"Classify", "ns/op", 15847}, // the median of three
		{"Classify", "allocs/op", 3},
		{"ClassifyVsBare", "ratio", 3.548},
		{"ClassifyVsBare", "bare-ns/quote", 4904},
	}
	for _, tt := range tests {
		if got := r.get(tt.name, tt.unit); got != tt.want {
			t.Errorf("get(%s, %s) = %v, want %v", tt.name, tt.unit, got, tt.want)
		}
	}
	if got := r.get("Classify", "quotes/s"); !math.IsNaN(got) {
		t.Errorf("missing unit = %v, want NaN", got)
	}
	if _, err := parseBench(strings.NewReader("BenchmarkX-2 10 5 ns/op 7\n")); err == nil {
		t.Error("odd value-unit pairs: no error")
	}
}

func TestReadTime(t *testing.T) {
	in := `	Command being timed: "stance corpus"
	Elapsed (wall clock) time (h:mm:ss or m:ss): 1:10.98
	Maximum resident set size (kbytes): 33616
	Exit status: 0
`
	s, rss, err := readTime(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if s != 70.98 || math.Abs(rss-34.42) > 0.01 {
		t.Errorf("got %v s, %v MB; want 70.98 s, 34.42 MB", s, rss)
	}
	if _, _, err := readTime(strings.NewReader(strings.Replace(in, "Exit status: 0", "Exit status: 1", 1))); err == nil {
		t.Error("failed command: no error")
	}
}

func TestProfileStages(t *testing.T) {
	in := `File: bench.test
-----------+-------------------------------------------------------
      30ms   runtime.mapaccess2_faststr
             github.com/stancehq/stance/model.(*matcher).patterns
             github.com/stancehq/stance/model.(*Model).analyze
             github.com/stancehq/stance/model.(*Model).Classify
-----------+-------------------------------------------------------
      10ms   github.com/stancehq/stance/model.(*fastTokenizer).words
             github.com/stancehq/stance/model.(*Model).features
             github.com/stancehq/stance/model.(*Model).Classify
-----------+-------------------------------------------------------
      50ms   encoding/json.Unmarshal
             github.com/stancehq/stance/model.New
-----------+-------------------------------------------------------
      20ms   runtime.scanobject
             runtime.gcBgMarkWorker
`
	got, err := profileStages(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []share{{"lexicon match", "75%"}, {"tokenizer", "25%"}, {"garbage collection, in the background", "50% more"}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("stage %d = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestNum(t *testing.T) {
	for _, tt := range []struct {
		v    float64
		want string
	}{{1234567, "1,234,567"}, {999, "999"}, {3.14159, "3.14"}, {1000, "1,000"}} {
		if got := num(tt.v); got != tt.want {
			t.Errorf("num(%v) = %q, want %q", tt.v, got, tt.want)
		}
	}
}
