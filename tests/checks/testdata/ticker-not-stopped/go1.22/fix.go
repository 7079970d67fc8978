package ticker

import "time"

func fixTicker(d time.Duration) int {
	t := time.NewTicker(d) // want `t is never stopped`
	n := 0
	for range t.C {
		n++
		if n == 3 {
			return n
		}
	}
	return n
}

func fixTimer(d time.Duration, done chan struct{}) bool {
	timer := time.NewTimer(d) // want `timer is never stopped`
	select {
	case <-timer.C:
		return true
	case <-done:
		return false
	}
}
