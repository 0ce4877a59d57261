package model

import (
	"fmt"
	"sort"
	"strings"
)

// trie matches token sequences of lexicon terms against a text's words.
// Each edge is a whole word; prefix edges come from terms whose word ends
// in *.
type trie struct {
	next   map[string]*trie
	prefix []prefixEdge
	value  int // index of the term ending here, or -1
}

type prefixEdge struct {
	prefix string
	node   *trie
}

func newTrie() *trie { return &trie{value: -1} }

// pattern is one word of a compiled term.
type pattern struct {
	form   string
	prefix bool
}

// compileTerm splits a lexicon term into word patterns with the same
// tokenizer that splits texts, so that "don't" or "cross-border" match
// however the tokenizer cuts them.
func compileTerm(tok splitter, term string) ([]pattern, error) {
	var ps []pattern
	for _, chunk := range strings.Split(term, " ") {
		body, prefix := strings.CutSuffix(chunk, "*")
		ws, err := tok.words(nil, body)
		if err != nil {
			return nil, err
		}
		if len(ws) == 0 {
			return nil, fmt.Errorf("term %q has no words", term)
		}
		for i, w := range ws {
			ps = append(ps, pattern{form: w.form, prefix: prefix && i == len(ws)-1})
		}
	}
	return ps, nil
}

// insert adds a compiled term with the given value. It reports false when
// the same pattern is already present (two spellings that normalize alike).
func (t *trie) insert(ps []pattern, value int) bool {
	n := t
	for _, p := range ps {
		var child *trie
		if p.prefix {
			for _, e := range n.prefix {
				if e.prefix == p.form {
					child = e.node
				}
			}
			if child == nil {
				child = newTrie()
				n.prefix = append(n.prefix, prefixEdge{p.form, child})
				// Longer prefixes first, so that the more specific one
				// is tried first.
				sort.Slice(n.prefix, func(i, j int) bool { return len(n.prefix[i].prefix) > len(n.prefix[j].prefix) })
			}
		} else {
			if n.next == nil {
				n.next = map[string]*trie{}
			}
			if child = n.next[p.form]; child == nil {
				child = newTrie()
				n.next[p.form] = child
			}
		}
		n = child
	}
	if n.value >= 0 {
		return false
	}
	n.value = value
	return true
}

// longest returns the value and end of the longest term that starts at
// words[i], or -1 and i when none does.
func (t *trie) longest(words []word, i int) (value, end int) {
	value, end = -1, i
	var walk func(n *trie, j int)
	walk = func(n *trie, j int) {
		if n.value >= 0 && j > end {
			value, end = n.value, j
		}
		if j == len(words) {
			return
		}
		f := words[j].form
		if c := n.next[f]; c != nil {
			walk(c, j+1)
		}
		for _, e := range n.prefix {
			if len(f) >= len(e.prefix) && strings.HasPrefix(f, e.prefix) {
				walk(e.node, j+1)
			}
		}
	}
	walk(t, i)
	return value, end
}

// span is a run of words [start, end) matched by the term with index value.
type span struct {
	start, end int
	value      int
}

// greedy returns the non-overlapping matches found scanning left to right
// and taking the longest match at each word.
func (t *trie) greedy(words []word) []span {
	var out []span
	for i := 0; i < len(words); {
		v, end := t.longest(words, i)
		if v < 0 {
			i++
			continue
		}
		out = append(out, span{i, end, v})
		i = end
	}
	return out
}
