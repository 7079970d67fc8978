package unclosedconn

import (
	"database/sql"
	"fmt"
	"net"
	"os"
)

func fixDial(addr string) error {
	conn, err := net.Dial("tcp", addr) // want `conn is never closed`
	if err != nil {
		return err
	}
	_, err = conn.Write([]byte("hello"))
	return err
}

func fixRows(db *sql.DB) error {
	rows, err := db.Query("SELECT 1") // want `rows is never closed`
	if err != nil {
		return err
	}
	for rows.Next() {
		fmt.Println("row")
	}
	return rows.Err()
}

func fixPipe() {
	r, w, _ := os.Pipe() // want `r is never closed` `w is never closed`
	fmt.Fprintln(w, "x")
	fmt.Println(r.Name())
}

func noFixWithoutLeavingCheck(addr string) {
	conn, err := net.Dial("tcp", addr) // want `conn is never closed`
	if err != nil {
		fmt.Println(err)
	}
	fmt.Println(conn)
}
