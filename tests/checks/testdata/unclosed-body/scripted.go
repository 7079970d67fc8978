package unclosedbody

import (
	"io"
	"net"
	"net/http"
	"strings"
)

// A conn the function fakes: reads come from the script, writes go nowhere.
type scriptConn struct {
	net.Conn
	r io.Reader
}

func (c *scriptConn) Read(p []byte) (int, error)  { return c.r.Read(p) }
func (c *scriptConn) Write(p []byte) (int, error) { return len(p), nil }
func (c *scriptConn) Close() error                { return nil }

// The only answer is a 204, which has no body: net/http gives it http.NoBody (httputil.DumpRequestOut).
func dumpOut(req *http.Request) error {
	t := &http.Transport{
		Dial: func(network, addr string) (net.Conn, error) {
			return &scriptConn{r: strings.NewReader("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")}, nil
		},
	}
	defer t.CloseIdleConnections()
	_, err := t.RoundTrip(req)
	return err
}

// Look-alike: the script answers 200 with a body, which stays unread and open.
func scriptedWithBody(req *http.Request) error {
	t := &http.Transport{
		Dial: func(network, addr string) (net.Conn, error) {
			return &scriptConn{r: strings.NewReader("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")}, nil
		},
	}
	_, err := t.RoundTrip(req) // want `the response is discarded`
	return err
}

// Look-alike: a real dial; the 204 in the text is not what the network answers.
func realDial(req *http.Request) error {
	const note = "HTTP/1.1 204 No Content"
	t := &http.Transport{
		Dial: func(network, addr string) (net.Conn, error) {
			return net.Dial(network, addr)
		},
	}
	println(note)
	_, err := t.RoundTrip(req) // want `the response is discarded`
	return err
}
