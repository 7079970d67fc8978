// Package ownctx derives contexts: its own tests leave them to expire, which is what they test.
package ownctx

import (
	"context"
	"time"
)

// WithLimit returns a context that ends after d, and its cancel function.
func WithLimit(parent context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(parent, d)
}

func use(context.Context) {}

// Outside the package's tests the cancel function is still someone's to call.
func caller(parent context.Context) {
	ctx, _ := WithLimit(parent, time.Second) // want `discarded`
	use(ctx)
}
