// Package blockedsend holds the two blocked-send patterns of seed 001: the
// premature function return and the timeout leak.
package blockedsend

import (
	"errors"
	"time"
)

func slowLookup(key string) (string, error) {
	time.Sleep(50 * time.Millisecond)
	return key + "=1", nil
}

// Lookup returns early on an empty key while the goroutine still works:
// its send then blocks forever.
func Lookup(key string) (string, error) {
	type result struct {
		val string
		err error
	}
	c := make(chan result) // leak: returns before receiving
	go func() {
		v, err := slowLookup(key)
		c <- result{v, err}
	}()
	if key == "" {
		return "", errors.New("empty key")
	}
	r := <-c
	return r.val, r.err
}

// LookupTimeout gives up after d; the goroutine's late send blocks forever.
func LookupTimeout(key string, d time.Duration) (string, error) {
	done := make(chan string) // leak: the select leaves on the timeout
	go func() {
		v, _ := slowLookup(key)
		done <- v
	}()
	select {
	case v := <-done:
		return v, nil
	case <-time.After(d):
		return "", errors.New("timeout")
	}
}
