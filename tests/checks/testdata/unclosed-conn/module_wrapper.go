package unclosedconn

import "net"

// A module's wrapper of a listener (prometheus util/netconnlimit): closing the wrapper closes the listener.
type limited struct {
	net.Listener
	sem chan struct{}
}

func limit(l net.Listener, n int) net.Listener {
	return &limited{Listener: l, sem: make(chan struct{}, n)}
}

func serveLimited() error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	ll := limit(l, 2)
	defer ll.Close()
	c, err := ll.Accept()
	if err != nil {
		return err
	}
	return c.Close()
}

// The wrapper closed on one path only: the other leaves the listener open.
func serveLimitedUnlessSkipped(skip bool) error {
	l, err := net.Listen("tcp", "127.0.0.1:0") // want `l is not closed on every path`
	if err != nil {
		return err
	}
	ll := limit(l, 2)
	if skip {
		return nil
	}
	return ll.Close()
}
