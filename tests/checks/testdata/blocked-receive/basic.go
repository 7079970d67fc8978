package blockedreceive

import (
	"context"
	"fmt"
	"time"
)

// Seed 003: the goroutine waits for a value that never comes.
func leak() {
	ch := make(chan int)
	go func() {
		<-ch // want `nothing sends on or closes ch: the goroutine that receives from ch blocks forever`
		fmt.Println("Goroutine finish")
	}()
}

// Seed 004's main, with the worker written inline.
func worker() {
	ch := make(chan int)
	go func() {
		for val := range ch { // want `nothing sends on or closes ch: .* ranges over ch`
			fmt.Println(val)
		}
	}()
}

// Handed to the goroutine as an argument.
func asArgument() {
	stop := make(chan struct{})
	go func(s <-chan struct{}) {
		v, ok := <-s // want `nothing sends on or closes stop`
		fmt.Println(v, ok)
	}(stop)
}

// A select with a single case blocks just the same.
func singleCase() {
	quit := make(chan bool, 1)
	go func() {
		select {
		case <-quit: // want `nothing sends on or closes quit`
		}
	}()
}

// --- look-alikes that must stay silent ---

func sent() {
	ch := make(chan int)
	go func() {
		<-ch
	}()
	ch <- 1
}

func closedByDefer() {
	ch := make(chan int)
	defer close(ch)
	go func() {
		<-ch
	}()
}

func closedInDeferredClosure() {
	done := make(chan struct{})
	defer func() { close(done) }()
	go func() {
		<-done
	}()
}

// The goroutine also watches a context.
func withContext(ctx context.Context) {
	ch := make(chan int)
	go func() {
		select {
		case v := <-ch:
			fmt.Println(v)
		case <-ctx.Done():
		}
	}()
}

func withDefault() {
	ch := make(chan int)
	go func() {
		select {
		case <-ch:
		default:
		}
	}()
}

func withTimeout() {
	ch := make(chan int)
	go func() {
		select {
		case <-ch:
		case <-time.After(time.Second):
		}
	}()
}

// Returned: the caller sends.
func returned() chan<- int {
	ch := make(chan int)
	go func() { fmt.Println(<-ch) }()
	return ch
}

// A goroutine of the function sends.
func sentByGoroutine() {
	ch := make(chan int)
	go func() { <-ch }()
	go func() { ch <- 1 }()
}

// Stored in a struct: someone else's.
type server struct{ quit chan struct{} }

func stored() *server {
	quit := make(chan struct{})
	go func() { <-quit }()
	return &server{quit: quit}
}

// Passed to a named function: it may send.
func passed() {
	ch := make(chan int)
	go func() { <-ch }()
	feed(ch)
}

func feed(ch chan int) { ch <- 1 }

// A parameter is someone else's.
func param(ch chan int) {
	go func() { <-ch }()
}

// The function itself receives: not a goroutine.
func own() {
	ch := make(chan int, 1)
	ch <- 1
	<-ch
}
