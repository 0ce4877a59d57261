package model

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// termList is one of the lexicon's rule sections: the terms that one of
// the rules looks for around a match. The lists are numbered in
// ruleSections order.
type termList uint8

const (
	listNegators termList = iota
	listHedges
	listIntensifiers
	listConditionals
	listFirstPerson
	listSecondPerson
	listThirdPerson
	listFuture
	listPast
	listClauseBreaks
	numTermLists
	// listEntries stands for the weighted entries in a matcher, which
	// finds them together with the term lists.
	listEntries = numTermLists
)

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

// matcher finds the lexicon's entries and the terms of its rule lists in a
// text's words, all at once. The terms form one trie whose edges are
// numbered patterns: a whole word ("attack") or, from a term word ending
// in *, a prefix ("accus*"). Each word of a text is looked up once for the
// numbers of the patterns it matches (patterns), and one walk of the trie
// from each word finds the longest term of every list that starts there
// (longest).
type matcher struct {
	// forms numbers the whole-word patterns; table holds those of up to
	// 16 bytes again (all of them in the bundled lexicon), a quicker
	// look-up than the map for the word every text word is looked up as.
	forms map[string]int32
	table formTable
	// prefixes lists the prefix patterns as they are numbered.
	prefixes []prefixPattern
	// byStart groups the prefixes of three bytes or more by their first
	// three bytes, and short holds the others; both longest first: the
	// order in which the walk tries them, so that the more specific
	// prefix wins a tie. starts has the bit startBit(f) set for every key
	// of byStart, so that most words are ruled out without a look-up.
	byStart map[[3]byte][]prefixPattern
	short   []prefixPattern
	starts  [1 << 16 / 64]uint64

	// nodes are the nodes of the trie, nodes[0] the root; the edges of
	// node n are next[nodes[n].next[0]:nodes[n].next[1]], sorted by
	// pattern, and the terms that end there its first end and, when there
	// are more, ends[nodes[n].more[0]:nodes[n].more[1]]. (Flat arrays, and
	// the one end most nodes have kept in the node, keep the walk in few
	// cache lines.) The root's edges are implicit: its child along
	// pattern p is node p+1, an empty node when no term starts with p, so
	// that the walk from a word goes from its patterns' numbers straight
	// to their nodes.
	nodes []node
	ends  []termEnd
	next  []edge
	// build holds the trie while terms are inserted.
	build []buildNode
	edges map[[2]int32]int32 // (node, pattern) to child
}

type prefixPattern struct {
	prefix string
	id     int32
}

// node is a node of the matcher's trie: the first term that ends there
// (list numTermLists+1 when none), and where its other terms and its edges
// lie in matcher.ends and matcher.next.
type node struct {
	end        termEnd
	more, next [2]int32
}

// noList marks a node's end field when no term ends at the node.
const noList = numTermLists + 1

// buildNode is a node of the trie while terms are inserted.
type buildNode struct {
	ends []termEnd
	next []edge
}

// termEnd says that the term with index value in list ends at a node.
type termEnd struct {
	list  termList
	value int32
}

type edge struct {
	pattern, node int32
}

func newMatcher() *matcher {
	return &matcher{forms: map[string]int32{}, build: []buildNode{{}}, edges: map[[2]int32]int32{}}
}

// insert adds a compiled term of a list with the given value. It reports
// false when the list already has a term of the same patterns (two
// spellings that normalize alike).
func (m *matcher) insert(list termList, ps []pattern, value int) bool {
	n := int32(0)
	for _, p := range ps {
		id := m.patternID(p)
		child, ok := m.edges[[2]int32{n, id}]
		if !ok {
			child = int32(len(m.build))
			m.build = append(m.build, buildNode{})
			m.build[n].next = append(m.build[n].next, edge{id, child})
			m.edges[[2]int32{n, id}] = child
		}
		n = child
	}
	for _, e := range m.build[n].ends {
		if e.list == list {
			return false
		}
	}
	m.build[n].ends = append(m.build[n].ends, termEnd{list, int32(value)})
	return true
}

// patternID returns the number of a pattern, numbering it if it is new.
func (m *matcher) patternID(p pattern) int32 {
	if !p.prefix {
		id, ok := m.forms[p.form]
		if !ok {
			id = int32(len(m.forms) + len(m.prefixes))
			m.forms[p.form] = id
		}
		return id
	}
	for _, q := range m.prefixes {
		if q.prefix == p.form {
			return q.id
		}
	}
	id := int32(len(m.forms) + len(m.prefixes))
	m.prefixes = append(m.prefixes, prefixPattern{p.form, id})
	return id
}

// finish makes the matcher ready to match, once every term is inserted.
func (m *matcher) finish() {
	byLength := slices.Clone(m.prefixes)
	sort.SliceStable(byLength, func(i, j int) bool { return len(byLength[i].prefix) > len(byLength[j].prefix) })
	m.table = newFormTable(m.forms)
	m.byStart = map[[3]byte][]prefixPattern{}
	for _, p := range byLength {
		if len(p.prefix) < 3 {
			m.short = append(m.short, p)
			continue
		}
		k := [3]byte{p.prefix[0], p.prefix[1], p.prefix[2]}
		m.byStart[k] = append(m.byStart[k], p)
		b := startBit(k)
		m.starts[b/64] |= 1 << (b % 64)
	}
	// Number the nodes: the root 0, its children by pattern, the others
	// after every pattern's.
	index := make([]int32, len(m.build))
	for _, e := range m.build[0].next {
		index[e.node] = e.pattern + 1
	}
	count := int32(len(m.forms)+len(m.prefixes)) + 1
	for b := 1; b < len(m.build); b++ {
		if index[b] == 0 {
			index[b], count = count, count+1
		}
	}
	m.nodes = make([]node, count)
	for i := range m.nodes {
		m.nodes[i].end = termEnd{list: noList}
	}
	for i, b := range m.build {
		if i == 0 {
			continue // the root's edges are implicit
		}
		sort.Slice(b.next, func(x, y int) bool { return b.next[x].pattern < b.next[y].pattern })
		n := &m.nodes[index[i]]
		if len(b.ends) > 0 {
			n.end = b.ends[0]
			n.more = [2]int32{int32(len(m.ends)), int32(len(m.ends) + len(b.ends) - 1)}
			m.ends = append(m.ends, b.ends[1:]...)
		}
		n.next = [2]int32{int32(len(m.next)), int32(len(m.next) + len(b.next))}
		for _, e := range b.next {
			m.next = append(m.next, edge{e.pattern, index[e.node]})
		}
	}
	m.build, m.edges = nil, nil
}

// startBit hashes the first three bytes of a word to a bit of
// matcher.starts.
func startBit(k [3]byte) uint32 {
	return (uint32(k[0])<<16 | uint32(k[1])<<8 | uint32(k[2])) * 0x9e3779b1 >> 16
}

// single reports whether some term, of any list, is the one word of form
// f: a whole word or a prefix it starts with.
func (m *matcher) single(f string) bool {
	for _, p := range m.patterns(nil, f) {
		if m.nodes[p+1].end.list != noList {
			return true
		}
	}
	return false
}

// patterns appends the numbers of the patterns that a word of form f
// matches to dst: its whole-word pattern first, then the prefixes it
// starts with, longest first.
func (m *matcher) patterns(dst []int32, f string) []int32 {
	if id, ok := m.table.lookup(f, m.forms); ok {
		dst = append(dst, id)
	}
	if len(f) >= 3 {
		k := [3]byte{f[0], f[1], f[2]}
		if b := startBit(k); m.starts[b/64]&(1<<(b%64)) != 0 {
			for _, p := range m.byStart[k] {
				if strings.HasPrefix(f, p.prefix) {
					dst = append(dst, p.id)
				}
			}
		}
	}
	for _, p := range m.short {
		if strings.HasPrefix(f, p.prefix) {
			dst = append(dst, p.id)
		}
	}
	return dst
}

// maxTableForm is the longest form a formTable holds.
const maxTableForm = 16

// formTable maps the forms of up to maxTableForm bytes to their pattern
// numbers: an open-addressing hash table keyed by the form's first eight
// bytes as a number and its length, so that a look-up is a multiplication
// and, mostly, one slot of 16 bytes compared, with no string hashing or
// comparison as in a map.
type formTable struct {
	// slots has a power of two length, at least twice the forms; a slot
	// with n == 0 is free (no form is empty). his[i] holds bytes 8 to 15
	// of the form in slots[i], apart because most forms are shorter.
	slots []formSlot
	his   []uint64
	shift uint
	// long reports whether some form is longer than maxTableForm: only
	// then is the map asked about longer words.
	long bool
}

type formSlot struct {
	lo    uint64
	n, id int32
}

func newFormTable(forms map[string]int32) formTable {
	size, shift := 16, uint(64-4)
	for size < 2*len(forms) {
		size, shift = size*2, shift-1
	}
	t := formTable{slots: make([]formSlot, size), his: make([]uint64, size), shift: shift}
	for f, id := range forms {
		if len(f) > maxTableForm {
			t.long = true
			continue
		}
		lo := load8(f)
		i := t.home(lo, len(f))
		for t.slots[i].n != 0 {
			i = (i + 1) & (len(t.slots) - 1)
		}
		t.slots[i] = formSlot{lo, int32(len(f)), id}
		if len(f) > 8 {
			t.his[i] = load8(f[8:])
		}
	}
	return t
}

// load8 returns the first bytes of s, at most 8, as a little-endian
// number, zero-padded.
func load8(s string) uint64 {
	if len(s) >= 8 {
		return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
	}
	var k uint64
	for i := len(s) - 1; i >= 0; i-- {
		k = k<<8 | uint64(s[i])
	}
	return k
}

// home returns the first slot to try for a form of n bytes whose first
// bytes are lo.
func (t *formTable) home(lo uint64, n int) int {
	return int((lo ^ uint64(n)*0x9e3779b97f4a7c15) * 0xbf58476d1ce4e5b9 >> t.shift)
}

// lookup returns the number of form f of any length: from the table when
// it holds forms that long, else from long, a map that holds at least the
// forms longer than maxTableForm.
func (t *formTable) lookup(f string, long map[string]int32) (int32, bool) {
	if len(f) <= maxTableForm {
		return t.find(f)
	}
	if !t.long {
		return 0, false
	}
	id, ok := long[f]
	return id, ok
}

// find returns the pattern number of form f, of up to maxTableForm bytes.
func (t *formTable) find(f string) (int32, bool) {
	lo := load8(f)
	for i := t.home(lo, len(f)); ; i = (i + 1) & (len(t.slots) - 1) {
		s := &t.slots[i]
		if s.n == 0 {
			return 0, false
		}
		if s.lo == lo && s.n == int32(len(f)) && (len(f) <= 8 || t.his[i] == load8(f[8:])) {
			return s.id, true
		}
	}
}

// child returns node n's child along pattern id, or -1. The root's
// children are implicit, and the walk does not ask for them.
func (m *matcher) child(n, id int32) int32 {
	span := m.nodes[n].next
	next := m.next[span[0]:span[1]]
	if len(next) <= 8 {
		for _, e := range next {
			if e.pattern == id {
				return e.node
			}
		}
		return -1
	}
	lo, hi := 0, len(next)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if next[mid].pattern < id {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < len(next) && next[lo].pattern == id {
		return next[lo].node
	}
	return -1
}

// termSpan is the longest term of a list found at a word: the term's value
// and the end of its words, or value -1.
type termSpan struct {
	value int32
	end   int32
}

// walkState is what a walk from one word finds.
type walkState struct {
	// lists has bit l set for each list with a term that starts at the
	// word; found[l] is the longest.
	lists uint16
	found [numTermLists + 1]termSpan
	// cut reports that the walk reached the last word with a term still
	// going: with more words it could have found more.
	cut bool
}

// longest finds the longest term of every list (and the longest entry)
// that starts at word i of a. Of terms of the same length the first found
// wins: whole words before prefixes, longer prefixes before shorter.
func (m *matcher) longest(a *analysis, i int, st *walkState) {
	st.lists, st.cut = 0, false
	for _, id := range a.patterns(i) {
		m.walk(a, id+1, i+1, st)
	}
}

// walk records the terms that end at node at, reached with the words
// before word j, and goes on along word j's patterns.
func (m *matcher) walk(a *analysis, at int32, j int, st *walkState) {
	n := &m.nodes[at]
	if n.end.list != noList {
		st.record(n.end, j)
		for _, e := range m.ends[n.more[0]:n.more[1]] {
			st.record(e, j)
		}
	}
	if n.next[0] == n.next[1] {
		return
	}
	if j == len(a.words) {
		st.cut = true
		return
	}
	for _, id := range a.patterns(j) {
		if c := m.child(at, id); c >= 0 {
			m.walk(a, c, j+1, st)
		}
	}
}

// record notes that term e ends before word j, unless its list has a
// longer term already. The walk goes deeper and deeper, so a term found
// later in a list is longer, or as long and found second.
func (st *walkState) record(e termEnd, j int) {
	if bit := uint16(1) << e.list; st.lists&bit == 0 || int32(j) > st.found[e.list].end {
		st.found[e.list] = termSpan{e.value, int32(j)}
		st.lists |= bit
	}
}
