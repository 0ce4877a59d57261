package model

import (
	"slices"
	"strings"
	"testing"
)

func TestTermListsFollowRuleSections(t *testing.T) {
	if got, want := len(ruleSections()), int(numTermLists); got != want {
		t.Fatalf("%d rule sections, %d term lists", got, want)
	}
	m := newSmallModel(t)
	for l, s := range ruleSections() {
		for i, term := range m.lex.Terms[s] {
			ws, err := m.tok.words(nil, strings.ReplaceAll(term, "*", ""))
			if err != nil {
				t.Fatal(err)
			}
			a := &analysis{}
			m.analyze(a, ws, nil, -1)
			for j := range ws {
				if !a.is(termList(l), j) {
					t.Errorf("[%s] term %d %q: word %d not marked as list %d", s, i, term, j, l)
				}
			}
		}
	}
}

// termMatches reports whether the patterns ps match the words from i on.
func termMatches(ps []pattern, words []word, i int) bool {
	if i+len(ps) > len(words) {
		return false
	}
	for k, p := range ps {
		f := words[i+k].form
		if p.prefix && !strings.HasPrefix(f, p.form) || !p.prefix && f != p.form {
			return false
		}
	}
	return true
}

// precedes reports whether the walk tries term a before term b, when both
// match: whole words before prefixes, longer prefixes before shorter, at
// the first pattern where they differ.
func precedes(a, b []pattern) bool {
	for k := range min(len(a), len(b)) {
		if a[k] == b[k] {
			continue
		}
		if a[k].prefix != b[k].prefix {
			return !a[k].prefix
		}
		return len(a[k].form) > len(b[k].form)
	}
	return false
}

// TestMatcherFindsLongest checks the matcher against a search of every
// term at every word of the development quotes.
func TestMatcherFindsLongest(t *testing.T) {
	m, err := New()
	if err != nil {
		t.Fatal(err)
	}
	type term struct {
		ps    []pattern
		value int
	}
	var lists [numTermLists + 1][]term
	for i, e := range slices.Concat(m.lex.Entries, m.lex.Learned) {
		ps, err := compileTerm(m.tok, e.Term)
		if err != nil {
			t.Fatal(err)
		}
		lists[listEntries] = append(lists[listEntries], term{ps, i})
	}
	for l, s := range ruleSections() {
		for i, tm := range m.lex.Terms[s] {
			ps, err := compileTerm(m.tok, tm)
			if err != nil {
				t.Fatal(err)
			}
			lists[l] = append(lists[l], term{ps, i})
		}
	}
	for _, in := range devInputs(t) {
		words, err := m.tok.words(nil, in.Text+" "+in.Context)
		if err != nil {
			t.Fatal(err)
		}
		a := &analysis{}
		m.analyze(a, words, nil, -1)
		for i := range words {
			var st walkState
			m.terms.longest(a, i, &st)
			for l, terms := range lists {
				got := termSpan{-1, int32(i)}
				if st.lists&(1<<l) != 0 {
					got = st.found[l]
				}
				want := termSpan{-1, int32(i)}
				var best []pattern
				for _, tm := range terms {
					if !termMatches(tm.ps, words, i) {
						continue
					}
					end := int32(i + len(tm.ps))
					// A list may hold two spellings of one term; the
					// first inserted counts.
					if end > want.end || end == want.end && precedes(tm.ps, best) {
						want, best = termSpan{int32(tm.value), end}, tm.ps
					}
				}
				if got != want {
					t.Fatalf("%q word %d list %d: got %+v, want %+v", in.Text, i, l, got, want)
				}
			}
		}
	}
}

// TestAnalyzeReusesQuote checks that analyzing a context with the words,
// patterns and walks of its quote reused gives the analysis of the context
// on its own, on the development quotes and on quotes cut so that terms
// run on past them into the context.
func TestAnalyzeReusesQuote(t *testing.T) {
	m, err := New()
	if err != nil {
		t.Fatal(err)
	}
	ins := devInputs(t)
	for _, in := range devInputs(t) {
		// Drop the quote's last word, which then continues in the context.
		if i := strings.LastIndexByte(strings.TrimSpace(in.Text), ' '); i > 0 {
			ins = append(ins, Input{Text: in.Text[:i], Context: in.Context})
		}
	}
	reused := 0
	for _, in := range ins {
		trimmed := strings.TrimSpace(in.Text)
		qs := strings.Index(in.Context, trimmed)
		if qs < 0 {
			continue
		}
		textWords, err := m.tok.words(nil, in.Text)
		if err != nil {
			t.Fatal(err)
		}
		ws, quoted, err := contextWords(m.tok, nil, in.Text, textWords, in.Context, qs, qs+len(trimmed))
		if err != nil {
			t.Fatal(err)
		}
		if quoted < 0 {
			continue
		}
		reused++
		quote, got, want := &analysis{}, &analysis{}, &analysis{}
		m.analyze(quote, textWords, nil, -1)
		m.analyze(got, ws, quote, quoted)
		m.analyze(want, ws, nil, -1)
		if !slices.Equal(got.in, want.in) || !slices.Equal(got.entry, want.entry) || !slices.Equal(got.pats, want.pats) {
			t.Errorf("context %q with quote %q: reused analysis differs:\nin    %v\nwant  %v\nentry %v\nwant  %v", in.Context, in.Text, got.in, want.in, got.entry, want.entry)
		}
	}
	if reused < len(ins)/2 {
		t.Errorf("the quote was reused in %d contexts of %d", reused, len(ins))
	}
}

// TestFormTable checks that the matcher's form table finds every form of
// the bundled lexicon under its number, and words that are not forms
// nowhere.
func TestFormTable(t *testing.T) {
	m, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for f, id := range m.terms.forms {
		if len(f) > maxTableForm {
			continue
		}
		if got, ok := m.terms.table.find(f); !ok || got != id {
			t.Errorf("find(%q) = %d, %v; want %d", f, got, ok, id)
		}
	}
	for _, f := range []string{"a\x00", "zzzzqx", "threatenedx", "0123456789abcdef", "x"} {
		if _, ok := m.terms.forms[f]; ok {
			continue
		}
		if id, ok := m.terms.table.find(f); ok {
			t.Errorf("find(%q) = %d, want none", f, id)
		}
	}
}

// FuzzFormTable holds the form table to a map of the same forms.
func FuzzFormTable(f *testing.F) {
	forms := map[string]int32{}
	for i, w := range []string{"attack", "a", "we", "threaten", "retaliation", "0123456789abcdef", "\x00", "é", "ab\x00"} {
		forms[w] = int32(i)
	}
	table := newFormTable(forms)
	for w := range forms {
		f.Add(w)
	}
	f.Add("attacks")
	f.Fuzz(func(t *testing.T, w string) {
		if len(w) == 0 || len(w) > maxTableForm {
			return
		}
		want, wok := forms[w]
		if got, ok := table.find(w); ok != wok || got != want {
			t.Fatalf("find(%q) = %d, %v; want %d, %v", w, got, ok, want, wok)
		}
	})
}
