package deferinloop

import (
	"net"
	"sync"
)

// The loop's purpose is to hold every iteration's value until the function is told to stop.

// A test server that keeps n connections open until stop (etcd's testBlockingServer.Start).
func holdUntilStopped(ln net.Listener, n int, stop chan struct{}) {
	for i := 0; i < n; i++ {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
	}
	<-stop
}

// The same, waiting for a group, and a bare return after the wait.
func holdUntilDone(addrs []string, wg *sync.WaitGroup) {
	for _, addr := range addrs {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			continue
		}
		defer conn.Close()
	}
	wg.Wait()
	return
}

// Look-alike: the function works after the loop before it waits: the connections are held through it.
func workThenWait(ln net.Listener, n int, stop chan struct{}) {
	for i := 0; i < n; i++ {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close() // want `defer conn.Close\(\) in a loop`
	}
	println("accepted")
	<-stop
}

// Look-alike: each connection is used in its iteration: the wait holds what should have been closed.
func usedThenWait(ln net.Listener, n int, stop chan struct{}) {
	for i := 0; i < n; i++ {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close() // want `defer conn.Close\(\) in a loop`
		conn.Write([]byte("hello"))
	}
	<-stop
}

// Its author says so on the line (the runtime's proc_test.go).
func acknowledged(addrs []string) {
	for _, addr := range addrs {
		ln, err := net.Listen("tcp", addr)
		if err == nil {
			defer ln.Close() // yup, defer in a loop
		}
		println(addr)
	}
}

// Look-alike: a comment that does not say it.
func commented(addrs []string) {
	for _, addr := range addrs {
		ln, err := net.Listen("tcp", addr)
		if err == nil {
			defer ln.Close() // close the listener // want `defer ln.Close\(\) in a loop`
		}
		println(addr)
	}
}
