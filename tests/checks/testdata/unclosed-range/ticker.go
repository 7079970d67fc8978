package unclosedrange

import (
	"sync"
	"time"
)

// Seen in grpc-go's binary log sink (fixed in dd589923e1): Close stops the ticker, but Stop does not
// close its channel, so the flusher's range never ends and each closed sink leaks its goroutine.
type bufferedSink struct {
	mu          sync.Mutex
	writeTicker *time.Ticker
	pending     int
}

func (fs *bufferedSink) startFlushing() {
	fs.writeTicker = time.NewTicker(time.Minute)
}

func (fs *bufferedSink) Close() {
	if fs.writeTicker != nil {
		fs.writeTicker.Stop()
	}
}

func flushUntilClosed() {
	fs := &bufferedSink{}
	fs.startFlushing()
	go func() {
		for range fs.writeTicker.C { // want `nothing closes fs.writeTicker.C: Stop ends a ticker's ticks, not its channel`
			fs.mu.Lock()
			fs.pending = 0
			fs.mu.Unlock()
		}
	}()
	fs.Close()
}

// Look-alikes that stay silent.

// A local ticker's range in a goroutine: endless-goroutine's finding, not this check's.
func pollWhile(work func() bool) {
	t := time.NewTicker(time.Millisecond)
	defer t.Stop()
	go func() {
		for range t.C {
			_ = work()
		}
	}()
	for work() {
	}
}

// The goroutine leaves when told to.
func (fs *bufferedSink) startWithDone(done chan struct{}) {
	t := time.NewTicker(time.Minute)
	go func() {
		defer t.Stop()
		for {
			select {
			case <-t.C:
				fs.pending = 0
			case <-done:
				return
			}
		}
	}()
}

// The range leaves by itself.
func countTicks(n int) {
	t := time.NewTicker(time.Millisecond)
	defer t.Stop()
	go func() {
		for range t.C {
			n--
			if n == 0 {
				return
			}
		}
	}()
}

// Nothing stops the ticker: a daemon that ticks for ever, not this check's.
type daemon struct{ tick *time.Ticker }

func (d *daemon) start() {
	d.tick = time.NewTicker(time.Second)
	go func() {
		for range d.tick.C {
			d.beat()
		}
	}()
}

func (d *daemon) beat() {}

// Started once for the process.
var heartbeat = time.NewTicker(time.Second)

func init() {
	go func() {
		for range heartbeat.C {
		}
	}()
	_ = stopHeartbeat
}

func stopHeartbeat() { heartbeat.Stop() }

// Ranged by the function itself, not a goroutine (a loop of the caller's).
func waitTicks(t *time.Ticker) {
	defer t.Stop()
	for range t.C {
	}
}
