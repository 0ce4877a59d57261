package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	const pkg = `{"dimensions":2,"words":["the",",","peace","war"],"vectors":{"the":[0.5,-1,1.1,0],",":[1,1,1.4,1],"peace":[0.25,2,2,2],"war":[3,4,5,3]}}`
	tests := []struct {
		name, in string
		args     []string
		want     string
		wantErr  string
	}{
		{name: "keeps words, drops punctuation and the norm and index", in: pkg, want: "the 0.5 -1\npeace 0.25 2\nwar 3 4\n"},
		{name: "the first n", in: pkg, args: []string{"-n", "2"}, want: "the 0.5 -1\npeace 0.25 2\n"},
		{name: "not JSON", in: "peace 1 2", wantErr: "reading the package's JSON"},
		{name: "no dimensions", in: `{"words":["the"]}`, wantErr: "no dimensions"},
		{name: "short vector", in: `{"dimensions":3,"words":["the"],"vectors":{"the":[1,2]}}`, wantErr: `"the" has 2 numbers, want 3`},
		{name: "missing vector", in: `{"dimensions":2,"words":["the"],"vectors":{}}`, wantErr: `vector of "the"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(context.Background(), tt.args, strings.NewReader(tt.in), &out)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("run error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := out.String(); got != tt.want {
				t.Errorf("run wrote %q, want %q", got, tt.want)
			}
		})
	}
}
