package unclosedconn

import (
	"context"
	"database/sql"
	"testing"
)

// database/sql's tests: rows and statements of a transaction are closed when it ends, and a
// transaction begun on a context the test cancels is rolled back by the cancellation.
func checkTxOwnsItsRows(t *testing.T, db *sql.DB) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	stmt, err := tx.Prepare("SELECT|people|name|")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stmt.Query(1); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.QueryContext(ctx, "SELECT|people|age|"); err != nil {
		t.Fatal(err)
	}
}

// --- still flagged ---

func txNeverEnded(db *sql.DB) error {
	tx, err := db.BeginTx(context.Background(), nil) // want `tx is never committed or rolled back`
	if err != nil {
		return err
	}
	rows, err := tx.Query("SELECT 1") // the transaction's leak is the one reported
	if err != nil {
		return err
	}
	return rows.Err()
}

func rowsOfTheDB(db *sql.DB) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rows, err := db.QueryContext(ctx, "SELECT 1") // want `rows is never closed`
	if err != nil {
		return err
	}
	return rows.Err()
}

func contextNeverCancelled(db *sql.DB) error {
	ctx, _ := context.WithCancel(context.Background()) //nolint:lost-cancel // the test is about the tx
	tx, err := db.BeginTx(ctx, nil)                    // want `tx is never committed or rolled back`
	if err != nil {
		return err
	}
	_, err = tx.Exec("UPDATE t SET x = 1")
	return err
}
