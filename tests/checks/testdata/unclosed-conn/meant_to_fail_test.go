package unclosedconn

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
)

var errClosedIdle = errors.New("closed idle")

func isNothingWritten(err error) bool { return err != nil && strings.Contains(err.Error(), "nothing") }

// net/error_test.go: a table of calls given bad addresses; the check after the switch, then continue.
func TestDialErrors(t *testing.T) {
	for _, network := range []string{"tcp", "udp", "unix"} {
		var err error
		switch network {
		case "tcp":
			_, err = net.DialTCP(network, nil, &net.TCPAddr{Port: 1 << 16})
		case "udp":
			_, err = net.DialUDP(network, nil, &net.UDPAddr{Port: 1 << 16})
		default:
			_, err = net.DialUnix(network, nil, &net.UnixAddr{Name: "//"})
		}
		if err == nil {
			t.Errorf("%s: should fail", network)
			continue
		}
		t.Logf("%s: error as expected: %v", network, err)
	}
}

// net/interface_unix_test.go: an address that names a missing zone, both results dropped.
func TestMissingZone(t *testing.T) {
	_, _ = net.Listen("tcp", "[fe80::1%nonexistent]:0")
}

// net/tcpsock_test.go: Accept after Close must fail; the odd success is closed and reported.
func TestAcceptAfterClose(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	c, err := ln.Accept()
	if !errors.Is(err, net.ErrClosed) {
		if err == nil {
			c.Close()
		}
		t.Errorf("after Close, Accept = _, %v; want %v", err, net.ErrClosed)
	}
}

// database/sql's tests: an unrelated statement between the call and the check of its error.
func checkStatementBetween(t *testing.T, ln net.Listener) {
	_, err := ln.Accept()
	ln.Close()
	if err != os.ErrDeadlineExceeded {
		t.Fatalf("got %v; want a deadline error", err)
	}
}

// net/http's transport_internal_test.go: success satisfies every conjunct, so the test fails.
func TestConjunction(t *testing.T) {
	_, err := net.Dial("tcp", "127.0.0.1:1")
	if !isNothingWritten(err) && err != errClosedIdle {
		t.Errorf("Dial = %v; want a nothing-written or closed-idle error", err)
	}
}

// err.Error() with no nil check: success would panic, so the call must fail.
func TestErrorText(t *testing.T) {
	_, err := net.Dial("tcp", "127.0.0.1:1")
	if got := err.Error(); !strings.Contains(got, "refused") {
		t.Fatalf("error = %q; want a refusal", got)
	}
}

// The formatted error compared with the message the test wants (net/http's client_test.go).
func TestErrorMessage(t *testing.T) {
	_, err := net.Dial("tcp", "127.0.0.1:1")
	if e, g := "dial tcp 127.0.0.1:1: connect: connection refused", fmt.Sprintf("%v", err); e != g {
		t.Errorf("expected error %q, got %q", e, g)
	}
	want := "dial tcp 127.0.0.1:2: connect: connection refused"
	_, err = net.Dial("tcp", "127.0.0.1:2")
	if got := fmt.Sprint(err); got != want {
		t.Errorf("error = %v; want %q", err, want)
	}
}

// A type assertion on the error: on success ok is false, so the test fails.
func TestErrorType(t *testing.T) {
	_, err := net.Dial("tcp", "127.0.0.1:1")
	if oe, ok := err.(*net.OpError); !ok || oe.Op != "dial" {
		t.Fatalf("Dial error = %v; want a dial *net.OpError", err)
	}
}

// A wanted error made in the test (net/http's transport_test.go): errors.New is never nil.
func TestMadeError(t *testing.T) {
	wantErr := errors.New("some error")
	_, err := net.Dial("tcp", "127.0.0.1:1")
	if err != wantErr {
		t.Errorf("error = %v; want %v", err, wantErr)
	}
}

// --- still flagged: success is not the odd case ---

type dialCase struct {
	addr    string
	wantErr error
}

// The wanted error may be nil (a table of successes and failures): the conn may be real.
func checkTable(t *testing.T, tt dialCase) {
	c, err := net.Dial("tcp", tt.addr) // want `c is never closed`
	if err != tt.wantErr {
		t.Fatalf("got %v, want %v", err, tt.wantErr)
	}
	fmt.Println(c.LocalAddr())
}

// A probe: success is a normal answer, and the listener it opened stays open.
func portFree(addr string) bool {
	if _, err := net.Listen("tcp", addr); err == nil { // want `never closed`
		return true
	}
	return false
}

// The message compared is the nil error's own text: success passes the check.
func TestNilText(t *testing.T) {
	c, err := net.Dial("tcp", "127.0.0.1:1") // want `c is never closed`
	if got := fmt.Sprint(err); got != "<nil>" {
		t.Fatalf("error = %v", got)
	}
	fmt.Println(c.LocalAddr())
}

// The error is checked the ordinary way.
func TestOrdinary(t *testing.T) {
	c, err := net.Dial("tcp", "127.0.0.1:1") // want `c is never closed`
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println(c.LocalAddr())
}
