package ticker

import (
	"context"
	"fmt"
	"time"
)

type poller struct {
	t *time.Ticker
}

var global *time.Timer

func work() {}

func neverStopped(d time.Duration) {
	t := time.NewTicker(d) // want `t is never stopped: before Go 1.23 the runtime keeps the ticker made by time.NewTicker`
	for i := 0; i < 3; i++ {
		<-t.C
	}
}

func timerInSelect(d time.Duration, done <-chan struct{}) {
	timer := time.NewTimer(d) // want `timer is never stopped: .*timer made by time.NewTimer`
	select {
	case <-timer.C:
	case <-done:
	}
}

// Seed 002: the ticker outlives the function, read by a goroutine that never ends.
func collectMetrics() {
	ticker := time.NewTicker(10 * time.Second) // want `ticker is never stopped.*a goroutine reads its channel for ever`
	go func() {
		for range ticker.C {
			work()
		}
	}()
}

func tick(ctx context.Context) {
	for {
		select {
		case <-time.Tick(time.Second): // want `time.Tick makes a ticker that can never be stopped`
			work()
		case <-ctx.Done():
			return
		}
	}
}

func tickOnce() {
	<-time.Tick(time.Millisecond) // want `time.Tick`
}

// --- look-alikes that must stay silent ---

func deferred(d time.Duration) {
	t := time.NewTicker(d)
	defer t.Stop()
	<-t.C
}

func stoppedInDeferredClosure(d time.Duration) {
	t := time.NewTimer(d)
	defer func() {
		if !t.Stop() {
			fmt.Println("already fired")
		}
	}()
	work()
}

func stoppedInGoroutine(ctx context.Context, d time.Duration) {
	t := time.NewTicker(d)
	go func() {
		defer t.Stop()
		for {
			select {
			case <-t.C:
				work()
			case <-ctx.Done():
				return
			}
		}
	}()
}

func stored(d time.Duration) *poller {
	t := time.NewTicker(d)
	return &poller{t: t}
}

func storedField(p *poller, d time.Duration) {
	t := time.NewTicker(d)
	p.t = t
}

func storedGlobal(d time.Duration) {
	t := time.NewTimer(d)
	global = t
}

func returned(d time.Duration) *time.Timer {
	t := time.NewTimer(d)
	return t
}

func passed(d time.Duration) {
	t := time.NewTicker(d)
	stopLater(t)
}

func stopLater(t *time.Ticker) { t.Stop() }

func fired(d time.Duration) {
	t := time.NewTimer(d)
	<-t.C
}

func firedInIf(d time.Duration) bool {
	t := time.NewTimer(d)
	if v := <-t.C; v.IsZero() {
		return false
	}
	return true
}

func firesAtOnce(done chan struct{}) {
	t := time.NewTimer(time.Nanosecond)
	select {
	case <-t.C:
	case <-done:
	}
}

func noTicker() <-chan time.Time {
	return time.Tick(-1)
}

func tickForever() {
	for range time.Tick(time.Second) {
		work()
	}
}

func tickLoop() {
	c := time.Tick(time.Minute)
	for {
		<-c
		work()
	}
}

func main() {
	for now := range time.Tick(time.Second) {
		fmt.Println(now)
		if now.IsZero() {
			break
		}
	}
}

func init() {
	go func() {
		for range time.Tick(time.Hour) {
			work()
		}
	}()
}
