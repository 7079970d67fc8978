package main

import "time"

func ticker() {
	for {
		time.Sleep(time.Second)
	}
}

// One goroutine for the life of the process.
func main() {
	go ticker()
	go func() {
		for {
			time.Sleep(time.Second)
		}
	}()
	time.Sleep(10 * time.Millisecond)
}
