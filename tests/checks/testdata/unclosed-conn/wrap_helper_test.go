package unclosedconn

import (
	"crypto/tls"
	"net"
	"testing"
)

// pipePair's conns are closed by the test's cleanup (crypto/tls/handshake_test.go's localPipe).
func pipePair(t *testing.T) (net.Conn, net.Conn) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c1, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c2, err := ln.Accept()
	if err != nil {
		c1.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { c1.Close() })
	t.Cleanup(func() { c2.Close() })
	return c1, c2
}

// The helper's conn wrapped: the cleanup closes what the TLS client holds.
func TestHandshakeFails(t *testing.T) {
	c, _ := pipePair(t)
	cli := tls.Client(c, &tls.Config{})
	if err := cli.Handshake(); err == nil {
		t.Fatal("want an error")
	}
}

// The function's own conn wrapped, and neither closed.
func TestOwnWrapped(t *testing.T) {
	c, err := net.Dial("tcp", "127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	cli := tls.Client(c, &tls.Config{}) // want `cli is never closed`
	if err := cli.Handshake(); err != nil {
		t.Log(err)
	}
}
