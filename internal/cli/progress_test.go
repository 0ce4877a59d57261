package cli

import (
	"bytes"
	"strings"
	"testing"
)

func TestProgress(t *testing.T) {
	tests := []struct {
		name  string
		on    bool
		total int64
		want  string // in the output, "" for no output at all
	}{
		{"off", false, 10, ""},
		{"no work", true, 0, ""},
		{"total known", true, 10, "articles"},
		{"total unknown", true, -1, "quotes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var term, out bytes.Buffer
			unit := "articles"
			if tt.total < 0 {
				unit = "quotes"
			}
			p := NewProgress(&term, tt.on, tt.total, unit)
			w := p.Writer(&out)
			p.Add(3)
			drawn := term.Len()
			if _, err := w.Write([]byte("a line\n")); err != nil {
				t.Fatal(err)
			}
			p.Add(2)
			p.Close()
			p.Close()
			p.Add(1) // after Close: nothing
			if out.String() != "a line\n" {
				t.Errorf("output through Writer = %q, want it as written", out.String())
			}
			if tt.want == "" {
				if term.Len() != 0 {
					t.Errorf("wrote %q, want nothing", term.String())
				}
				return
			}
			if drawn == 0 || !strings.Contains(term.String(), tt.want) || !strings.Contains(term.String(), "3") {
				t.Errorf("bar drew %q, want a count of %s", term.String(), tt.want)
			}
			// The bar is taken off its line (\r, blanks, \r) before the
			// write and at Close, and not drawn after.
			if !strings.HasSuffix(term.String(), " \r") {
				t.Errorf("bar ends %q, want it cleared", term.String())
			}
			if strings.Count(term.String(), " \r") < 2 {
				t.Errorf("bar %q cleared fewer than twice (before the write and at Close)", term.String())
			}
		})
	}
	var nilP *Progress
	nilP.Add(1)
	nilP.Close()
	var b bytes.Buffer
	if nilP.Writer(&b) != &b {
		t.Error("a nil Progress wraps writers")
	}
}

func TestIsTerminal(t *testing.T) {
	if IsTerminal(&bytes.Buffer{}) {
		t.Error("a buffer is a terminal")
	}
}
