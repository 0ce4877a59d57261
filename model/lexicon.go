package model

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// defaultLexicon is the bundled lexicon; see lexicon.txt's header for its
// format.
//
//go:embed lexicon.txt
var defaultLexicon []byte

// DefaultLexicon returns a copy of the bundled lexicon file, for tools that
// derive a new lexicon from it (the training command) and for tests.
func DefaultLexicon() []byte { return bytes.Clone(defaultLexicon) }

// The sections of a lexicon file. Entries, learned words and the scoring
// layer carry weights; function words are the words Fit never learns; every
// other section is a list of terms that one of the model's rules looks for.
const (
	sectionEntries    = "entries"
	sectionWeights    = "weights"
	sectionAdjust     = "adjustments"
	sectionLearned    = "learned"
	sectionDistrib    = "distributional"
	sectionFunction   = "function_words"
	sectionNegators   = "negators"
	sectionHedges     = "hedges"
	sectionIntensify  = "intensifiers"
	sectionCondition  = "conditionals"
	sectionFirst      = "first_person"
	sectionSecond     = "second_person"
	sectionThird      = "third_person"
	sectionFuture     = "future"
	sectionPast       = "past"
	sectionClauseStop = "clause_breaks"
)

// ruleSections lists the term-list sections in a fixed order.
func ruleSections() []string {
	return []string{
		sectionNegators, sectionHedges, sectionIntensify, sectionCondition,
		sectionFirst, sectionSecond, sectionThird, sectionFuture, sectionPast,
		sectionClauseStop,
	}
}

// Lexicon is a parsed lexicon file: weighted entries, the term lists the
// rules use, and the fitted weights of the scoring layer.
type Lexicon struct {
	// Name and Version come from the file's @name and @version lines.
	Name, Version string
	// Checksum is the SHA-256 of the file's bytes, hex encoded.
	Checksum string
	// Entries are the weighted words and phrases, in file order.
	Entries []Entry
	// Terms maps each rule section's name, and "function_words", to its
	// terms.
	Terms map[string][]string
	// Weights maps a feature name of the scoring layer to its weight for
	// each label. Features not listed keep their default weights.
	Weights map[string][NumLabels]float64
	// Adjustments maps an entry's term to the fitted correction added to
	// its hand-set weights. Entries not listed keep their hand-set weights.
	Adjustments map[string][NumLabels]float64
	// Learned are the single words that Fit found in its examples and that
	// no term covers, with their fitted weights: they count as entries,
	// after those of Entries.
	Learned []Entry
	// Distributional are single words with the weights Fit derived from
	// their word vectors (see FitOptions.Vectors): what a word's company in
	// a large news corpus says of each label. Unlike entries they are not
	// summed but averaged over a quote's words, and rules do not apply.
	Distributional []Entry
}

// Entry is one weighted word or phrase.
type Entry struct {
	// Term is the entry as written: lowercase words separated by spaces;
	// a word ending in * matches every word that starts with the rest.
	Term string
	// Weights holds the entry's push towards each label.
	Weights [NumLabels]float64
	// Line is the entry's line in the lexicon file.
	Line int
}

// LexiconError reports a malformed lexicon file with the place and reason.
type LexiconError struct {
	File   string
	Line   int
	Reason string
}

// Error returns "file:line: reason".
func (e *LexiconError) Error() string {
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason)
}

// ParseLexicon parses a lexicon file. name is used in errors; a malformed
// file yields a *LexiconError naming the line and the reason.
func ParseLexicon(r io.Reader, name string) (*Lexicon, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading lexicon %s: %w", name, err)
	}
	sum := sha256.Sum256(data)
	lex := &Lexicon{
		Checksum:    hex.EncodeToString(sum[:]),
		Terms:       map[string][]string{},
		Weights:     map[string][NumLabels]float64{},
		Adjustments: map[string][NumLabels]float64{},
	}
	known := map[string]bool{sectionEntries: true, sectionWeights: true, sectionAdjust: true, sectionLearned: true, sectionDistrib: true, sectionFunction: true}
	for _, s := range ruleSections() {
		known[s] = true
	}
	seen := map[string]map[string]int{} // section -> term -> line
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	n := 0
	fail := func(format string, args ...any) error {
		return &LexiconError{File: name, Line: n, Reason: fmt.Sprintf(format, args...)}
	}
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), " \r")
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "" || strings.HasPrefix(trimmed, "#"):
			continue
		case strings.HasPrefix(trimmed, "@"):
			if section != "" {
				return nil, fail("directive %q after the first section; directives come first", trimmed)
			}
			key, val, _ := strings.Cut(trimmed[1:], " ")
			val = strings.TrimSpace(val)
			switch key {
			case "name":
				lex.Name = val
			case "version":
				lex.Version = val
			default:
				return nil, fail("unknown directive @%s (want @name or @version)", key)
			}
			if val == "" {
				return nil, fail("directive @%s has no value", key)
			}
			continue
		case strings.HasPrefix(trimmed, "["):
			if !strings.HasSuffix(trimmed, "]") {
				return nil, fail("section header %q lacks its closing ]", trimmed)
			}
			section = trimmed[1 : len(trimmed)-1]
			if !known[section] {
				return nil, fail("unknown section [%s]", section)
			}
			if seen[section] != nil {
				return nil, fail("section [%s] appears twice", section)
			}
			seen[section] = map[string]int{}
			continue
		case section == "":
			return nil, fail("%q before the first section header", trimmed)
		}

		key := trimmed
		var weights [NumLabels]float64
		if section == sectionEntries || section == sectionWeights || section == sectionAdjust || section == sectionLearned || section == sectionDistrib {
			term, spec, ok := strings.Cut(line, "\t")
			if !ok {
				return nil, fail("want term, a TAB, then label=weight pairs")
			}
			key = strings.TrimSpace(term)
			if weights, err = parseWeights(spec); err != nil {
				return nil, fail("%v", err)
			}
		}
		if err := checkTerm(section, key); err != nil {
			return nil, fail("%v", err)
		}
		if first, dup := seen[section][key]; dup {
			return nil, fail("%q already appears in [%s] on line %d", key, section, first)
		}
		seen[section][key] = n
		switch section {
		case sectionEntries:
			lex.Entries = append(lex.Entries, Entry{Term: key, Weights: weights, Line: n})
		case sectionWeights:
			lex.Weights[key] = weights
		case sectionAdjust:
			lex.Adjustments[key] = weights
		case sectionLearned:
			lex.Learned = append(lex.Learned, Entry{Term: key, Weights: weights, Line: n})
		case sectionDistrib:
			lex.Distributional = append(lex.Distributional, Entry{Term: key, Weights: weights, Line: n})
		default:
			lex.Terms[section] = append(lex.Terms[section], key)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, &LexiconError{File: name, Line: n + 1, Reason: err.Error()}
	}
	if lex.Name == "" || lex.Version == "" {
		return nil, &LexiconError{File: name, Line: 1, Reason: "missing @name or @version directive"}
	}
	if len(lex.Entries) == 0 {
		return nil, &LexiconError{File: name, Line: n, Reason: "no [entries]"}
	}
	// Report the first unknown term by line, whatever the map's order.
	var bad *LexiconError
	for term, line := range seen[sectionAdjust] {
		if _, ok := seen[sectionEntries][term]; !ok && (bad == nil || line < bad.Line) {
			bad = &LexiconError{File: name, Line: line, Reason: fmt.Sprintf("[%s] names %q, which is not an entry", sectionAdjust, term)}
		}
	}
	if bad != nil {
		return nil, bad
	}
	return lex, nil
}

// parseWeights parses "label=weight label=weight ...".
func parseWeights(spec string) ([NumLabels]float64, error) {
	var w [NumLabels]float64
	fields := strings.Fields(spec)
	if len(fields) == 0 {
		return w, fmt.Errorf("no label=weight pairs")
	}
	var set [NumLabels]bool
	for _, f := range fields {
		name, num, ok := strings.Cut(f, "=")
		if !ok {
			return w, fmt.Errorf("%q is not label=weight", f)
		}
		l, err := ParseLabel(name)
		if err != nil {
			return w, err
		}
		if set[l] {
			return w, fmt.Errorf("label %s given twice", l)
		}
		v, err := strconv.ParseFloat(num, 64)
		if err != nil || v != v || v > 1e6 || v < -1e6 {
			return w, fmt.Errorf("weight %q of %s is not a finite number", num, l)
		}
		w[l], set[l] = v, true
	}
	return w, nil
}

// checkTerm rejects terms the matcher could not use.
func checkTerm(section, term string) error {
	if term == "" {
		return fmt.Errorf("empty term")
	}
	if section == sectionWeights {
		return nil
	}
	if term != strings.ToLower(term) {
		return fmt.Errorf("term %q is not lowercase", term)
	}
	if (section == sectionLearned || section == sectionDistrib) && strings.ContainsAny(term, " *") {
		return fmt.Errorf("[%s] word %q is not one word without a wildcard", section, term)
	}
	for _, w := range strings.Split(term, " ") {
		if w == "" {
			return fmt.Errorf("term %q has doubled spaces", term)
		}
		if p, ok := strings.CutSuffix(w, "*"); ok && (len([]rune(p)) < 3 || strings.Contains(p, "*")) {
			return fmt.Errorf("wildcard %q needs a prefix of at least 3 letters", w)
		}
	}
	return nil
}
