package deferinloop

import (
	"os"
	"sync"
	"testing"
)

// A test's deferred restores in a loop are postponed on purpose: no note.
func TestRestores(t *testing.T) {
	var wg sync.WaitGroup
	for _, k := range []string{"A", "B"} {
		os.Setenv(k, "1")
		defer os.Unsetenv(k)
		wg.Add(1)
		defer wg.Wait()
		go wg.Done()
	}
	for _, d := range []string{"x", "y"} {
		if err := os.Chmod(d, 0o555); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(d, 0o777)
	}
}

// A release of what the body does not own (a channel made outside it) is not the body's resource.
func TestReadyChannels(t *testing.T) {
	var ready chan struct{}
	for i := 0; i < 2; i++ {
		ready = make(chan struct{})
		inPanic := true
		defer func() {
			if inPanic {
				t.Log("panicked")
			}
			close(ready)
		}()
		inPanic = false
	}
	// A resource of the iteration is still found in a test.
	for _, name := range os.Args {
		f, err := os.Open(name)
		if err != nil {
			continue
		}
		defer f.Close() // want `stays open`
	}
}
