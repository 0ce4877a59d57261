package rounds

import (
	"slices"
	"testing"
	"time"
)

func TestAlternate(t *testing.T) {
	var order []int
	first := func(i int) { order = append(order, i) }
	second := func(i int) { order = append(order, -i-1); time.Sleep(time.Microsecond) }
	tFirst, tSecond := Alternate(5, 2, first, second)
	// Rounds of two: 0 1 of first, then 0 1 of second, and so on; the
	// last round is short. Second's calls are stored as -i-1.
	want := []int{0, 1, -1, -2, 2, 3, -3, -4, 4, -5}
	if !slices.Equal(order, want) {
		t.Errorf("calls = %v, want %v", order, want)
	}
	if tSecond < 5*time.Microsecond || tFirst < 0 {
		t.Errorf("times = %v, %v: second slept 5 µs in all", tFirst, tSecond)
	}
}
