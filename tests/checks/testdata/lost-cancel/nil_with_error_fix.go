package lostcancel

import (
	"context"
	"errors"
	"time"
)

// begin returns a nil cancel with its error: the fix defers the call after the error check, where
// cancel is set (deferring a nil function would panic as the function returns with the error).
func begin(ctx context.Context, fail bool) (context.Context, context.CancelFunc, error) {
	if fail {
		return nil, nil, errors.New("failed")
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	return ctx, cancel, nil
}

func useBegin(parent context.Context) error {
	ctx, cancel, err := begin(parent, false) // want `cancel is never called`
	if err != nil {
		return err
	}
	_ = cancel
	return ctx.Err()
}
