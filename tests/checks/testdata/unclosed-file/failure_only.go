package unclosedfile

import (
	"bufio"
	"os"
)

// The file is closed only when the function fails: the lines are read, and it stays open.
func firstLineOf(path string) (line string, err error) {
	f, err := os.Open(path) // want `f is not closed on every path`
	if err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			f.Close()
		}
	}()
	s := bufio.NewScanner(f)
	if !s.Scan() {
		return "", s.Err()
	}
	return s.Text(), nil
}

// Look-alike: the file is the result on success, closed by the caller.
func openStatted(path string) (f *os.File, err error) {
	f, err = os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			f.Close()
		}
	}()
	if _, err = f.Stat(); err != nil {
		return nil, err
	}
	return f, nil
}

type reader struct{ file *os.File }

// Look-alike: stored on success.
func (r *reader) open(path string) (err error) {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
		}
	}()
	if _, err = f.Stat(); err != nil {
		return err
	}
	r.file = f
	return nil
}
