package unclosedconn

import (
	"net"
	"sync"
	"testing"
)

var (
	serverOnce sync.Once
	serverAddr string
)

// net/rpc's server_test.go: the test server is started once for the whole test binary, through
// once.Do with a function of its own; its listener lives as long as the process.
func startTestServer() {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	serverAddr = l.Addr().String()
	go serveForever(l)
}

func serveForever(l net.Listener) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		c.Close()
	}
}

func TestUsesTheServer(t *testing.T) {
	serverOnce.Do(startTestServer)
	t.Log(serverAddr)
}

// --- still flagged: called directly too, so it may run more than once ---

func startAgain() {
	l, err := net.Listen("tcp", "127.0.0.1:0") // want `l is never closed`
	if err != nil {
		panic(err)
	}
	serverAddr = l.Addr().String()
}

func TestStartsTwice(t *testing.T) {
	serverOnce.Do(startAgain)
	startAgain()
}
