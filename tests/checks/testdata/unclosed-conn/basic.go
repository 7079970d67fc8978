package unclosedconn

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"os"
	"time"
)

type server struct {
	db   *sql.DB
	conn net.Conn
}

var shared net.Listener

var pool *sql.DB

var (
	other, _ = sql.Open("driver", "dsn")
	index2   indexed
)

type indexed interface {
	Query(string) (*sql.Rows, error)
}

func dial(addr string) ([]byte, error) {
	conn, err := net.Dial("tcp", addr) // want `conn is never closed: the connection opened by net.Dial stays open`
	if err != nil {
		return nil, err
	}
	return io.ReadAll(conn)
}

func listen() {
	l, err := net.Listen("tcp", ":0") // want `l is never closed: the listener opened by net.Listen.*port`
	if err != nil {
		return
	}
	fmt.Println(l.Addr())
}

func packet() {
	pc, _ := net.ListenPacket("udp", ":0") // want `pc is never closed`
	fmt.Println(pc.LocalAddr())
}

func discarded(addr string) error {
	_, err := net.DialTimeout("tcp", addr, time.Second) // want `the connection opened by net.DialTimeout is discarded`
	return err
}

func dialer(ctx context.Context, addr string) {
	d := &net.Dialer{Timeout: time.Second}
	conn, err := d.DialContext(ctx, "tcp", addr) // want `conn is never closed: the connection opened by net.Dialer.DialContext`
	if err != nil {
		return
	}
	fmt.Fprintln(conn, "hello")
}

func dialerLiteral(addr string) {
	conn, err := (&net.Dialer{}).Dial("tcp", addr) // want `conn is never closed`
	if err == nil {
		fmt.Println(conn.RemoteAddr())
	}
}

func dialerVar(addr string) {
	var d net.Dialer
	conn, _ := d.Dial("tcp", addr) // want `conn is never closed`
	fmt.Println(conn.LocalAddr())
}

func rows(db *sql.DB) (int, error) {
	rows, err := db.Query("SELECT 1") // want `rows is never closed: the rows opened by sql.DB.Query.*pool`
	if err != nil {
		return 0, err
	}
	n := 0
	for rows.Next() {
		n++
	}
	return n, rows.Err()
}

func opened(dsn string) {
	db, err := sql.Open("driver", dsn)
	if err != nil {
		return
	}
	defer db.Close()
	stmt, err := db.Prepare("SELECT 1") // want `stmt is never closed: the statement opened by sql.DB.Prepare`
	if err != nil {
		return
	}
	fmt.Println(stmt)
}

func (s *server) field(ctx context.Context) {
	rows, err := s.db.QueryContext(ctx, "SELECT 1") // want `rows is never closed`
	if err != nil {
		return
	}
	fmt.Println(rows.Columns())
}

// "The returned statement operates within the transaction and will be closed when the
// transaction has been committed or rolled back": the caller's transaction closes it.
func tx(ctx context.Context, t *sql.Tx) {
	stmt, err := t.PrepareContext(ctx, "SELECT 1")
	if err != nil {
		return
	}
	fmt.Println(stmt)
}

func pipe() {
	r, w, err := os.Pipe() // want `r is never closed: the read end of os.Pipe` `w is never closed: the write end`
	if err != nil {
		return
	}
	fmt.Fprintln(w, "x")
	fmt.Println(r.Name())
}

func pipeHalf() *os.File {
	r, _, err := os.Pipe() // want `the write end of os.Pipe is discarded`
	if err != nil {
		return nil
	}
	return r
}

func packageLevel() {
	rows, err := pool.Query("SELECT 1") // want `rows is never closed`
	if err != nil {
		return
	}
	fmt.Println(rows.Next())
	r2, err := other.Query("SELECT 2") // want `r2 is never closed`
	if err != nil {
		return
	}
	fmt.Println(r2.Next())
}

func notKnownToBeSQL() {
	rows, err := index2.Query("SELECT 1")
	if err != nil {
		return
	}
	fmt.Println(rows.Next())
}

// Seed 001: a connection opened inside a goroutine and never closed.
func inGoroutine(addr string) {
	go func() {
		conn, err := net.Dial("tcp", addr) // want `conn is never closed`
		if err != nil {
			return
		}
		fmt.Fprintln(conn, "ping")
	}()
}

// --- look-alikes that must stay silent ---

func deferred(addr string) error {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.Write([]byte("x"))
	return err
}

func closedInClosure(addr string) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return
	}
	defer func() {
		if err := l.Close(); err != nil {
			fmt.Println(err)
		}
	}()
}

func closedViaHelper(addr string) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return
	}
	closeQuietly(conn)
}

func closeQuietly(c io.Closer) { _ = c.Close() }

func storedInStruct(addr string) *server {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return nil
	}
	return &server{conn: conn}
}

func (s *server) connect(addr string) error {
	var err error
	s.conn, err = net.Dial("tcp", addr)
	return err
}

func storedGlobal() {
	l, _ := net.Listen("tcp", ":0")
	shared = l
}

func returned(addr string) (net.Conn, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	return conn, nil
}

func sentOn(ch chan<- net.Conn, addr string) {
	conn, _ := net.Dial("tcp", addr)
	ch <- conn
}

func rowsClosed(db *sql.DB) {
	rows, err := db.Query("SELECT 1")
	if err != nil {
		return
	}
	defer rows.Close()
}

func pipeClosed() {
	r, w, err := os.Pipe()
	if err != nil {
		return
	}
	defer r.Close()
	defer w.Close()
}

// Not database/sql: Query is a common method name.
type index struct{}

func (index) Query(string) ([]string, error) { return nil, nil }

func (index) Dial(string) (int, error) { return 0, nil }

func notSQL(ix index) {
	hits, _ := ix.Query("q")
	fmt.Println(hits)
	n, _ := ix.Dial("x")
	fmt.Println(n)
}

func queryRow(db *sql.DB) {
	var n int
	_ = db.QueryRow("SELECT 1").Scan(&n)
}

func serve(l net.Listener) {
	for {
		conn, err := l.Accept()
		if err != nil {
			return
		}
		go handle(conn)
	}
}

func handle(c net.Conn) { c.Close() }
