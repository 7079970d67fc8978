package unclosedfile

import (
	"bufio"
	"os"
)

// A reader that owns its file (cmd/internal/bio): the file is also handed to bufio.NewReader, which
// leaves it with the caller, so the wrapper's result holds it.
type bufReader struct {
	f *os.File
	*bufio.Reader
}

func newBufReader(f *os.File) *bufReader {
	return &bufReader{f: f, Reader: bufio.NewReader(f)}
}

func (r *bufReader) Close() error { return r.f.Close() }

func openBuffered(name string) (*bufReader, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	return newBufReader(f), nil
}

// The file handed to a function that keeps it somewhere else too: not only in what it returns.
var kept []*os.File

func newKeptReader(f *os.File) *bufReader {
	kept = append(kept, f)
	return &bufReader{f: f, Reader: bufio.NewReader(f)}
}

func openKept(name string) (*bufReader, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	return newKeptReader(f), nil
}

// The wrapper's result dropped: the file in it is never closed.
func peek(name string) byte {
	f, err := os.Open(name) // want `f is never closed`
	if err != nil {
		return 0
	}
	b, _ := newBufReader(f).ReadByte()
	return b
}
