package ownctx

import (
	"context"
	"testing"
	"time"
)

func check(t *testing.T, c context.Context) {
	if c.Err() != nil {
		t.Fatal("ended early")
	}
}

// The package's own test of WithLimit: the context is left to expire, that is the subject.
func TestLimit(t *testing.T) {
	c, _ := WithLimit(context.Background(), time.Hour)
	check(t, c)
}

// A context of another package in the same test is not the subject.
func TestOther(t *testing.T) {
	c, _ := context.WithCancel(context.Background()) // want `discarded`
	check(t, c)
}
