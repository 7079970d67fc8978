package blockedsend

import "errors"

// etcd pkg/transport/listener_test.go (fixed): the select receives from one of the goroutines'
// channels; whichever is ready first wins, and the other goroutine blocks on its send for ever.
func dialOrAccept(fail bool) error {
	chClientErr := make(chan error) // want `chClientErr is unbuffered: .* when the select leaves on .*chAccept`
	go func() {
		chClientErr <- errors.New("refused")
	}()
	chAcceptErr := make(chan error)   // want `chAcceptErr is unbuffered`
	chAcceptConn := make(chan string) // want `chAcceptConn is unbuffered`
	go func() {
		if fail {
			chAcceptErr <- errors.New("closed")
		} else {
			chAcceptConn <- "conn"
		}
	}()
	select {
	case err := <-chClientErr:
		return err
	case err := <-chAcceptErr:
		return err
	case conn := <-chAcceptConn:
		return errors.New(conn)
	}
}

// --- look-alikes that must stay silent ---

// done is closed by the sender itself, after its send completed: it cannot be ready first.
func doneAfterSend(work func() int) int {
	results := make(chan int)
	done := make(chan struct{})
	go func() {
		results <- work()
		close(done)
	}()
	select {
	case v := <-results:
		return v
	case <-done:
		return 0
	}
}

// Both channels are received in the end.
func both(a, b func() error) error {
	ea := make(chan error)
	eb := make(chan error)
	go func() { ea <- a() }()
	go func() { eb <- b() }()
	var first error
	select {
	case first = <-ea:
		<-eb
	case first = <-eb:
		<-ea
	}
	return first
}
