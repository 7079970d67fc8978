// Package patterns holds one goroutine leak of each kind the catalogue knows.
// The comments `block:<name>` and `spawn:<name>` mark the lines the tests expect.
package patterns

import (
	"errors"
	"time"
)

// PrematureReturn returns before receiving when fail is set: the sender blocks forever.
func PrematureReturn(fail bool) error {
	ch := make(chan int)
	go func() { // spawn:premature
		ch <- 42 // block:premature
	}()
	if fail {
		return errors.New("failed early")
	}
	<-ch
	return nil
}

// Timeout gives up waiting; the late sender blocks forever.
func Timeout() int {
	ch := make(chan int)
	go func() { // spawn:timeout
		time.Sleep(20 * time.Millisecond)
		ch <- 1 // block:timeout
	}()
	select {
	case v := <-ch:
		return v
	case <-time.After(time.Millisecond):
		return -1
	}
}

// NCast starts one sender per item and receives once.
func NCast(items []int) int {
	ch := make(chan int)
	for _, it := range items {
		go func() { // spawn:ncast
			ch <- it * 2 // block:ncast
		}()
	}
	return <-ch
}

// RangeNoClose never closes the channel its consumer ranges over.
func RangeNoClose(items []int) {
	ch := make(chan int)
	go func() { // spawn:range
		for v := range ch { // block:range
			_ = v
		}
	}()
	for _, it := range items {
		ch <- it
	}
}

// ReceiveNoSender starts a receiver nothing ever sends to.
func ReceiveNoSender() {
	ch := make(chan int)
	go func() { // spawn:receive
		v := <-ch // block:receive
		_ = v
	}()
}
