package lostcancel

import (
	"context"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// The lifetime context: contexts whose end is awaited, code right before the process exits,
// code that runs once per process. None of these leaks a context.

// The test waits for the deadline: the context's end is the subject, nothing is held after it.
func awaitsDeadline() {
	c, _ := context.WithTimeout(context.Background(), time.Millisecond)
	<-c.Done()
}

// In a select the other case may win: the deadline is still pending then.
func awaitsInSelect(d time.Duration) bool {
	c, _ := context.WithDeadline(context.Background(), time.Now().Add(d)) // want `discarded`
	select {
	case <-c.Done():
		return true
	case <-time.After(time.Second):
		return false
	}
}

// Not awaited: the deadline may be hours away.
func notAwaited(parent context.Context) {
	c, _ := context.WithTimeout(parent, time.Hour) // want `discarded`
	use(c)
}

// The process exits right after.
func exitsRightAfter(parent context.Context) {
	ctx, _ := context.WithCancel(parent)
	use(ctx)
	os.Exit(0)
}

var (
	once    sync.Once
	started atomic.Bool
	root    context.Context
)

// Once per process: init, a sync.Once, the branch a CompareAndSwap takes once.
func init() {
	root, _ = context.WithCancel(context.Background())
}

func onceOnly() {
	once.Do(func() {
		root, _ = context.WithCancel(context.Background())
	})
}

func startOnce() {
	if started.CompareAndSwap(false, true) {
		ctx, _ := context.WithCancel(context.Background())
		go use(ctx)
	}
}

// Every call: the CompareAndSwap guards nothing here.
func everyCall(parent context.Context) {
	started.CompareAndSwap(false, true)
	ctx, _ := context.WithCancel(parent) // want `discarded`
	use(ctx)
}
