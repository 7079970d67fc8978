package endlessgoroutine

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"
)

// Seed 004: go worker(ch), with worker declared in another file of the package.
func startWorker() {
	ch := make(chan int)
	go worker(ch) // want `the goroutine runs worker \(in worker.go\), whose loop never ends`
	ch <- 1
}

// Declared in this file.
func startPoller() {
	go poll(time.Second) // want `the goroutine runs poll, whose loop never ends`
}

// A literal with an endless loop after some setup.
func startLiteral(jobs chan func()) {
	go func() { // want `the goroutine runs an endless loop \(its .for. has no condition`
		fmt.Println("started")
		for {
			job := <-jobs
			job()
		}
	}()
}

// A select without a way out.
func startSelect(a, b chan int) {
	go func() { // want `the goroutine runs an endless loop`
		for {
			select {
			case v := <-a:
				fmt.Println(v)
			case v := <-b:
				fmt.Println(v)
			}
		}
	}()
}

// break only leaves the select, not the loop.
func breakSelect(a chan int) {
	go func() { // want `the goroutine runs an endless loop`
		for {
			select {
			case v := <-a:
				if v < 0 {
					break
				}
			}
		}
	}()
}

func poll(d time.Duration) {
	for {
		time.Sleep(d)
	}
}

// --- look-alikes that must stay silent ---

func withContext(ctx context.Context, jobs chan func()) {
	go func() {
		for {
			select {
			case job := <-jobs:
				job()
			case <-ctx.Done():
				return
			}
		}
	}()
}

func withDone(jobs chan func(), done chan struct{}) {
	go func() {
	loop:
		for {
			select {
			case job := <-jobs:
				job()
			case <-done:
				break loop
			}
		}
		fmt.Println("stopped")
	}()
}

func withClosedCheck(jobs chan func()) {
	go func() {
		for {
			job, ok := <-jobs
			if !ok {
				return
			}
			job()
		}
	}()
}

func rangeLoop(jobs chan func()) {
	go func() {
		for job := range jobs {
			job()
		}
	}()
}

func condition(n int) {
	go func() {
		for i := 0; i < n; i++ {
			fmt.Println(i)
		}
	}()
}

func exits() {
	go func() {
		for {
			time.Sleep(time.Second)
			if _, err := os.Stat("stop"); err == nil {
				os.Exit(0)
			}
		}
	}()
}

func panics(ch chan int) {
	go func() {
		for {
			if v := <-ch; v < 0 {
				panic("negative")
			}
		}
	}()
}

// Started once for the life of the process.
var once sync.Once

func background() {
	once.Do(func() {
		go poll(time.Minute)
	})
}

func init() {
	go poll(time.Hour)
}

// A method whose name no other type of the package uses.
type listener struct{ conns chan int }

func (l *listener) serve() {
	for {
		fmt.Println(<-l.conns)
	}
}

func startMethod() {
	l := &listener{conns: make(chan int)}
	go l.serve() // want `the goroutine runs serve, whose loop never ends`
}

// Two types share the method name: which one runs is a matter of types.
type a struct{}
type b struct{}

func (a) run() {
	for {
		time.Sleep(time.Second)
	}
}

func (b) run() {}

func ambiguous() {
	var x a
	go x.run()
	f := poll
	go f(time.Second)
}

// An endless loop inside a nested function literal is not the goroutine's.
func nested(ch chan func()) {
	go func() {
		handler := func() {
			for {
				(<-ch)()
			}
		}
		_ = handler
	}()
}
