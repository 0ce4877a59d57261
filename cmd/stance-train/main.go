// Command stance-train fits the model's scoring layer, its entries'
// adjustments and the weights of the words it learns (see model.Fit) to
// labelled quotes, and writes the lexicon file with the fitted [weights],
// [adjustments] and [learned] sections.
//
// It keeps the development quotes apart by use: a lexicon split, the
// quotes whose mistakes people may study to improve the lexicon (-misses
// and -audit list them), which fit the entries' adjustments and learned
// words but not the layer; a layer split that the scoring layer, the
// adjustments and the learned words are fitted on and nobody studies
// (-holdout can move a stratified, seeded share of the lexicon split
// there); and test quotes. It reports on each set of test quotes and on
// the gold quotes of the development corpus, which it neither fits on nor
// lists, and writes the lexicon with the fitted layer. -cv reports k-fold
// cross-validation on the layer split alone, the figure to compare rule
// changes by, and on its real statements (source "recalled") apart, the
// kind the model does worst on; -control fits a bag-of-words regression
// on the same quotes to compare the model with.
//
//	go run ./cmd/stance-train -out model/lexicon.txt
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "stance-train:", err)
		os.Exit(1)
	}
}
