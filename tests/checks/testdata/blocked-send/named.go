package blockedsend

import (
	"errors"
	"time"
)

func compute(x int) error {
	if x < 0 {
		return errors.New("negative")
	}
	return nil
}

// The goroutine runs a function of the file that sends once on its parameter.
func sendResult(x int, errc chan error) {
	time.Sleep(time.Millisecond)
	errc <- compute(x)
}

func withDeadline(x int) error {
	errc := make(chan error) // want `errc is unbuffered: the goroutine that sends on it blocks forever on its send when the select leaves on .<-time.After`
	go sendResult(x, errc)
	select {
	case err := <-errc:
		return err
	case <-time.After(time.Microsecond):
		return errors.New("timeout")
	}
}

func sleepThenSend(d time.Duration, done chan<- struct{}) {
	time.Sleep(d)
	done <- struct{}{}
}

func waitOrGiveUp(d time.Duration) bool {
	done := make(chan struct{}) // want `done is unbuffered: the goroutine that sends on it blocks forever on its send when the function returns before receiving`
	go sleepThenSend(d, done)
	if d > 0 {
		return false
	}
	<-done
	return true
}

// Look-alikes that stay silent.

// The function always receives.
func always(x int) error {
	errc := make(chan error)
	go sendResult(x, errc)
	return <-errc
}

// The goroutine function hands the channel on: someone else's.
func forward(x int, errc chan error) {
	go sendResult(x, errc)
}

func handedToForward(x int) error {
	errc := make(chan error)
	go forward(x, errc)
	select {
	case err := <-errc:
		return err
	case <-time.After(time.Second):
		return errors.New("timeout")
	}
}

// The goroutine function selects on a done channel too: not a plain send.
func sendOrQuit(x int, errc chan error, quit chan struct{}) {
	select {
	case errc <- compute(x):
	case <-quit:
	}
}

func withQuit(x int) error {
	errc := make(chan error)
	quit := make(chan struct{})
	defer close(quit)
	go sendOrQuit(x, errc, quit)
	select {
	case err := <-errc:
		return err
	case <-time.After(time.Second):
		return errors.New("timeout")
	}
}
