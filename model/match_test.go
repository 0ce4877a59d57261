package model

import (
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
			m.analyze(a, ws)
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
	for i, e := range m.lex.Entries {
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
		m.analyze(a, words)
		for i := range words {
			var found [numTermLists + 1]termSpan
			foundIn := m.terms.longest(a, i, &found)
			for l, terms := range lists {
				got := termSpan{-1, int32(i)}
				if foundIn&(1<<l) != 0 {
					got = found[l]
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
