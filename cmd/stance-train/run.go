package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"strings"

	"github.com/stancehq/stance/eval"
	"github.com/stancehq/stance/model"
)

// run parses the flags, fits, reports and writes the lexicon.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("stance-train", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		data    = fs.String("data", "testdata/dev/quotes-[abcdghklwx].jsonl,testdata/articles-lexicon/gold/quotes-*.jsonl", "comma-separated globs of labelled development quotes (JSON Lines) of the lexicon split: people may study their mistakes (-misses, -audit) to improve the lexicon; they fit the entries' adjustments, not the layer")
		layer   = fs.String("layer", "testdata/dev/quotes-[ijopqst].jsonl,testdata/articles-layer/gold/quotes-*.jsonl", "comma-separated globs of development quotes used only to fit the scoring layer, never studied (empty: none)")
		test    = fs.String("test", "testdata/articles/gold/quotes-[1-4].jsonl,testdata/articles/gold/quotes-3[1-8].jsonl,testdata/articles/gold/quotes-[5-7][0-9].jsonl,testdata/dev/quotes-[ef].jsonl,testdata/dev/quotes-[mn].jsonl,testdata/dev/quotes-r.jsonl,testdata/dev/quotes-[uv].jsonl,testdata/dev/quotes-y.jsonl", "comma-separated globs of development quotes kept only for testing, each reported on its own: never fitted on, never used to edit the lexicon (empty: none)")
		gold    = fs.String("gold", "testdata/gold/seed-quotes.jsonl", "gold quotes of the development corpus, reported on, never fitted (empty: none)")
		lexicon = fs.String("lexicon", "model/lexicon.txt", "lexicon whose entries are used and whose [weights], [adjustments] and [learned] are replaced, and its [distributional] too with -vectors")
		out     = fs.String("out", "", "where to write the fitted lexicon (empty: report only)")
		seed    = fs.Uint64("seed", 1, "seed of the -holdout split and of the -cv folds")
		holdout = fs.Float64("holdout", 0, "share of each label's -data quotes moved to the layer split (0: the layer is fitted only on -layer quotes, which nobody studied)")
		misses  = fs.Bool("misses", false, "list the lexicon-split quotes the fitted model gets wrong (never those of the layer split or the tests: looking at those would tune the lexicon to them)")
		cv      = fs.Int("cv", 0, "only report k-fold cross-validation on the layer split, text only and with context, and text only on its real statements (source recalled) alone (0: none): figures to compare rule changes by without looking at the tests")
		l2      = fs.Float64("l2", model.DefaultFitOptions().L2, "pull of each weight of the scoring layer towards its hand-set default")
		entryL2 = fs.Float64("entry-l2", model.DefaultFitOptions().EntryL2, "pull of each entry's fitted adjustment, and of each learned word's weights, towards zero (0: entries keep their hand-set weights and no words are learned)")
		learn   = fs.Int("learn-min", model.DefaultFitOptions().LearnMin, "learn weights for the words, not covered by the lexicon, that occur in at least this many fitting quotes (0: learn no words)")
		vectors = fs.String("vectors", "", "word vectors in GloVe's text format (see scripts/vectors.sh) from which to fit the [distributional] weights of every word they hold (empty: keep the lexicon's)")
		vecL2   = fs.Float64("vector-l2", model.DefaultFitOptions().VectorL2, "pull of the map from word vectors to labels towards zero (with -vectors)")
		control = fs.Bool("control", false, "also fit a bag-of-words control on the lexicon and layer splits and compare its macro-F1 with the model's on every test set and the gold")
		audit   = fs.Int("audit", 0, "list the lexicon entries that fire at least this often on lexicon-split quotes and push most often towards a label the quote does not have (0: no audit)")
	)
	if err := fs.Parse(args); err != nil {
		return err
	}
	opts := model.DefaultFitOptions()
	opts.L2 = *l2
	opts.EntryL2 = *entryL2
	opts.LearnMin = *learn
	opts.VectorL2 = *vecL2
	if *vectors != "" {
		f, err := os.Open(*vectors)
		if err != nil {
			return err
		}
		opts.Vectors, err = model.ReadVectors(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", *vectors, err)
		}
	}
	base, err := os.ReadFile(*lexicon)
	if err != nil {
		return err
	}
	m, err := model.New(model.WithLexicon(base, *lexicon))
	if err != nil {
		return err
	}
	dev, err := readRows(*data)
	if err != nil {
		return err
	}
	var goldRows []eval.Gold
	if *gold != "" {
		if goldRows, err = eval.ReadGoldFiles(*gold); err != nil {
			return err
		}
	}
	tests, err := readSets(*test)
	if err != nil {
		return err
	}
	unseen := 0
	for _, t := range tests {
		unseen += len(t.rows)
	}
	lexRows, layerRows := split(dev, *seed, *holdout)
	extra, err := readRows(*layer)
	if err != nil {
		return err
	}
	layerRows = append(layerRows, extra...)
	if *cv > 0 {
		cvr, err := crossValidate(ctx, m, layerRows, lexRows, opts, *cv, *seed)
		if err != nil {
			return err
		}
		if opts.Vectors == nil {
			fmt.Fprintf(stdout, "no -vectors: the folds are fitted without distributional weights\n\n")
		}
		fmt.Fprintf(stdout, "== layer-split quotes (%d), text only, %d-fold cross-validation\n", len(layerRows), *cv)
		if err := cvr.text.Write(stdout); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\n== layer-split quotes (%d), with context, %d-fold cross-validation\n", len(layerRows), *cv)
		if err := cvr.withContext.Write(stdout); err != nil {
			return err
		}
		if cvr.recalled == nil {
			return nil
		}
		fmt.Fprintf(stdout, "\n== the real statements among them (source recalled, %d), text only, %d-fold cross-validation\n", cvr.recalled.Confusion.Total(), *cv)
		return cvr.recalled.Write(stdout)
	}
	fmt.Fprintf(stdout, "development quotes: lexicon split %d, layer split %d; test quotes: %d; gold quotes: %d\n\n", len(lexRows), len(layerRows), unseen, len(goldRows))

	// The layer is fitted on quotes that nobody improved the lexicon from:
	// on the quotes the lexicon was tuned to, its features are cleaner than
	// on new text, and a layer fitted there would trust them too much.
	examples, err := fitExamples(layerRows, lexRows)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	fitted, err := m.Fit(examples, opts)
	if err != nil {
		return err
	}
	unfitted, err := m.Unfitted()
	if err != nil {
		return err
	}
	type section struct {
		name    string
		m       *model.Model
		rows    []eval.Gold
		context bool
	}
	sections := []section{
		{"lexicon-split quotes, text only, hand-set layer", unfitted, lexRows, false},
		{"lexicon-split quotes, text only, fitted layer (the lexicon was tuned on these)", fitted, lexRows, false},
	}
	for _, t := range tests {
		sections = append(sections,
			section{"test quotes " + t.glob + ", text only, hand-set layer", unfitted, t.rows, false},
			section{"test quotes " + t.glob + ", text only, fitted layer", fitted, t.rows, false},
			section{"test quotes " + t.glob + ", with context, fitted layer", fitted, t.rows, true},
		)
	}
	if len(goldRows) > 0 {
		sections = append(sections, section{"gold quotes of the development corpus, text only, fitted layer", fitted, goldRows, false})
	}
	sections = append(sections,
		section{"layer-split quotes, text only, fitted layer (in-sample)", fitted, layerRows, false},
	)
	for _, r := range sections {
		rep, err := score(r.m, r.rows, r.context)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "== %s\n", r.name)
		if err := rep.Write(stdout); err != nil {
			return err
		}
		fmt.Fprintln(stdout)
	}
	if *control {
		sets := tests
		if len(goldRows) > 0 {
			sets = append(slices.Clip(tests), rowSet{glob: *gold, rows: goldRows})
		}
		if err := writeControl(stdout, fitted, append(slices.Clip(lexRows), layerRows...), sets); err != nil {
			return err
		}
	}
	if *misses {
		if err := writeMisses(stdout, fitted, lexRows); err != nil {
			return err
		}
	}
	if *audit > 0 {
		if err := writeAudit(stdout, fitted, lexRows, *audit); err != nil {
			return err
		}
	}
	if *out == "" {
		return nil
	}
	var buf bytes.Buffer
	if err := fitted.WriteLexicon(&buf, base); err != nil {
		return err
	}
	// The written file must load: a trainer that writes a lexicon the
	// server then refuses would only fail at the next start-up.
	if _, err := model.New(model.WithLexicon(buf.Bytes(), *out)); err != nil {
		return fmt.Errorf("fitted lexicon does not load: %w", err)
	}
	return os.WriteFile(*out, buf.Bytes(), 0o644)
}

// split sets aside a share of each label's rows, chosen by a seeded shuffle
// of the rows sorted by id, so the split is the same on every machine.
func split(rows []eval.Gold, seed uint64, share float64) (rest, aside []eval.Gold) {
	byLabel := map[string][]eval.Gold{}
	for _, r := range rows {
		byLabel[r.Label] = append(byLabel[r.Label], r)
	}
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	for _, l := range model.Labels() {
		rs := byLabel[l.String()]
		slices.SortFunc(rs, func(a, b eval.Gold) int {
			if a.ID < b.ID {
				return -1
			}
			if a.ID > b.ID {
				return 1
			}
			return 0
		})
		rng.Shuffle(len(rs), func(i, j int) { rs[i], rs[j] = rs[j], rs[i] })
		k := int(float64(len(rs))*share + 0.5)
		aside = append(aside, rs[:k]...)
		rest = append(rest, rs[k:]...)
	}
	return rest, aside
}

// rowSet is the rows read from one glob.
type rowSet struct {
	glob string
	rows []eval.Gold
}

// readSets reads the rows of each glob of list, a comma-separated list of
// globs as -data, -layer and -test take them (empty: none).
func readSets(list string) ([]rowSet, error) {
	if list == "" {
		return nil, nil
	}
	var sets []rowSet
	for glob := range strings.SplitSeq(list, ",") {
		rows, err := eval.ReadGoldFiles(glob)
		if err != nil {
			return nil, err
		}
		sets = append(sets, rowSet{glob, rows})
	}
	return sets, nil
}

// readRows reads the rows of all the globs of list, as readSets does, in
// one slice.
func readRows(list string) ([]eval.Gold, error) {
	sets, err := readSets(list)
	var rows []eval.Gold
	for _, s := range sets {
		rows = append(rows, s.rows...)
	}
	return rows, err
}

// crossValidate fits the model k times, each time on all but one fold of
// rows and on every one of lexRows, and scores the pooled predictions for
// the left-out folds, text only and with context, and those of the real
// statements among them on their own. Rule changes are
// compared by these figures, so that choosing them does not tune the
// model to the test quotes.
func crossValidate(ctx context.Context, m *model.Model, rows, lexRows []eval.Gold, opts model.FitOptions, k int, seed uint64) (*cvReports, error) {
	if k < 2 || k > len(rows) {
		return nil, fmt.Errorf("-cv %d: want between 2 and the %d layer-split quotes", k, len(rows))
	}
	if opts.Vectors == nil {
		// The lexicon's distributional weights were fitted on these very
		// quotes; without vectors to fit them again in each fold, the
		// folds go without.
		var err error
		if m, err = m.Unfitted(); err != nil {
			return nil, err
		}
	}
	rows = slices.Clone(rows)
	slices.SortFunc(rows, func(a, b eval.Gold) int { return strings.Compare(a.ID, b.ID) })
	rand.New(rand.NewPCG(seed, 0xc5)).Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	var preds, ctxPreds, recalled []eval.Prediction
	for fold := range k {
		var fit, held []eval.Gold
		for i, r := range rows {
			if i%k == fold {
				held = append(held, r)
			} else {
				fit = append(fit, r)
			}
		}
		examples, err := fitExamples(fit, lexRows)
		if err != nil {
			return nil, err
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		fitted, err := m.Fit(examples, opts)
		if err != nil {
			return nil, err
		}
		n := len(preds)
		if preds, err = predict(preds, fitted, held, false); err != nil {
			return nil, err
		}
		for i, r := range held {
			if r.Source == "recalled" {
				recalled = append(recalled, preds[n+i])
			}
		}
		if ctxPreds, err = predict(ctxPreds, fitted, held, true); err != nil {
			return nil, err
		}
	}
	var r cvReports
	var err error
	if r.text, err = eval.ScoreLabels(preds); err != nil {
		return nil, err
	}
	if r.withContext, err = eval.ScoreLabels(ctxPreds); err != nil {
		return nil, err
	}
	if len(recalled) > 0 {
		if r.recalled, err = eval.ScoreLabels(recalled); err != nil {
			return nil, err
		}
	}
	return &r, nil
}

// cvReports are the scores of crossValidate's pooled predictions.
type cvReports struct {
	text, withContext *eval.LabelReport
	// recalled scores the text-only predictions of the real statements
	// alone (Source "recalled"); nil when there are none. The hidden set
	// is of real statements, and the model does worst on them.
	recalled *eval.LabelReport
}

// fitExamples turns the layer split's rows and the lexicon split's into
// fitting examples; the lexicon split's fit only the entries' adjustments.
func fitExamples(layerRows, lexRows []eval.Gold) ([]model.Example, error) {
	examples, err := toExamples(layerRows, false)
	if err != nil {
		return nil, err
	}
	lex, err := toExamples(lexRows, true)
	return append(examples, lex...), err
}

// toExamples turns rows into fitting examples: each quote once on its own
// and once with its context, since the service is called both ways.
func toExamples(rows []eval.Gold, entriesOnly bool) ([]model.Example, error) {
	var out []model.Example
	for _, r := range rows {
		l, err := model.ParseLabel(r.Label)
		if err != nil {
			return nil, fmt.Errorf("quote %s: %w", r.ID, err)
		}
		out = append(out, model.Example{Input: model.Input{Text: r.Text}, Label: l, EntriesOnly: entriesOnly})
		if r.Context != "" {
			out = append(out, model.Example{Input: model.Input{Text: r.Text, Context: r.Context}, Label: l, EntriesOnly: entriesOnly})
		}
	}
	return out, nil
}
