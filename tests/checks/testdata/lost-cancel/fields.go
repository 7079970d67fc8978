package lostcancel

import (
	"context"
	"time"
)

// A cancel function stored in a field that nothing calls: nobody's to call.
type poller struct {
	ctx  context.Context
	stop context.CancelFunc
}

func newPoller(parent context.Context) *poller {
	p := &poller{}
	p.ctx, p.stop = context.WithCancel(parent) // want `stored in the field stop, which nothing in the package calls`
	return p
}

type worker struct {
	ctx   context.Context
	abort context.CancelFunc
}

func newWorker(parent context.Context) *worker {
	ctx, abort := context.WithTimeout(parent, time.Minute)
	return &worker{ctx: ctx, abort: abort} // want `stored in the field abort`
}

// Stored and called elsewhere in the package (fields_other.go): someone's to call.
type server struct {
	ctx      context.Context
	shutdown context.CancelFunc
}

func newServer(parent context.Context) *server {
	s := &server{}
	s.ctx, s.shutdown = context.WithCancel(parent)
	return s
}

type session struct {
	end context.CancelFunc
}

func (s *session) start(parent context.Context) context.Context {
	ctx, end := context.WithCancel(parent)
	s.end = end
	return ctx
}

func (s *session) close() { s.end() }

// The local is called (by the goroutine that ends the pair): the copy in the field need not be (etcd's chanStream).
type stream struct {
	ctx    context.Context
	cancel context.CancelFunc
}

func pair(parent context.Context, done <-chan struct{}) *stream {
	cctx, ccancel := context.WithCancel(parent)
	s := &stream{ctx: cctx, cancel: ccancel}
	go func() {
		<-done
		ccancel()
	}()
	return s
}
