package blockedsend

import "net"

// etcd pkg/transport/listener_test.go (fixed): the select receives from one of the goroutines'
// channels; whichever is ready first wins, and the other goroutine blocks on its send for ever.
func dialOrAccept(ln net.Listener, dial func() error) error {
	chClientErr := make(chan error) // want `chClientErr is unbuffered: .* when the select leaves on .*chAccept`
	go func() {
		chClientErr <- dial()
	}()
	chAcceptErr := make(chan error)     // want `chAcceptErr is unbuffered`
	chAcceptConn := make(chan net.Conn) // want `chAcceptConn is unbuffered`
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			chAcceptErr <- err
		} else {
			chAcceptConn <- conn
		}
	}()
	select {
	case err := <-chClientErr:
		return err
	case err := <-chAcceptErr:
		return err
	case conn := <-chAcceptConn:
		return conn.Close()
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
