// Package eval scores stance's output against hand-labelled gold data: label
// macro-F1, per-class precision, recall and F1 and a confusion matrix for the
// classifier, and span precision and recall and speaker accuracy for quote
// extraction. The stance CLI's eval command prints what this package
// computes; tests use it to hold the model and the extractor to their bars.
package eval
