package unclosedconn

import "database/sql"

// conn is declared here and queried in model.go.
var conn *sql.DB

func openDB() error {
	var err error
	conn, err = sql.Open("driver", "dsn")
	return err
}
