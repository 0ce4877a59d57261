// Package peer benchmarks stance's model beside a peer: the same quotes
// scored by github.com/jonreiter/govader, a Go port of the VADER lexicon
// sentiment analyser. It is a module of its own, so that stance does not
// depend on govader.
package peer
