package unclosedfile

import (
	"os"
	"testing"
)

// errEndsTest returns true only where the error is set, or after failing the test (os/root_test.go):
// with a nil error the branch is not taken, so its return is no leak path.
func errEndsTest(t *testing.T, err error, wantError bool) bool {
	t.Helper()
	if wantError {
		if err == nil {
			t.Fatalf("want an error")
		}
		return true
	} else {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return false
	}
}

func TestEndsOnError(t *testing.T) {
	f, err := os.Open("testdata/x")
	if errEndsTest(t, err, false) {
		return
	}
	defer f.Close()
}

// stop may return true with a nil error too: the return after it leaves the file open.
func stop(err error, strict bool) bool {
	if strict {
		return true
	}
	return err != nil
}

func TestStop(t *testing.T) {
	f, err := os.Open("testdata/x") // want `f is not closed on every path`
	if stop(err, true) {
		return
	}
	defer f.Close()
}

// loops are not followed: unknown, so the return stays a leak path.
func anyFailed(errs ...error) bool {
	for _, err := range errs {
		if err != nil {
			return true
		}
	}
	return false
}

func TestAnyFailed(t *testing.T) {
	f, err := os.Open("testdata/x") // want `f is not closed on every path`
	if anyFailed(err) {
		return
	}
	defer f.Close()
}

// etcd wal/record_test.go: a test helper's error return is the test failing: not reported.
func createFileWithData(t *testing.T, data []byte) (*os.File, error) {
	f, err := os.CreateTemp(t.TempDir(), "wal")
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(data); err != nil {
		return nil, err
	}
	return f, nil
}
