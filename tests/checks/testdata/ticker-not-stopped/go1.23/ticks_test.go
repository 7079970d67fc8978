package ticker

import (
	"testing"
	"time"
)

// From go 1.23 the test's ticker is collected once the test drops it: no finding.
func TestReadsTicks(t *testing.T) {
	tick := time.NewTicker(time.Millisecond)
	for i := 0; i < 3; i++ {
		<-tick.C
	}
}

// A goroutine that reads the channel for ever keeps the ticker alive past the test.
func TestTicksForEver(t *testing.T) {
	tick := time.NewTicker(time.Millisecond) // want `tick is never stopped.*a goroutine reads its channel for ever`
	go func() {
		for range tick.C {
			work()
		}
	}()
}
