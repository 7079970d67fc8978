package unclosedfile

import (
	"fmt"
	"os"
)

// os/root_test.go: the file comes from one of two branches; the error check after them is about
// whichever ran, so its return leaves nothing open.
func statEither(readOnly bool, path string) (int64, error) {
	var f *os.File
	var err error
	if readOnly {
		f, err = os.Open(path)
	} else {
		f, err = os.OpenFile(path, os.O_RDWR, 0)
	}
	if err != nil {
		return 0, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// --- still flagged: err holds the write's error, so its return leaves f open (cmd/compile's writebench) ---

func writeBench(name string, data []byte) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o666) // want `f is not closed on every path`
	if err != nil {
		return err
	}
	n, err := f.Write(data)
	if err != nil {
		return err
	}
	if n != len(data) {
		panic(fmt.Sprint("short write ", n))
	}
	return f.Close()
}
