package lostcancel

import (
	"context"
	"errors"
)

// Seen in grpc-go's ALTS handshake (fixed in 609310837b): the deferred closure cancels only when the
// function fails, so every successful handshake leaves its context registered with the parent.
func handshake(parent context.Context, addr string) (conn string, err error) {
	ctx, cancel := context.WithCancel(parent) // want `cancel is not called on every path`
	defer func() {
		if err != nil {
			cancel()
		}
	}()
	if addr == "" {
		return "", errors.New("no address")
	}
	return dialWith(ctx, addr), nil
}

func dialWith(ctx context.Context, addr string) string {
	_ = ctx
	return addr
}

// Look-alikes that stay silent.

type handshakeSession struct{ stop context.CancelFunc }

// On success the cancel function is kept: the handshakeSession's to call.
func keptOnSuccess(parent context.Context, s *handshakeSession) (err error) {
	ctx, cancel := context.WithCancel(parent)
	defer func() {
		if err != nil {
			cancel()
		}
	}()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	s.stop = cancel
	return nil
}

// Returned on success: the caller's to call.
func returnedOnSuccess(parent context.Context) (ctx context.Context, stop context.CancelFunc, err error) {
	ctx, cancel := context.WithCancel(parent)
	defer func() {
		if err != nil {
			cancel()
		}
	}()
	if err = ctx.Err(); err != nil {
		return nil, nil, err
	}
	return ctx, cancel, nil
}

// Every return gives err a value the model does not know: the closure may cancel on each.
func unknownOutcome(parent context.Context) (err error) {
	ctx, cancel := context.WithCancel(parent)
	defer func() {
		if err != nil {
			cancel()
		}
	}()
	err = ctx.Err()
	return
}

// The closure's err is its own variable, not the function's result.
func shadowedErr(parent context.Context) (err error) {
	ctx, cancel := context.WithCancel(parent)
	defer func() {
		err := ctx.Err()
		if err != nil {
			cancel()
		}
	}()
	return nil
}

// The release runs on both branches.
func bothBranches(parent context.Context) (err error) {
	ctx, cancel := context.WithCancel(parent)
	defer func() {
		if err != nil {
			cancel()
		} else {
			cancel()
		}
	}()
	_ = ctx
	return nil
}

// Not deferred: the closure runs where it stands.
func calledInPlace(parent context.Context) (err error) {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	func() {
		if err != nil {
			cancel()
		}
	}()
	_ = ctx
	return nil
}
