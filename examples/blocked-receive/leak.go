// Package blockedreceive holds the unterminated goroutine of seed 003: it
// waits on a channel nothing sends on or closes.
package blockedreceive

import "fmt"

// Leak starts a goroutine that waits forever.
func Leak() {
	ch := make(chan int)
	go func() {
		<-ch // leak: nothing sends on or closes ch
		fmt.Println("Goroutine finish")
	}()
}
