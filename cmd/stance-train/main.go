// Command stance-train fits the model's scoring layer to labelled quotes and
// writes the lexicon file with the fitted [weights] section.
//
// It splits the development quotes into a fitting part and a held-out part
// (stratified by label, with a fixed seed), fits on the first, reports on
// the second and on the gold quotes of the development corpus (neither of
// which it fitted on), and writes the lexicon fitted on the fitting part
// only, so that the reported held-out figures describe the shipped model.
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
