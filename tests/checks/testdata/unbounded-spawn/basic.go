package unboundedspawn

import (
	"context"
	"net"
	"sync"
	"time"
)

// Seed 000: goroutines until memory runs out.
func spawn() {
	for {
		go func() { // want `goroutines are started without bound: the enclosing .for. has no condition`
			time.Sleep(time.Hour)
		}()
	}
}

func handle(n int) { time.Sleep(time.Duration(n) * time.Hour) }

// A counter is no bound.
func counted() {
	i := 0
	for {
		i++
		go handle(i) // want `goroutines are started without bound`
	}
}

// --- look-alikes that must stay silent ---

// The accept loop blocks on Accept.
func serve(l net.Listener) {
	for {
		conn, err := l.Accept()
		if err != nil {
			continue
		}
		go func() {
			defer conn.Close()
		}()
	}
}

// A semaphore bounds it.
func semaphore(jobs []int) {
	sem := make(chan struct{}, 4)
	i := 0
	for {
		sem <- struct{}{}
		go func() {
			defer func() { <-sem }()
			handle(i)
		}()
		i++
	}
}

// Jobs arrive on a channel.
func fromChannel(jobs chan int) {
	for {
		j := <-jobs
		go handle(j)
	}
}

func withSelect(ctx context.Context, jobs chan int) {
	for {
		select {
		case j := <-jobs:
			go handle(j)
		case <-ctx.Done():
			return
		}
	}
}

func withSleep() {
	for {
		time.Sleep(time.Second)
		go handle(1)
	}
}

func waited() {
	var wg sync.WaitGroup
	for {
		wg.Add(1)
		go func() {
			defer wg.Done()
			handle(0)
		}()
		wg.Wait()
	}
}

// A loop with a condition is bounded.
func bounded(n int) {
	for i := 0; i < n; i++ {
		go handle(i)
	}
}

// The loop breaks out.
func breaks() {
	i := 0
	for {
		if i > 10 {
			break
		}
		i++
		go handle(i)
	}
}
