// Package bench holds stance's benchmarks of the model and the gRPC
// service; run.sh runs them with the corpus and peer benchmarks and
// prints a table of figures. See README.md.
package bench
