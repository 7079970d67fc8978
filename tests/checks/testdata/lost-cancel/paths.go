package lostcancel

import (
	"context"
	"errors"
)

func calledOnOnePathOnly(parent context.Context, skip bool) error {
	ctx, cancel := context.WithCancel(parent) // want `cancel is not called on every path`
	if skip {
		return errors.New("skipped") // returns without cancelling
	}
	defer cancel()
	return ctx.Err()
}

func calledOnEveryPath(parent context.Context, skip bool) error {
	ctx, cancel := context.WithCancel(parent)
	if skip {
		cancel()
		return errors.New("skipped")
	}
	defer cancel()
	return ctx.Err()
}

// withCancelCause's cancel takes the cause: the fix defers cancel(nil).
func withCause(parent context.Context) error {
	ctx, cancel := context.WithCancelCause(parent) // want `cancel is never called`
	_ = cancel
	return ctx.Err()
}

// callIt: the cancel function handed to one that calls it.
func callIt(c context.CancelFunc) { c() }

func handedToACaller(parent context.Context) error {
	ctx, cancel := context.WithCancel(parent)
	defer callIt(cancel)
	return ctx.Err()
}
