package unclosedrange

import (
	"fmt"
	"sync"
)

func process(v int) { _ = v }

// Seed 002: the function sends, nothing closes.
func sends() {
	ch := make(chan int)
	go func() {
		for v := range ch { // want `nothing closes ch: this range never ends, and the goroutine waits on it forever`
			process(v)
		}
	}()
	ch <- 1
	ch <- 2
}

// Seed 001/002: senders waited with a WaitGroup, the ranging goroutine counts them.
func seed001(items []int) {
	wg := &sync.WaitGroup{}
	c := make(chan any, 1)
	for _, i := range items {
		wg.Add(1)
		go func() {
			c <- i
		}()
	}
	go func() {
		for data := range c { // want `nothing closes c`
			fmt.Println(data)
			wg.Done()
		}
	}()
	wg.Wait()
}

// Senders call Done themselves.
func waited(items []int) {
	var wg sync.WaitGroup
	c := make(chan int)
	go func() {
		for v := range c { // want `nothing closes c`
			process(v)
		}
	}()
	for _, i := range items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c <- i
		}()
	}
	wg.Wait()
}

// Sends in a loop: close after the loop.
func loopSends(items []int) {
	c := make(chan int, 4)
	go func() {
		for v := range c { // want `nothing closes c`
			process(v)
		}
	}()
	for _, it := range items {
		if it > 0 {
			c <- it
		}
	}
	fmt.Println("sent")
}

// The function ranges, a single producer goroutine sends: close after its last send.
func producer(items []int) int {
	c := make(chan int)
	go func() {
		for _, it := range items {
			c <- it
		}
	}()
	total := 0
	for v := range c { // want `nothing closes c: this range never ends, and the function waits`
		total += v
	}
	return total
}

// Senders not waited for: closing anywhere could panic, so no fix.
func unwaited(items []int) {
	c := make(chan int)
	for _, it := range items {
		go func() { c <- it }()
	}
	go func() {
		for v := range c { // want `nothing closes c`
			process(v)
		}
	}()
}

// --- look-alikes that must stay silent ---

func closed() {
	ch := make(chan int)
	go func() {
		for v := range ch {
			process(v)
		}
	}()
	ch <- 1
	close(ch)
}

func closedInDeferredClosure() {
	ch := make(chan int)
	defer func() {
		close(ch)
	}()
	go func() {
		for v := range ch {
			process(v)
		}
	}()
	ch <- 1
}

func closedByWaiter(items []int) int {
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
	n := 0
	for v := range c {
		n += v
	}
	return n
}

// The loop leaves by itself.
func breaks() {
	ch := make(chan int)
	go func() {
		for v := range ch {
			if v == 2 {
				break
			}
		}
	}()
	ch <- 1
	ch <- 2
}

func returns() {
	ch := make(chan int)
	go func() {
		for v := range ch {
			if v == 2 {
				return
			}
		}
	}()
	ch <- 1
	ch <- 2
}

// A parameter is someone else's.
func param(ch chan int) {
	for v := range ch {
		process(v)
	}
}

// Handed to an unknown function: it may close it.
func handed() {
	ch := make(chan int)
	go fill(ch)
	for v := range ch {
		process(v)
	}
}

func fill(ch chan int) {
	ch <- 1
	close(ch)
}

// Nothing sends: that is blocked-receive's finding, not this one.
func nothingSends() {
	ch := make(chan int)
	go func() {
		for v := range ch {
			process(v)
		}
	}()
}

// Another goroutine receives in a loop: a close would make it spin, so no fix.
func mixedReceivers() {
	ch := make(chan int)
	go func() {
		for v := range ch { // want `nothing closes ch`
			process(v)
		}
	}()
	go func() {
		for {
			process(<-ch)
		}
	}()
	ch <- 1
}

// A producer goroutine and a consumer goroutine: the producer closes when done.
func pipeline(items []int) {
	c := make(chan int)
	go func() {
		for _, it := range items {
			c <- it
		}
	}()
	go func() {
		for v := range c { // want `nothing closes c`
			process(v)
		}
	}()
}

// The function fills a buffered channel, then drains it itself: close before the range.
func drainOwn(items []int) int {
	c := make(chan int, len(items))
	for _, it := range items {
		c <- it
	}
	total := 0
	for v := range c { // want `nothing closes c: this range never ends, and the function waits`
		total += v
	}
	return total
}
