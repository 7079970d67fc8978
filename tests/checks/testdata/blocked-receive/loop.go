package blockedreceive

// The make is inside a loop: a defer there would pile up, so no fix.
func perItem(items []int) {
	for range items {
		ch := make(chan int)
		go func() {
			<-ch // want `nothing sends on or closes ch`
		}()
	}
}

// The goroutine receives in a loop: closing the channel would make it spin, so no fix.
func spinner() {
	ch := make(chan int)
	go func() {
		for {
			v := <-ch // want `nothing sends on or closes ch`
			println(v)
		}
	}()
}
