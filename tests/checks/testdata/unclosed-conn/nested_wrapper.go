package unclosedconn

import (
	"io"
	"net"
)

// net/http/fcgi's child: the conn is wrapped twice, and the goroutine that serves the child closes it.
type fcgiConn struct{ rwc io.ReadWriteCloser }

func newFcgiConn(rwc io.ReadWriteCloser) *fcgiConn { return &fcgiConn{rwc: rwc} }

func (c *fcgiConn) Close() error { return c.rwc.Close() }

type child struct{ conn *fcgiConn }

func newChild(rwc io.ReadWriteCloser) *child { return &child{conn: newFcgiConn(rwc)} }

func (c *child) serve() { defer c.conn.Close() }

func serveChildren(l net.Listener) error {
	for {
		rw, err := l.Accept()
		if err != nil {
			return err
		}
		c := newChild(rw)
		go c.serve()
	}
}

// The child made and dropped: its conn is never closed.
func dropChild(l net.Listener) {
	rw, err := l.Accept() // want `rw is never closed`
	if err != nil {
		return
	}
	c := newChild(rw)
	_ = c.conn
}
