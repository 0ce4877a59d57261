package model

import (
	"errors"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestParseLexiconErrors(t *testing.T) {
	const head = "@name t\n@version 1\n"
	tests := []struct {
		name     string
		src      string
		wantLine int
		wantIn   string
	}{
		{"no tab", head + "[entries]\nbaseless denial=2\n", 4, "TAB"},
		{"unknown label", head + "[entries]\nbaseless\tdenail=2\n", 4, "unknown label"},
		{"bad number", head + "[entries]\nbaseless\tdenial=two\n", 4, "not a finite number"},
		{"NaN", head + "[entries]\nbaseless\tdenial=NaN\n", 4, "not a finite number"},
		{"label twice", head + "[entries]\nbaseless\tdenial=1 denial=2\n", 4, "given twice"},
		{"no weights", head + "[entries]\nbaseless\t\n", 4, "no label=weight"},
		{"duplicate", head + "[entries]\nbaseless\tdenial=1\nbaseless\tdenial=2\n", 5, "already appears"},
		{"unknown section", head + "[entries]\nx\tdenial=1\n[nope]\n", 5, "unknown section"},
		{"section twice", head + "[entries]\nx\tdenial=1\n[entries]\n", 5, "appears twice"},
		{"unclosed header", head + "[entries\n", 3, "closing ]"},
		{"before section", head + "baseless\tdenial=1\n", 3, "before the first section"},
		{"late directive", head + "[entries]\nx\tdenial=1\n@name late\n", 5, "directive"},
		{"unknown directive", "@nam t\n", 1, "unknown directive"},
		{"uppercase", head + "[entries]\nBaseless\tdenial=1\n", 4, "not lowercase"},
		{"short wildcard", head + "[entries]\nab*\tdenial=1\n", 4, "wildcard"},
		{"double space", head + "[negators]\nnot  at all\n[entries]\nx\tdenial=1\n", 4, "doubled spaces"},
		{"no name", "[entries]\nx\tdenial=1\n", 1, "missing @name"},
		{"no entries", head + "[negators]\nnot\n", 4, "no [entries]"},
		{"learned phrase", head + "[entries]\nx\tdenial=1\n[learned]\ngood will\tconciliation=1\n", 6, "not one word"},
		{"learned wildcard", head + "[entries]\nx\tdenial=1\n[learned]\ngoodw*\tconciliation=1\n", 6, "not one word"},
		{"distributional phrase", head + "[entries]\nx\tdenial=1\n[distributional]\npeace talks\tconciliation=1\n", 6, "not one word"},
		{"distributional twice", head + "[entries]\nx\tdenial=1\n[distributional]\npeace\tconciliation=1\npeace\tthreat=1\n", 7, "already appears"},
		{"adjustment of no entry", head + "[entries]\nx\tdenial=1\n[adjustments]\nx\tdenial=0.5\ny\tthreat=1\nz\tthreat=1\n", 7, `names "y", which is not an entry`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseLexicon(strings.NewReader(tt.src), "custom.lex")
			var le *LexiconError
			if !errors.As(err, &le) {
				t.Fatalf("got %v, want a *LexiconError", err)
			}
			if le.File != "custom.lex" || le.Line != tt.wantLine || !strings.Contains(le.Reason, tt.wantIn) {
				t.Errorf("got %v, want custom.lex:%d: ...%s...", err, tt.wantLine, tt.wantIn)
			}
		})
	}
}

func TestNewRejectsMalformedLexicon(t *testing.T) {
	src := "@name t\n@version 1\n[entries]\nbaseless\tdenial=2\nbaseless\tthreat=1\n"
	_, err := New(WithLexicon([]byte(src), "my.lex"))
	if err == nil || !strings.Contains(err.Error(), "my.lex:5:") {
		t.Fatalf("New with a malformed lexicon: got %v, want my.lex:5: ...", err)
	}
}

func TestNewRejectsLearnedWordThatIsAnEntry(t *testing.T) {
	src := "@name t\n@version 1\n[entries]\nbaseless\tdenial=2\n[learned]\nbaseless\tneutral=1\n"
	_, err := New(WithLexicon([]byte(src), "my.lex"))
	if err == nil || !strings.Contains(err.Error(), "my.lex:6:") {
		t.Fatalf("got %v, want my.lex:6: ...", err)
	}
}

func TestNewRejectsEntriesThatNormalizeAlike(t *testing.T) {
	src := "@name t\n@version 1\n[entries]\ncease-fire\tconciliation=2\ncease - fire\tconciliation=1\n"
	_, err := New(WithLexicon([]byte(src), "my.lex"))
	if err == nil || !strings.Contains(err.Error(), "my.lex:5:") {
		t.Fatalf("got %v, want my.lex:5: ...", err)
	}
}

func TestBundledLexicon(t *testing.T) {
	lex, err := ParseLexicon(strings.NewReader(string(DefaultLexicon())), "lexicon.txt")
	if err != nil {
		t.Fatal(err)
	}
	if got := len(lex.Entries); got < 1000 {
		t.Errorf("bundled lexicon has %d entries, want well over a thousand", got)
	}
	var per [NumLabels]int
	for _, e := range lex.Entries {
		best := Label(0)
		for l := range NumLabels {
			if e.Weights[l] > e.Weights[best] {
				best = Label(l)
			}
		}
		per[best]++
	}
	for l, n := range per {
		if n < 100 {
			t.Errorf("only %d entries lean to %s", n, Label(l))
		}
	}
	for _, s := range ruleSections() {
		if len(lex.Terms[s]) == 0 {
			t.Errorf("bundled lexicon has no [%s] terms", s)
		}
	}
	// The distributional weights were fitted from the 30,000 most frequent
	// words of scripts/vectors.sh; a few round to nothing and have no line.
	if got := len(lex.Distributional); got < 25000 {
		t.Errorf("bundled lexicon has %d distributional words, want nearly 30,000", got)
	}
}

func TestChecksumFollowsContent(t *testing.T) {
	src, err := os.ReadFile("testdata/small.lex")
	if err != nil {
		t.Fatal(err)
	}
	a, err := ParseLexicon(strings.NewReader(string(src)), "a")
	if err != nil {
		t.Fatal(err)
	}
	b, err := ParseLexicon(strings.NewReader(string(src)+"\n# a comment\n"), "b")
	if err != nil {
		t.Fatal(err)
	}
	if a.Checksum == b.Checksum || len(a.Checksum) != 64 {
		t.Errorf("checksums %q and %q: want two different SHA-256 hex strings", a.Checksum, b.Checksum)
	}
}

// FuzzParseLexicon checks that any file either parses or yields a
// *LexiconError, never a panic, and that a parsed lexicon's adjustments
// name only its entries, its learned words are single words, and New
// loads it or says why not.
func FuzzParseLexicon(f *testing.F) {
	f.Add(string(smallLexicon(f)))
	f.Add("@name t\n@version 1\n[entries]\nbaseless\tdenial=2\n[adjustments]\nbaseless\tdenial=-0.5 neutral=0.25\n")
	f.Add("@name t\n@version 1\n[entries]\nx\tdenial=1\n[weights]\nbias\tneutral=0.5\n[adjustments]\ny\tthreat=1\n")
	f.Add("@name t\n@version 1\n[entries]\ncease-fire\tconciliation=2\n[negators]\nnot\n")
	f.Add("@name t\n@version 1\n[entries]\nx\tdenial=1\n[function_words]\nthe\n[learned]\ngoodwill\tconciliation=0.5\n")
	f.Add("@name t\n@version 1\n[entries]\nx\tdenial=1\n[distributional]\npeace\tconciliation=2.5 threat=-1\n")
	f.Fuzz(func(t *testing.T, src string) {
		lex, err := ParseLexicon(strings.NewReader(src), "fuzz.lex")
		if err != nil {
			var le *LexiconError
			if !errors.As(err, &le) {
				t.Fatalf("ParseLexicon: got %T %v, want a *LexiconError", err, err)
			}
			return
		}
		terms := map[string]bool{}
		for _, e := range lex.Entries {
			terms[e.Term] = true
		}
		for term := range lex.Adjustments {
			if !terms[term] {
				t.Errorf("adjustment of %q, which is not an entry", term)
			}
		}
		for _, e := range slices.Concat(lex.Learned, lex.Distributional) {
			if strings.ContainsAny(e.Term, " *") {
				t.Errorf("learned or distributional word %q is not one word", e.Term)
			}
		}
		if _, err := New(WithLexicon([]byte(src), "fuzz.lex")); err != nil {
			var le *LexiconError
			if !errors.As(err, &le) {
				t.Fatalf("New: got %T %v, want a *LexiconError", err, err)
			}
		}
	})
}

// TestBundledLexiconRules checks that the bundled lexicon's rule lists do
// what its comments promise, on cues whose rules they are there to change.
func TestBundledLexiconRules(t *testing.T) {
	m, err := New()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text, cue string // cue: the quoted words whose evidence is checked
		wantRule  string
	}{
		// Refusal verbs negate what follows: talks turned down are not
		// talks offered.
		{"They refused to negotiate with us.", "negotiate", "negated"},
		{"Moscow has ruled out any dialogue.", "dialogue", "negated"},
		{"There will be no talks with them.", "talks", "negated"},
		{"If they attack, we will respond.", "will respond", "conditional"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			e, ok := findEvidence(t, m, tt.text, strconv.Quote(tt.cue), func(e Evidence) bool { return tt.text[e.Start:e.End] == tt.cue })
			if ok && !slices.Contains(e.Rules, tt.wantRule) {
				t.Errorf("evidence for %q has rules %q, want %q among them", tt.cue, e.Rules, tt.wantRule)
			}
		})
	}
}
