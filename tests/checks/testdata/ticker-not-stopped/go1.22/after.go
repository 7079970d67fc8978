package ticker

import (
	"os"
	"sync"
	"time"
)

// Before go 1.23, a timer made afresh every round of a loop's select lives until it fires.
func afterInLoop(ch <-chan int) {
	for {
		select {
		case v := <-ch:
			_ = v
		case <-time.After(time.Minute): // want `time.After in a select in a loop makes a new timer every round`
			return
		}
	}
}

func newTimerInLoop(ch <-chan int) {
	for {
		select {
		case <-ch:
		case <-time.NewTimer(time.Minute).C: // want `time.NewTimer\(d\).C in a select in a loop`
			return
		}
	}
}

// --- look-alikes that must stay silent ---

// Waited for: it has fired by the next statement.
func sleepLike(d time.Duration) {
	<-time.After(d)
	<-time.NewTimer(d).C
}

// One select, no loop: one timer per call.
func once(ch <-chan int) bool {
	select {
	case <-ch:
		return true
	case <-time.After(time.Second):
		return false
	}
}

// An AfterFunc timer runs its function once, then holds nothing.
func later(f func()) {
	time.AfterFunc(time.Second, f)
	t := time.AfterFunc(time.Minute, f)
	_ = t
}

var setup sync.Once

// Once per process, or right before it exits: the ticker lives as long as the process anyway.
func startOnce() {
	setup.Do(func() {
		t := time.NewTicker(time.Second)
		go func() {
			for range t.C {
			}
		}()
	})
}

func init() {
	t := time.NewTicker(time.Second)
	go func() {
		for range t.C {
		}
	}()
}

func beforeExit(d time.Duration) {
	t := time.NewTimer(d)
	select {
	case <-t.C:
	default:
	}
	os.Exit(2)
}
