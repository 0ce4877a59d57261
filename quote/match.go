package quote

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// SpeakerMatches reports whether an extracted speaker, got, names the same
// speaker as a hand-labelled one, gold. Both are normalized first: case is
// folded, ’ becomes ', white space is collapsed, surrounding punctuation
// and a leading article ("a", "an", "the") are dropped. Then they match
// when
//
//   - they are equal ("Officials" and "officials", "the RTA" and "RTA"), or
//   - both end in the same capitalized word, a surname, and every word of
//     the shorter name occurs in the longer one: "Asif", "Khawaja Asif" and
//     "Khawaja Muhammad Asif" all match "Khawaja Asif", while "Imran Khan"
//     does not match "Ayub Khan". The surname must be capitalized in gold,
//     so that common nouns do not match on their head alone: "a security
//     official" does not match "a Pakistani official".
//
// An empty gold speaker matches only an empty got, and the reverse.
func SpeakerMatches(got, gold string) bool {
	g, w := normSpeaker(got), normSpeaker(gold)
	if g == "" || w == "" {
		return g == w
	}
	if g == w {
		return true
	}
	gw, ww := strings.Fields(g), strings.Fields(w)
	if gw[len(gw)-1] != ww[len(ww)-1] {
		return false
	}
	golds := strings.Fields(gold)
	last := strings.Trim(golds[len(golds)-1], ".,;:")
	if r, _ := utf8.DecodeRuneInString(last); !unicode.IsUpper(r) || roleNouns[strings.ToLower(last)] {
		return false
	}
	short, long := gw, ww
	if len(short) > len(long) {
		short, long = long, short
	}
	for _, x := range short {
		if !contains(long, x) {
			return false
		}
	}
	return true
}

// normSpeaker folds a speaker name for comparison.
func normSpeaker(s string) string {
	s = strings.ToLower(strings.ReplaceAll(s, "’", "'"))
	f := strings.Fields(s)
	for k := range f {
		f[k] = strings.Trim(f[k], ".,;:\"'()")
	}
	if len(f) > 1 && (f[0] == "a" || f[0] == "an" || f[0] == "the") {
		f = f[1:]
	}
	out := f[:0]
	for _, x := range f {
		if x != "" {
			out = append(out, x)
		}
	}
	return strings.Join(out, " ")
}
