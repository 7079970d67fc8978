package unclosedconn

import (
	"database/sql"
	"net"
)

func queryOtherFileDB() (int, error) {
	rows, err := conn.Query("select 1") // want `rows is never closed: the rows opened by sql.DB.Query`
	if err != nil {
		return 0, err
	}
	n := 0
	for rows.Next() {
		n++
	}
	return n, rows.Err()
}

func acceptLoop(l net.Listener) {
	for {
		c, err := l.Accept() // want `c is never closed`
		if err != nil {
			return
		}
		_, _ = c.Write([]byte("hi"))
	}
}

func serveOne(c net.Conn) {
	defer c.Close()
	_, _ = c.Write([]byte("hi"))
}

func acceptAndHandOn(l net.Listener) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		go serveOne(c)
	}
}

func txRolledBack(db *sql.DB) error {
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return tx.Commit()
}

func txForgotten(db *sql.DB) error {
	tx, err := db.Begin() // want `tx is not committed or rolled back on every path`
	if err != nil {
		return err
	}
	if _, err := tx.Exec("update t set x = 1"); err != nil {
		return err // the transaction stays open
	}
	return tx.Commit()
}
