package endlessgoroutine

import (
	"context"
	"time"
)

// A ticker's channel is never closed, Stop or not: the range never ends.
func pollEvery(d time.Duration) {
	t := time.NewTicker(d)
	go func() { // want `the goroutine runs an endless loop`
		for range t.C {
			refresh()
		}
	}()
}

func refreshLoop() {
	for range time.Tick(time.Millisecond) {
		refresh()
	}
}

// A named function ranging over time.Tick, started per call.
func startRefresh(n int) {
	for i := 0; i < n; i++ {
		go refreshLoop() // want `the goroutine runs refreshLoop, whose loop never ends`
	}
}

func refresh() {}

// Look-alikes that stay silent.

// The loop returns on the context.
func pollUntil(ctx context.Context, d time.Duration) {
	t := time.NewTicker(d)
	go func() {
		defer t.Stop()
		for range t.C {
			if ctx.Err() != nil {
				return
			}
			refresh()
		}
	}()
}

// A range over a channel that someone may close: not a ticker.
func drain(ch chan int) {
	go func() {
		for range ch {
			refresh()
		}
	}()
}

// The ticker variable is replaced: what it holds at the range is not known here.
func pollReplaced(d time.Duration) {
	t := time.NewTicker(d)
	t = nil
	go func() {
		for range t.C {
			refresh()
		}
	}()
}

// Seen in prometheus's consul discovery (fixed in 2aba238f31): a clause whose condition is `true`
// loops for ever; after ticker.Stop() the goroutine blocks on <-ticker.C.
func watchCatalog(ctx context.Context, d time.Duration) {
	ticker := time.NewTicker(d)
	go func() { // want `the goroutine runs an endless loop`
		for ; true; <-ticker.C {
			refresh()
		}
	}()
	<-ctx.Done()
	ticker.Stop()
}

// Look-alike: the clause's condition ends the loop.
func refreshTimes(n int) {
	go func() {
		for i := 0; i < n; i++ {
			refresh()
		}
	}()
}
