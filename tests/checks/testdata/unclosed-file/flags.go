package unclosedfile

import (
	"io"
	"os"
)

// emit leaves the writer with its caller.
func emit(w io.Writer, s string) { io.WriteString(w, s) }

// cmd/cover: the file is opened only when it is not stdout, which a flag records; it is closed
// where the flag says so. On the path from the Create the flag is false: the Close is reached.
func annotate(names []string, output string) error {
	for _, name := range names {
		fd := os.Stdout
		isStdout := true
		if output != "" {
			var err error
			fd, err = os.Create(output)
			if err != nil {
				return err
			}
			isStdout = false
		}
		emit(fd, name)
		if !isStdout {
			if err := fd.Close(); err != nil {
				return err
			}
		}
	}
	return nil
}

func openedFlag(path string) error {
	var f *os.File
	opened := false
	if path != "" {
		var err error
		f, err = os.Open(path)
		if err != nil {
			return err
		}
		opened = true
	}
	emit(f, path)
	if opened {
		f.Close()
	}
	return nil
}

// The flag is set back before the check: the path with the file open skips the Close.
func flagReset(path string) error {
	fd := os.Stdout
	isStdout := true
	if path != "" {
		var err error
		fd, err = os.Create(path) // want `fd is not closed on every path`
		if err != nil {
			return err
		}
		isStdout = false
	}
	emit(fd, path)
	isStdout = path == ""
	if !isStdout {
		fd.Close()
	}
	return nil
}

// A function literal may change the flag: its value on the path is not known.
func flagInClosure(path string, later func(func())) error {
	fd := os.Stdout
	isStdout := true
	if path != "" {
		var err error
		fd, err = os.Create(path) // want `fd is not closed on every path`
		if err != nil {
			return err
		}
		isStdout = false
	}
	later(func() { isStdout = true })
	emit(fd, path)
	if !isStdout {
		fd.Close()
	}
	return nil
}
