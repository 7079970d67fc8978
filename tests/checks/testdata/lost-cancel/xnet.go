package lostcancel

import (
	"time"

	"golang.org/x/net/context"
)

func xnet(parent context.Context) error {
	ctx, cancel := context.WithTimeout(parent, time.Second) // want `cancel is never called`
	_ = cancel
	return ctx.Err()
}
