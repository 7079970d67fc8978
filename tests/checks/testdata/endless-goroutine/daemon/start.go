package daemon

import (
	"log"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func tick() { time.Sleep(time.Millisecond) }

// Started once from init (in callers.go): the process's own daemon.
func startSweeper() {
	go func() {
		for {
			tick()
		}
	}()
}

// Called once from a function that init calls once: still one per process.
func startAll() {
	startSweeper()
	startFlusher()
}

func startFlusher() {
	go flushLoop()
}

func flushLoop() {
	for {
		tick()
	}
}

// A lazy guard on a package-level variable the function then sets.
var wake chan struct{}

func ensureWaker() {
	if wake != nil {
		return
	}
	wake = make(chan struct{})
	go func() {
		for {
			tick()
		}
	}()
}

// Behind a won CompareAndSwap: exactly once.
var started atomic.Bool

func startOnce() {
	if started.CompareAndSwap(false, true) {
		go flushLoop()
	}
}

// Under a sync.Once.
var once sync.Once

func startWithOnce() {
	once.Do(func() {
		go flushLoop()
	})
}

// Right before the process ends.
func reexec() {
	for i := 0; i < 4; i++ {
		go func() {
			for {
				tick()
			}
		}()
	}
	if err := syscall.Exec("/bin/true", nil, os.Environ()); err != nil {
		log.Fatal(err)
	}
}

// A pool bounded by a package-level counter the loop increments.
var workers, maxWorkers = 0, 4

func grow() {
	for workers < maxWorkers {
		go flushLoop()
		workers++
	}
}

// Look-alikes that leak.

// Started per call of a function called in a loop.
func spawnPerItem() {
	go flushLoop() // want `the goroutine runs flushLoop, whose loop never ends`
}

// Called once from init and once per request: the second call site repeats.
func startShared() {
	go flushLoop() // want `the goroutine runs flushLoop, whose loop never ends`
}

// Used as a value: the callers are unknown.
func startHook() {
	go flushLoop() // want `the goroutine runs flushLoop, whose loop never ends`
}

// Exported: callers outside the package are unknown.
func Start() {
	go flushLoop() // want `the goroutine runs flushLoop, whose loop never ends`
}

// A return before the exit: the process may go on.
func maybeExit(quit bool) {
	go flushLoop() // want `the goroutine runs flushLoop, whose loop never ends`
	if !quit {
		return
	}
	os.Exit(0)
}

// A negated CompareAndSwap: the branch that lost runs again and again.
func startLost() {
	if !started.CompareAndSwap(false, true) {
		go flushLoop() // want `the goroutine runs flushLoop, whose loop never ends`
	}
}

// A local counter: every call starts up to four more.
func growLocal() {
	n := 0
	for n < maxWorkers {
		go flushLoop() // want `the goroutine runs flushLoop, whose loop never ends`
		n++
	}
}

// Called only from a function that is itself called in a loop.
func startNested() {
	go flushLoop() // want `the goroutine runs flushLoop, whose loop never ends`
}
