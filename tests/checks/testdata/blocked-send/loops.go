package blockedsend

import (
	"context"
	"errors"
	"time"
)

// The goroutine sends every item; the function returns on the first positive one: the next send
// has no receiver.
func firstPositive(xs []int) error {
	ch := make(chan int) // want `ch is unbuffered: the goroutine that sends on it in a loop blocks forever on its next send when the function leaves the range over ch early`
	go func() {
		for _, x := range xs {
			ch <- x
		}
		close(ch)
	}()
	for v := range ch {
		if v > 0 {
			return errors.New("positive")
		}
	}
	return nil
}

// break out of the range: the same.
func firstBig(xs []int) int {
	found := 0
	results := make(chan int) // want `results is unbuffered: the goroutine that sends on it in a loop blocks forever`
	go func() {
		defer close(results)
		for _, x := range xs {
			results <- x * 2
		}
	}()
	for v := range results {
		found = v
		break
	}
	return found
}

// The receive loop leaves on a timeout while the goroutine still has values to send.
func collect(xs []int) []int {
	var out []int
	ch := make(chan int) // want `ch is unbuffered: the goroutine that sends on it blocks forever on its send when the select leaves`
	go func() {
		for _, x := range xs {
			time.Sleep(time.Millisecond)
			ch <- x
		}
	}()
	for {
		select {
		case v := <-ch:
			out = append(out, v)
		case <-time.After(time.Microsecond):
			return out
		}
	}
}

// Look-alikes that stay silent.

// The range runs to the end: the goroutine's close ends it.
func sum(xs []int) int {
	total := 0
	ch := make(chan int)
	go func() {
		for _, x := range xs {
			ch <- x
		}
		close(ch)
	}()
	for v := range ch {
		total += v
	}
	return total
}

// A break out of an inner switch does not leave the range.
func evens(xs []int) int {
	n := 0
	ch := make(chan int)
	go func() {
		for _, x := range xs {
			ch <- x
		}
		close(ch)
	}()
	for v := range ch {
		switch {
		case v%2 == 0:
			n++
			break
		}
	}
	return n
}

// The sender selects on the context: it stops when the function cancels on leaving.
func firstWithCancel(xs []int) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := make(chan int)
	go func() {
		defer close(ch)
		for _, x := range xs {
			select {
			case ch <- x:
			case <-ctx.Done():
				return
			}
		}
	}()
	for v := range ch {
		return v
	}
	return 0
}

// The function drains what is left after leaving the loop (a second range): silent, it is
// not this shape.
func firstThenDrain(xs []int) int {
	first := -1
	ch := make(chan int)
	go func() {
		for _, x := range xs {
			ch <- x
		}
		close(ch)
	}()
	for v := range ch {
		first = v
		break
	}
	for range ch {
	}
	return first
}

// A sender in a loop with a single receive outside any loop: not this shape (ncast-like).
func firstOnly(xs []int) int {
	ch := make(chan int)
	go func() {
		for _, x := range xs {
			ch <- x
		}
	}()
	select {
	case v := <-ch:
		return v
	case <-time.After(time.Second):
		return 0
	}
}
