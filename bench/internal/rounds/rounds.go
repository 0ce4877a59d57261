// Package rounds times two pieces of work in alternating rounds, so that
// both see the same load on a shared machine and their ratio means
// something even when the machine's speed drifts during a run.
package rounds

import "time"

// Alternate calls first(i) and second(i) for every i in [0, n), in rounds
// of size quotes: a round of first, then the same round of second. It
// returns the total time each took.
func Alternate(n, size int, first, second func(i int)) (tFirst, tSecond time.Duration) {
	for i := 0; i < n; i += size {
		k := min(size, n-i)
		t0 := time.Now()
		for j := i; j < i+k; j++ {
			first(j)
		}
		t1 := time.Now()
		for j := i; j < i+k; j++ {
			second(j)
		}
		tFirst += t1.Sub(t0)
		tSecond += time.Since(t1)
	}
	return tFirst, tSecond
}
