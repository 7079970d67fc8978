package daemon

import "testing"

// An example shows a program's main: its reloader runs for the life of the program.
func ExampleStart() {
	go func() {
		for {
			tick()
		}
	}()
}

// A test is not the process: its spinning goroutine outlives it.
func TestSpin(t *testing.T) {
	go func() { // want `the goroutine runs an endless loop`
		for {
			tick()
		}
	}()
}
