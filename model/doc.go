// Package model is stance's classifier: a lexicon model that labels a
// quoted statement as an accusation, a denial, a threat, a conciliation or
// neutral, with a probability for every label and the evidence behind them.
//
// # Pipeline
//
// Text is tokenized by the definition in the tokenizer.json this package
// embeds (BERT's uncased WordPiece vocabulary behind a normalizer that
// straightens curly quotes, strips accents and lowercases), so nothing is
// downloaded at run time. By default a one-pass compilation of that
// definition runs it, tested identical to github.com/sugarme/tokenizer by a
// differential test and a fuzz target; sugarme itself remains selectable
// with WithTokenizer. WordPiece pieces are
// joined back into words whose byte spans point into the original text.
//
// The words are matched against the lexicon (lexicon.txt, embedded; see its
// header for the format): weighted words and phrases, longest match first.
// Each match then passes through the rules, which look at the words around
// it: a negator earlier in its clause ("will not be used against"), a
// conditional in its sentence ("if ... we will"), a hedge ("may"), an
// intensifier ("categorically"), the grammatical person of its subject ("we
// will strike" is not "they struck"), future or past tense, and a question.
// Words of the reporter's frame around the quote (Input.Context) are
// matched too and count as context evidence.
//
// # Scoring
//
// Every match adds its weights to one feature per label for its source
// (quote or context) and to one feature per label for each rule that
// applies to it. Quote-level features follow, which no single match
// carries: the shape of the statement (a question mark, digits, a
// fragment), negation by the speaker or of the future, "we" and named third
// parties. A linear layer turns the features into one logit per
// label, and a softmax into probabilities. The layer's weights are fitted by
// multinomial logistic regression (Model.Fit, run by cmd/stance-train) on
// labelled development quotes, regularized towards hand-set defaults, and
// stored in the lexicon's [weights] section. Fit then corrects the hand-set
// weights of the entries that fire in the quotes, each pulled hard towards
// no change, and stores the corrections in the [adjustments] section, so
// that a reviewer still reads the entries as people wrote them. In the same
// stage Fit learns words: content words of its quotes that no term of the
// lexicon is on its own (not function words, not names) start with no
// weights and take the fitted ones, stored in the [learned] section and
// matched like entries. Because the layer is linear,
// each match's contribution to each logit is exact, and that is what
// Evidence reports.
//
// One more feature per label reaches words that neither the lexicon nor
// the development quotes hold: the mean of the quote's words'
// distributional weights, from the lexicon's [distributional] section.
// Given word vectors (FitOptions.Vectors: GloVe's, trained on news, see
// scripts/vectors.sh), Fit learns a regression from the mean vector of a
// quote's words to its label and writes, for each of the 30,000 most
// frequent words, what the regression makes of its vector; "avenge",
// never seen in a quote, then leans as "retaliate" does. The model never
// reads the vectors, only those weights, and Evidence names the few words
// whose weights move the scores most, with the rule "distributional".
//
// # Guarantees
//
// The same input always gets the same result. Invalid UTF-8 is rejected
// with ErrInvalidUTF8 before it reaches the tokenizer (which panics on it),
// and the tokenizer's known faults (panics on malformed definitions and on
// some runs of combining marks, offsets that drift after dropped control
// characters or inside multi-byte words) are guarded and tested.
package model
