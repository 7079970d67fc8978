package deferinloop

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
)

// The deferred values outlive the iteration: released at the function's end on purpose.

type block struct{ f *os.File }

func (b *block) Close() error { return b.f.Close() }

func openBlock(name string) (*block, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	return &block{f}, nil
}

func query([]*block) {}

// Appended to a slice used after the loop (prometheus tsdb/querier_test.go).
func appended(names []string) {
	var blocks []*block
	for _, name := range names {
		b, err := openBlock(name)
		if err != nil {
			return
		}
		defer b.Close()
		blocks = append(blocks, b)
	}
	query(blocks)
}

// A value made from the resource is kept: the server must stay up (etcd tcpproxy).
func servers(n int) []string {
	var urls []string
	for i := 0; i < n; i++ {
		ts := httptest.NewServer(http.NotFoundHandler())
		defer ts.Close()
		urls = append(urls, ts.URL)
	}
	return urls
}

type watcher struct{ ch <-chan struct{} }

func watch(ctx context.Context) watcher { return watcher{ctx.Done()} }

// A context's cancel, the context handed to a watch kept in a map (etcd watch tests).
func watches(keys []string) map[string]watcher {
	ws := map[string]watcher{}
	for _, k := range keys {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		ws[k] = watch(ctx)
	}
	return ws
}

func transceive(c net.Conn, ch chan error) { ch <- nil }

// Handed to a goroutine whose results are drained after the loop (net/server_test.go:105).
func dialAll(addrs []string) {
	var chs []chan error
	for i, addr := range addrs {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return
		}
		defer c.Close()
		chs = append(chs, make(chan error, 1))
		go transceive(c, chs[i])
	}
	for _, ch := range chs {
		<-ch
	}
}

// Sent on a channel.
func sendAll(names []string, out chan<- io.Reader) {
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			continue
		}
		defer f.Close()
		out <- f
	}
}

type rows struct{}

func (*rows) Close() error { return nil }

type db struct{}

func (*db) Query(string) (*rows, error) { return &rows{}, nil }

// The loop's purpose is to hold them: n open at once until the literal returns (database/sql_test.go:3113).
func holdConns(d *db, n int) {
	func() {
		for i := 0; i < n; i++ {
			r, err := d.Query("SELECT 1")
			if err != nil {
				panic(err)
			}
			defer r.Close()
		}
	}()
	_ = d
}

// Released later in the same iteration: the defer covers the failure paths only (os/readfrom_unix_test.go:174).
func releasedLater(names []string) error {
	for _, name := range names {
		r, w, err := os.Pipe()
		if err != nil {
			return err
		}
		defer r.Close()
		defer w.Close()
		if _, err := w.Write([]byte(name)); err != nil {
			return err
		}
		w.Close()
		r.Close()
	}
	return nil
}

// The defer runs at most once: the branch that defers leaves the loop.
func firstGood(names []string) *os.File {
	for _, name := range names {
		f, err := os.Open(name)
		if err == nil {
			defer f.Close()
			return nil
		}
	}
	return nil
}
