// Package ncastsend holds the NCast leak of seed 001: one goroutine per
// mirror, one receive.
package ncastsend

import "time"

func fetch(mirror string) string {
	time.Sleep(10 * time.Millisecond)
	return "data from " + mirror
}

// Fastest asks every mirror and keeps the first answer: the other
// goroutines block on their sends forever.
func Fastest(mirrors []string) string {
	c := make(chan string) // leak: received once, sent len(mirrors) times
	for _, m := range mirrors {
		go func(c chan string) {
			c <- fetch(m)
		}(c)
	}
	return <-c
}
