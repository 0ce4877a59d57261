package cli

import (
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Progress is a progress bar on one line of a terminal, or nothing. A nil
// *Progress, or one made off, does nothing, so that callers need not ask.
//
// Other output to the same terminal must go through Writer, which takes
// the bar off its line before each write; the bar comes back at the next
// Add. Close takes it off for good.
type Progress struct {
	mu  sync.Mutex
	bar *progressbar.ProgressBar // nil when off or closed
}

// NewProgress returns a progress bar written to w, counting to total
// units named unit, or, for a total of -1, counting units without a
// total. When on is false it returns a Progress that writes nothing.
func NewProgress(w io.Writer, on bool, total int64, unit string) *Progress {
	p := &Progress{}
	if !on || total == 0 {
		return p
	}
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(unit),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(100 * time.Millisecond),
		// No ticker of the bar's own: it would draw from a goroutine
		// between our writes. The spinner turns as work is done.
		progressbar.OptionSetSpinnerChangeInterval(0),
	}
	if total < 0 {
		// "(1200, 350 quotes/s)" rather than "(1200/-)".
		opts = append(opts, progressbar.OptionShowTotalBytes(false),
			progressbar.OptionShowIts(), progressbar.OptionSetItsString(unit),
			progressbar.OptionSetPredictTime(false))
	}
	p.bar = progressbar.NewOptions64(total, opts...)
	// Start the clock now, not at the first Add, so that the first rate
	// shown is not the first count over no time at all.
	p.bar.StartWithoutRender()
	return p
}

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Add counts n more units done and redraws the bar, at most ten times a
// second.
func (p *Progress) Add(n int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		// A bar that cannot be drawn is no reason to stop the work.
		_ = p.bar.Add(n)
	}
}

// Close takes the bar off the terminal for good. It may be called more
// than once.
func (p *Progress) Close() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		_ = p.bar.Clear()
		p.bar = nil
	}
}

// Writer returns w, wrapped, while the bar is on, so that each write
// first takes the bar off its line.
func (p *Progress) Writer(w io.Writer) io.Writer {
	if p == nil || p.bar == nil {
		return w
	}
	return &progressWriter{p: p, w: w}
}

// progressWriter is a writer that shares the terminal with a bar.
type progressWriter struct {
	p *Progress
	w io.Writer
}

func (pw *progressWriter) Write(b []byte) (int, error) {
	pw.p.mu.Lock()
	defer pw.p.mu.Unlock()
	if pw.p.bar != nil {
		_ = pw.p.bar.Clear()
	}
	return pw.w.Write(b)
}
