// Package unclosedconn holds the unclosed-conn pattern of seed 001: a
// connection opened inside a goroutine and never closed.
package unclosedconn

import (
	"bufio"
	"database/sql"
	"fmt"
	"net"
)

// Ping dials from a goroutine per call; each call leaks a socket.
func Ping(addr string, done chan<- string) {
	go func() {
		conn, err := net.Dial("tcp", addr) // leak: never closed
		if err != nil {
			done <- err.Error()
			return
		}
		fmt.Fprintf(conn, "PING\r\n")
		line, _ := bufio.NewReader(conn).ReadString('\n')
		done <- line
	}()
}

// Names queries rows and forgets to close them: the database connection is
// not returned to the pool when the loop stops early.
func Names(db *sql.DB) ([]string, error) {
	rows, err := db.Query("SELECT name FROM users") // leak: never closed
	if err != nil {
		return nil, err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	return names, rows.Err()
}
