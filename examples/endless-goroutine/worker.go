// Package endlessgoroutine holds the workers of seeds 002 and 004: goroutines
// whose loop has no way out.
package endlessgoroutine

import "fmt"

// worker blocks on a receive forever once nothing sends.
func worker(ch <-chan int) {
	for {
		val := <-ch
		fmt.Println(val)
	}
}

// Start runs a worker per call; none of them ever stops.
func Start() chan<- int {
	ch := make(chan int)
	go worker(ch) // leak: worker's loop never ends
	return ch
}

// Watch polls a channel forever.
func Watch(events chan string) {
	go func() { // leak: the loop has no exit
		for {
			select {
			case e := <-events:
				fmt.Println(e)
			}
		}
	}()
}
