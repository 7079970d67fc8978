package endlessgoroutine

import "fmt"

// Seed 004's worker: it blocks on a receive forever once nothing sends.
func worker(ch <-chan int) {
	for {
		val := <-ch
		fmt.Println(val)
	}
}
