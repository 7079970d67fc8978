package ncastsend

import (
	"sync"
	"time"
)

func process(i int) int {
	time.Sleep(time.Millisecond)
	return i * 2
}

// Seed 001, the NCast leak: the channel is handed to each goroutine.
func first(items []int) any {
	c := make(chan any) // want `c is unbuffered and received once, but a loop starts a goroutine per iteration`
	for _, i := range items {
		go func(c chan any) {
			c <- process(i)
		}(c)
	}
	data := <-c
	return data
}

// A counted loop.
func anyOf(n int) int {
	results := make(chan int) // want `results is unbuffered and received once`
	for i := 0; i < n; i++ {
		go func() {
			results <- process(i)
		}()
	}
	return <-results
}

// The collection is declared after the make: len(names) is not valid there, no fix.
func lateCollection() string {
	out := make(chan string) // want `out is unbuffered and received once`
	names := []string{"a", "b", "c"}
	for _, name := range names {
		go func() { out <- name }()
	}
	return <-out
}

// Ranging over a channel: no count to name, no fix.
func fromChannel(src chan int) int {
	out := make(chan int) // want `out is unbuffered and received once`
	for v := range src {
		go func() { out <- process(v) }()
	}
	return <-out
}

// The first answer wins, or a timeout: still one receive.
func fastest(addrs []string, d time.Duration) string {
	winner := make(chan string) // want `winner is unbuffered and received once`
	for _, a := range addrs {
		go func() { winner <- a }()
	}
	select {
	case w := <-winner:
		return w
	case <-time.After(d):
		return ""
	}
}

// --- look-alikes that must stay silent ---

func bufferedPerItem(items []int) int {
	c := make(chan int, len(items))
	for _, i := range items {
		go func() { c <- process(i) }()
	}
	return <-c
}

// A receive per sender.
func gather(items []int) []int {
	c := make(chan int)
	for _, i := range items {
		go func() { c <- process(i) }()
	}
	out := make([]int, 0, len(items))
	for range items {
		out = append(out, <-c)
	}
	return out
}

// Worker pool bounded by a WaitGroup, drained by range.
func pool(items []int) int {
	var wg sync.WaitGroup
	c := make(chan int)
	for _, i := range items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c <- process(i)
		}()
	}
	go func() {
		wg.Wait()
		close(c)
	}()
	total := 0
	for v := range c {
		total += v
	}
	return total
}

// A new channel per iteration: one sender, one receive.
func perIteration(items []int) int {
	total := 0
	for _, i := range items {
		c := make(chan int)
		go func() { c <- process(i) }()
		total += <-c
	}
	return total
}

// The goroutines select on a done channel.
func cancellable(items []int) int {
	c := make(chan int)
	done := make(chan struct{})
	defer close(done)
	for _, i := range items {
		go func() {
			select {
			case c <- process(i):
			case <-done:
			}
		}()
	}
	return <-c
}
