package lostcancel

import (
	"context"
	"time"
)

type job struct {
	ctx    context.Context
	cancel context.CancelFunc
}

var stop context.CancelFunc

func use(context.Context) {}

func neverCalled(parent context.Context) {
	ctx, cancel := context.WithCancel(parent) // want `cancel is never called: the context returned by context.WithCancel`
	use(ctx)
	_ = cancel == nil
}

func inLoop(parent context.Context, n int) {
	for i := 0; i < n; i++ {
		ctx, _ := context.WithTimeout(parent, time.Second) // want `the cancel function returned by context.WithTimeout is discarded.*deadline passes`
		use(ctx)
	}
}

func assigned(parent context.Context) {
	var ctx context.Context
	ctx, _ = context.WithDeadline(parent, time.Now()) // want `discarded`
	use(ctx)
}

func cause(parent context.Context) {
	ctx, cancel := context.WithCancelCause(parent) // want `cancel is never called`
	use(ctx)
	if cancel != nil {
		use(ctx)
	}
}

// Seed 001: a context made inside a goroutine and never cancelled.
func inGoroutine(parent context.Context) {
	go func() {
		ctx, _ := context.WithTimeoutCause(parent, time.Minute, nil) // want `discarded`
		use(ctx)
	}()
}

// --- look-alikes that must stay silent ---

func deferred(parent context.Context) {
	ctx, cancel := context.WithTimeout(parent, time.Second)
	defer cancel()
	use(ctx)
}

func called(parent context.Context) {
	ctx, cancel := context.WithCancel(parent)
	use(ctx)
	cancel()
}

func calledInClosure(parent context.Context) {
	ctx, cancel := context.WithCancel(parent)
	defer func() {
		cancel()
	}()
	use(ctx)
}

func passedOn(parent context.Context) {
	ctx, cancel := context.WithDeadline(parent, time.Now().Add(time.Hour))
	time.AfterFunc(time.Second, cancel)
	use(ctx)
}

func stored(parent context.Context) *job {
	ctx, cancel := context.WithCancel(parent)
	return &job{ctx: ctx, cancel: cancel}
}

func storedField(j *job, parent context.Context) {
	ctx, cancel := context.WithCancel(parent)
	j.ctx, j.cancel = ctx, cancel
}

func storedDirectly(j *job, parent context.Context) {
	j.ctx, j.cancel = context.WithTimeout(parent, time.Second)
}

func storedElement(parent context.Context, cancels []context.CancelFunc) {
	var ctx context.Context
	ctx, cancels[0] = context.WithCancel(parent)
	use(ctx)
}

func storedGlobal(parent context.Context) {
	ctx, cancel := context.WithCancel(parent)
	stop = cancel
	use(ctx)
}

func returned(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(parent, time.Second)
	return ctx, cancel
}

func sent(parent context.Context, ch chan<- context.CancelFunc) {
	ctx, cancel := context.WithCancel(parent)
	ch <- cancel
	use(ctx)
}

func causeCalled(parent context.Context) {
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)
	use(ctx)
}

type fakeContext struct{}

func (fakeContext) WithCancel(p context.Context) (context.Context, func()) { return p, func() {} }

func shadowed(parent context.Context) {
	context := fakeContext{}
	ctx, _ := context.WithCancel(parent)
	use(ctx)
}

func notContext(parent context.Context) {
	ctx := context.WithoutCancel(parent)
	use(ctx)
}
