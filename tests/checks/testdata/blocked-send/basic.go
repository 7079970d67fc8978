package blockedsend

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

func work() error {
	time.Sleep(20 * time.Millisecond)
	return nil
}

// Seed 001, premature function return.
func premature(fail bool) error {
	c := make(chan error) // want `c is unbuffered: the goroutine that sends on it blocks forever on its send when the function returns before receiving`
	go func() {
		c <- work()
	}()

	if fail {
		return errors.New("failed early")
	}

	err := <-c
	return err
}

// Seed 001, the timeout leak.
func timeout(d time.Duration) (int, error) {
	done := make(chan int) // want `done is unbuffered: .* when the select leaves on .<-time.After\(d\).`
	go func() {
		time.Sleep(20 * time.Millisecond)
		done <- 42
	}()

	select {
	case v := <-done:
		return v, nil
	case <-time.After(d):
		return 0, errors.New("timeout")
	}
}

// The context variant: the goroutine gets the channel as an argument.
func withContext(ctx context.Context) error {
	result := make(chan error) // want `result is unbuffered: .* leaves on .<-ctx.Done\(\).`
	go func(out chan error) {
		out <- work()
	}(result)
	select {
	case err := <-result:
		return err
	case <-ctx.Done():
	}
	return ctx.Err()
}

// A timer's channel.
func withTimer(d time.Duration) string {
	ch := make(chan string) // want `ch is unbuffered`
	t := time.NewTimer(d)
	defer t.Stop()
	go func() {
		time.Sleep(20 * time.Millisecond)
		ch <- "done"
	}()
	select {
	case s := <-ch:
		return s
	case <-t.C:
		return "timeout"
	}
}

// Sends twice: a capacity of 1 would not be enough, so no fix.
func twice(fail bool) (int, error) {
	ch := make(chan int) // want `ch is unbuffered`
	go func() {
		ch <- 1
		ch <- 2
	}()
	if fail {
		return 0, errors.New("failed")
	}
	return <-ch + <-ch, nil
}

// --- look-alikes that must stay silent ---

func buffered(fail bool) error {
	c := make(chan error, 1)
	go func() { c <- work() }()
	if fail {
		return errors.New("failed")
	}
	return <-c
}

func noEarlyReturn() error {
	c := make(chan error)
	go func() { c <- work() }()
	fmt.Println("working")
	return <-c
}

// The return comes before the goroutine starts.
func returnBeforeGo(fail bool) error {
	c := make(chan error)
	if fail {
		return errors.New("failed")
	}
	go func() { c <- work() }()
	return <-c
}

// The receive happens in a deferred call: it runs on every return.
func deferredReceive(fail bool) (err error) {
	c := make(chan error)
	go func() { c <- work() }()
	defer func() { <-c }()
	if fail {
		return errors.New("failed")
	}
	return nil
}

// select with default: stay silent when unsure.
func withDefault() error {
	c := make(chan error)
	go func() { c <- work() }()
	select {
	case err := <-c:
		return err
	default:
		return nil
	}
}

// The select waits again after the timeout.
func waitsAnyway(d time.Duration) error {
	c := make(chan error)
	go func() { c <- work() }()
	select {
	case err := <-c:
		return err
	case <-time.After(d):
		fmt.Println("slow")
	}
	return <-c
}

// The goroutine runs a function of the file, which sends once: the early return leaves it blocked.
func handedOn(fail bool) error {
	c := make(chan error) // want `c is unbuffered: the goroutine that sends on it blocks forever on its send when the function returns before receiving`
	go produce(c)
	if fail {
		return errors.New("failed")
	}
	return <-c
}

func produce(c chan<- error) { c <- work() }

// Returned: the caller receives.
func returned() <-chan error {
	c := make(chan error)
	go func() { c <- work() }()
	return c
}

// A parameter is someone else's.
func param(c chan error, fail bool) error {
	go func() { c <- work() }()
	if fail {
		return nil
	}
	return <-c
}

// Senders in a loop with a WaitGroup: the function drains every sender.
func drained(items []int) int {
	var wg sync.WaitGroup
	c := make(chan int)
	for _, it := range items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c <- it
		}()
	}
	go func() {
		wg.Wait()
		close(c)
	}()
	sum := 0
	for v := range c {
		sum += v
	}
	return sum
}

// The early return is inside the goroutine, not the function.
func returnInGoroutine() error {
	c := make(chan error)
	go func() {
		if err := work(); err != nil {
			c <- err
			return
		}
		c <- nil
	}()
	return <-c
}

// The goroutine uses select with a done channel.
func goroutineSelects(fail bool) error {
	c := make(chan error)
	quit := make(chan struct{})
	defer close(quit)
	go func() {
		select {
		case c <- work():
		case <-quit:
		}
	}()
	if fail {
		return errors.New("failed")
	}
	return <-c
}

// Suppressed on purpose.
func suppressed(fail bool) error {
	c := make(chan error) //nolint:blocked-send // the goroutine is short-lived in tests
	go func() { c <- work() }()
	if fail {
		return errors.New("failed")
	}
	return <-c
}
