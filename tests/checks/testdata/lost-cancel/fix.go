package lostcancel

import (
	"context"
	"fmt"
	"time"
)

func fixDiscarded(parent context.Context) {
	ctx, _ := context.WithTimeout(parent, time.Second) // want `discarded`
	fmt.Println(ctx)
}

func fixTaken(parent context.Context, cancel func()) {
	defer cancel()
	ctx, _ := context.WithCancel(parent) // want `discarded`
	fmt.Println(ctx)
}

func fixNeverCalled(parent context.Context) context.Context {
	ctx, stopIt := context.WithDeadline(parent, time.Now()) // want `stopIt is never called`
	if stopIt == nil {
		return nil
	}
	return ctx
}

func fixVar(parent context.Context) {
	var ctx, _ = context.WithCancel(parent) // want `discarded`
	fmt.Println(ctx)
}
