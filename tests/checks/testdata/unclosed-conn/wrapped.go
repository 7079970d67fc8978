package unclosedconn

import (
	"crypto/tls"
	"net"
)

// A TLS wrapper holds the connection it wraps: closing either releases it.
func closesUnderlying(addr string, cfg *tls.Config) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	cli := tls.Client(c, cfg)
	return cli.Handshake()
}

func closesUnderlyingOnError(addr string, cfg *tls.Config) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	cli := tls.Client(c, cfg)
	if err := cli.Handshake(); err != nil {
		c.Close()
		return err
	}
	return cli.Close()
}

// The caller's connection, wrapped: the caller closes it.
func wrapsCallers(c net.Conn, cfg *tls.Config) error {
	srv := tls.Server(c, cfg)
	return srv.Handshake()
}

// A value built here from a composite literal (crypto/tls's replayingConn in its benchmarks) is
// memory, not an acquisition: the wrapper over it holds nothing to close.
type replayConn struct{ net.Conn }

func overMemory(cfg *tls.Config) error {
	replay := &replayConn{}
	srv := tls.Server(replay, cfg)
	return srv.Handshake()
}

// Neither is closed on the error path.
func leaksOnError(addr string, cfg *tls.Config) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	cli := tls.Client(c, cfg) // want `not closed on every path`
	if err := cli.Handshake(); err != nil {
		return err
	}
	return cli.Close()
}

// Calls that must fail, one per case of a table (net's error_test): nothing is acquired.
func mustFail(networks []string) []string {
	var bad []string
	for _, network := range networks {
		var err error
		switch network {
		case "tcp":
			_, err = net.DialTCP(network, nil, &net.TCPAddr{Port: 1 << 16})
		case "udp":
			_, err = net.DialUDP(network, nil, &net.UDPAddr{Port: 1 << 16})
		}
		if err == nil {
			panic(network + ": should fail")
		}
	}
	return bad
}

// net.Pipe is an in-memory pair: nothing to release but memory.
func memoryPipe() net.Conn {
	c, s := net.Pipe()
	go s.Write([]byte("x"))
	return c
}
