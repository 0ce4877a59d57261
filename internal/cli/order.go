package cli

import (
	"context"
	"sync"
)

// inOrder runs do for the items 0 to n-1, up to concurrency of them at
// once (1 when concurrency is not positive), and hands each result to emit
// in item order, from the calling goroutine, so that the output of a run
// does not depend on which call finishes first.
//
// It stops at the first error in item order, of do or of emit: the items
// before it have been emitted, and none after it is. The calls under way
// then are cancelled through their context, and inOrder returns once they
// have returned.
//
// Memory stays bounded: an item is started only when fewer than
// concurrency items are started and not yet emitted, so that one slow
// item holds back the start of others rather than letting results pile
// up behind it.
func inOrder[R any](ctx context.Context, n, concurrency int, do func(context.Context, int) (R, error), emit func(int, R) error) error {
	concurrency = max(concurrency, 1)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		r   R
		err error
	}
	// queue holds the result channels of the items started, in item
	// order. With the one the loop below waits on, at most concurrency
	// are started and not emitted: the starter blocks on a full queue.
	queue := make(chan chan result, concurrency-1)
	stop := make(chan struct{}) // closed when the loop below stops reading
	var wg sync.WaitGroup
	go func() {
		defer close(queue)
		for i := range n {
			ch := make(chan result, 1)
			select {
			case queue <- ch:
			case <-stop:
				return
			}
			select {
			case <-stop:
				// The slot freed as the loop below drained the queue:
				// nobody waits for this item.
				return
			default:
			}
			wg.Go(func() {
				r, err := do(ctx, i)
				ch <- result{r, err}
			})
		}
	}()

	var err error
	i := 0
	for ch := range queue {
		res := <-ch
		if err = res.err; err == nil {
			err = emit(i, res.r)
		}
		if err != nil {
			break
		}
		i++
	}
	close(stop)
	cancel()
	// Let the starter finish, so that it starts nothing after Wait. It
	// may have started one more item as the loop stopped, which the
	// cancelled context cuts short.
	for range queue {
	}
	wg.Wait()
	return err
}
