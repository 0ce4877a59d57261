package cli

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
)

func TestInOrder(t *testing.T) {
	for _, conc := range []int{0, 1, 2, 8, 100} {
		t.Run(fmt.Sprint("concurrency ", conc), func(t *testing.T) {
			const n = 50
			var open, most atomic.Int64 // items started and not emitted
			do := func(_ context.Context, i int) (int, error) {
				o := open.Add(1)
				for m := most.Load(); o > m && !most.CompareAndSwap(m, o); m = most.Load() {
				}
				return i * i, nil
			}
			var got []int
			err := inOrder(t.Context(), n, conc, do, func(i, r int) error {
				if r != i*i {
					t.Errorf("item %d emitted with %d, want %d", i, r, i*i)
				}
				got = append(got, i)
				open.Add(-1)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != n {
				t.Fatalf("%d items emitted, want %d", len(got), n)
			}
			for i, g := range got {
				if g != i {
					t.Fatalf("emitted %v, want 0 to %d in order", got, n-1)
				}
			}
			if limit := int64(max(conc, 1)); most.Load() > limit {
				t.Errorf("%d items started and not emitted at once, want at most %d", most.Load(), limit)
			}
		})
	}
}

// TestInOrderOverlaps makes item 0 wait for item 1 to finish: with room
// for two at once they overlap, and 0 still comes out first.
func TestInOrderOverlaps(t *testing.T) {
	oneDone := make(chan struct{})
	do := func(ctx context.Context, i int) (string, error) {
		switch i {
		case 0:
			select {
			case <-oneDone:
			case <-ctx.Done():
				return "", ctx.Err()
			}
		case 1:
			close(oneDone)
		}
		return fmt.Sprint("item ", i), nil
	}
	var got []string
	err := inOrder(t.Context(), 3, 2, do, func(_ int, r string) error {
		got = append(got, r)
		return nil
	})
	if err != nil || fmt.Sprint(got) != "[item 0 item 1 item 2]" {
		t.Errorf("inOrder = %v, %v; want items 0, 1 and 2 in order", got, err)
	}
}

func TestInOrderStops(t *testing.T) {
	errItem := errors.New("item failed")
	errEmit := errors.New("emit failed")
	tests := []struct {
		name     string
		failDo   int // item whose do fails, -1 for none
		failEmit int // item whose emit fails, -1 for none
		want     error
		emitted  int
	}{
		{"do fails", 5, -1, errItem, 5},
		{"emit fails", -1, 3, errEmit, 3},
		{"first in order wins", 7, 4, errEmit, 4},
		{"first item fails", 0, -1, errItem, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			started := map[int]bool{}
			do := func(ctx context.Context, i int) (int, error) {
				mu.Lock()
				started[i] = true
				mu.Unlock()
				if i == tt.failDo {
					return 0, errItem
				}
				return i, nil
			}
			emitted := 0
			err := inOrder(t.Context(), 1000, 4, do, func(i, _ int) error {
				if i == tt.failEmit {
					return errEmit
				}
				emitted++
				return nil
			})
			if !errors.Is(err, tt.want) || emitted != tt.emitted {
				t.Errorf("inOrder = %v after %d items, want %v after %d", err, emitted, tt.want, tt.emitted)
			}
			// Nothing much is started past the failure: the items in
			// flight then, and at most one more.
			mu.Lock()
			defer mu.Unlock()
			if len(started) > tt.emitted+4+1 {
				t.Errorf("%d items started, want no more than %d", len(started), tt.emitted+5)
			}
		})
	}
}

func TestInOrderCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	do := func(ctx context.Context, i int) (int, error) {
		if i == 2 {
			cancel()
		}
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		return i, nil
	}
	emitted := 0
	err := inOrder(ctx, 100, 1, do, func(int, int) error {
		emitted++
		return nil
	})
	if !errors.Is(err, context.Canceled) || emitted != 2 {
		t.Errorf("inOrder = %v after %d items, want context.Canceled after 2", err, emitted)
	}
}
