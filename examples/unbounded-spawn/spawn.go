// Package unboundedspawn holds the goroutine handler of seed 000: a loop that
// starts goroutines until memory runs out.
package unboundedspawn

import "time"

// Spawn never waits: it starts sleeping goroutines as fast as it can.
func Spawn() {
	for {
		go func() { // leak: nothing in the loop waits
			time.Sleep(1 * time.Hour)
		}()
	}
}
