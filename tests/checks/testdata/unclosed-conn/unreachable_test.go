package unclosedconn

import (
	"net"
	"testing"
	"time"
)

func newLocalListener(t *testing.T, network string) net.Listener {
	ln, err := net.Listen(network, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// Nobody can dial ln (its port is the system's pick, its address never read): the Accept can only
// wait for its deadline (net's timeout tests).
func TestAcceptNobodyDials(t *testing.T) {
	ln := newLocalListener(t, "tcp")
	defer ln.Close()
	ch := make(chan error)
	go func() {
		if err := ln.(*net.TCPListener).SetDeadline(time.Now().Add(10 * time.Millisecond)); err != nil {
			t.Error(err)
		}
		_, err := ln.Accept()
		ch <- err
	}()
	t.Logf("accept: %v", <-ch)
}

// The same on port 0 directly.
func TestAcceptPortZero(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ln.(*net.TCPListener).SetDeadline(time.Now().Add(10 * time.Millisecond))
	_, err = ln.Accept()
	t.Logf("accept: %v", err)
}

// Look-alike: the test reads the address, so something may dial it.
func TestAcceptAddressRead(t *testing.T) {
	ln := newLocalListener(t, "tcp")
	defer ln.Close()
	go net.Dial("tcp", ln.Addr().String())
	_, err := ln.Accept() // want `discarded and never closed`
	t.Logf("accept: %v", err)
}

// Look-alike: a fixed port anyone can dial.
func TestAcceptFixedPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:8080")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, err = ln.Accept() // want `discarded and never closed`
	t.Logf("accept: %v", err)
}

func announce(ln net.Listener) { println(ln) }

// Look-alike: the listener is handed on: its address goes with it.
func TestAcceptHandedOn(t *testing.T) {
	ln := newLocalListener(t, "tcp")
	defer ln.Close()
	announce(ln)
	_, err := ln.Accept() // want `discarded and never closed`
	t.Logf("accept: %v", err)
}
