package endlessgoroutine

import (
	"os"
	"sync/atomic"
	"syscall"
)

var status atomic.Int32

func spin() {
	for {
		status.Add(1)
	}
}

// Started exactly once: the branch a CompareAndSwap takes once (runtime/mfinal.go's createfing).
func startOnce() {
	if status.Load() == 0 && status.CompareAndSwap(0, 1) {
		go spin()
	}
}

// The process is replaced right after (cmd/cgo's issue18146 test): the spinning goroutines end with it.
func reexec(n int, argv []string) {
	for i := 0; i < n; i++ {
		go func() {
			for {
				status.Add(1)
			}
		}()
	}
	if err := syscall.Exec(argv[0], argv, os.Environ()); err != nil {
		panic(err)
	}
}

// Every call: a CompareAndSwap that fails starts one per call.
func everyFailure() {
	if !status.CompareAndSwap(0, 1) {
		go spin() // want `runs spin`
	}
}
