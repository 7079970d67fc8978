package ticker

import (
	"testing"
	"time"
)

// internal/synctest's TestTimerRanInPast: the timer's channel is read, or the test fails: on the path
// that passes the timer has fired and holds nothing.
func TestTimerFiredOrFailed(t *testing.T) {
	tm := time.NewTimer(time.Second)
	time.Sleep(2 * time.Second)
	select {
	case got := <-tm.C:
		if got.IsZero() {
			t.Errorf("zero time")
		}
	default:
		t.Errorf("timer channel is not readable; want it to be")
	}
}

// Look-alikes: the other case passes, so the timer may still be pending when the test returns.
func TestTimerOrDone(t *testing.T) {
	done := make(chan struct{})
	close(done)
	tm := time.NewTimer(time.Second) // want `tm is never stopped`
	select {
	case <-tm.C:
		t.Log("fired")
	case <-done:
		t.Log("done first")
	}
}

// The default case only logs: the test passes with the timer pending.
func TestTimerOrDefault(t *testing.T) {
	tm := time.NewTimer(time.Second) // want `tm is never stopped`
	select {
	case <-tm.C:
	default:
		t.Log("not yet")
	}
}
