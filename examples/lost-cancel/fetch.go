// Package lostcancel holds the lost-cancel pattern: a derived context whose
// cancel function is discarded, so its timer and goroutines live on.
package lostcancel

import (
	"context"
	"time"
)

// Fetch derives a context with a timeout and throws the cancel function away.
func Fetch(parent context.Context, work func(context.Context) error) error {
	ctx, _ := context.WithTimeout(parent, time.Minute) // leak: cancel discarded
	return work(ctx)
}

// Watch never calls cancel.
func Watch(parent context.Context, events <-chan string) string {
	ctx, cancel := context.WithCancel(parent) // leak: cancel never called
	select {
	case e := <-events:
		return e
	case <-ctx.Done():
		_ = cancel
		return ""
	}
}
