package unclosedfile

import (
	"bufio"
	"io"
	"os"
)

// prometheus promql/query_logger.go: the file is the caller's on success, but the error returns
// after the open drop it. No fix: a deferred Close would close the file the caller gets.
func openSized(name string, size int64) (*os.File, error) {
	f, err := os.OpenFile(name, os.O_CREATE|os.O_RDWR, 0o666) // want `f is not closed on every path`
	if err != nil {
		return nil, err
	}
	if err := f.Truncate(size); err != nil {
		return nil, err
	}
	return f, nil
}

// The mapping only borrows the file, which is returned after it in the same block.
func mapFile(name string, mmap func(*os.File) ([]byte, error)) ([]byte, *os.File, error) {
	f, err := os.Open(name) // want `f is not closed on every path`
	if err != nil {
		return nil, nil, err
	}
	data, err := mmap(f)
	if err != nil {
		return nil, nil, err
	}
	return data, f, nil
}

// --- look-alikes that must stay silent ---

// An unknown helper gets the file on the failure path: it may well close it.
func openChecked(name string, ok func(*os.File) bool, closeQuietly func(io.Closer)) (*os.File, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	if !ok(f) {
		closeQuietly(f)
		return nil, os.ErrInvalid
	}
	return f, nil
}

func openSizedClosing(name string, size int64) (*os.File, error) {
	f, err := os.OpenFile(name, os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		return nil, err
	}
	if err := f.Truncate(size); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// The variable is given a wrapper that holds the first value: what is returned is not known.
func openWrapped(name string, wrap bool) (io.ReadCloser, error) {
	var r io.ReadCloser
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	r = f
	if wrap {
		r = struct {
			io.Reader
			io.Closer
		}{bufio.NewReader(f), f}
	}
	return r, nil
}
