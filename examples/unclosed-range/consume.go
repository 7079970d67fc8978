// Package unclosedrange holds the channel iteration misuse of seeds 001 and
// 002: a range over a channel nothing closes.
package unclosedrange

import (
	"fmt"
	"sync"
)

// Sum waits for its senders, but the ranging goroutine is never released.
func Sum(items []int) {
	wg := &sync.WaitGroup{}
	c := make(chan int, 1)
	for _, i := range items {
		wg.Add(1)
		go func() {
			c <- i
		}()
	}
	go func() {
		for data := range c { // leak: nothing closes c
			fmt.Println(data)
			wg.Done()
		}
	}()
	wg.Wait()
}

// Send sends two values to a printer goroutine and forgets to close.
func Send() {
	ch := make(chan int)
	go func() {
		for v := range ch { // leak: nothing closes ch
			fmt.Println(v)
		}
	}()
	ch <- 1
	ch <- 2
}
