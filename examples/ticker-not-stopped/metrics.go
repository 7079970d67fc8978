// Package tickernotstopped holds the ticker patterns of seeds 000 and 002:
// tickers never stopped, read by goroutines that never end.
package tickernotstopped

import (
	"fmt"
	"runtime"
	"time"
)

// CollectMetrics starts a ticker that nothing ever stops (seed 002).
func CollectMetrics() {
	ticker := time.NewTicker(10 * time.Second) // leak: never stopped
	go func() {                                // leak: the range over ticker.C never ends (seed 002: a goroutine that never ends)
		for range ticker.C {
			fmt.Println(runtime.NumGoroutine())
		}
	}()
}

// WaitTicks waits for n ticks and returns, leaving the ticker running.
func WaitTicks(n int) {
	t := time.NewTicker(time.Second) // leak: never stopped
	for i := 0; i < n; i++ {
		<-t.C
	}
}
