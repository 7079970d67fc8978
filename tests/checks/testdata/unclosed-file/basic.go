package unclosedfile

import (
	"bufio"
	"fmt"
	"io"
	"os"
)

type holder struct{ f *os.File }

var global *os.File

func readAll(name string) ([]byte, error) {
	f, err := os.Open(name) // want `f is never closed: the file descriptor opened by os.Open`
	if err != nil {
		return nil, err
	}
	return io.ReadAll(f)
}

func noCheck(name string) {
	f, _ := os.Create(name) // want `f is never closed`
	fmt.Fprintf(f, "hello\n")
}

func scan(name string) int {
	f, err := os.OpenFile(name, os.O_RDONLY, 0) // want `f is never closed`
	if err != nil {
		panic(err)
	}
	n := 0
	s := bufio.NewScanner(f)
	for s.Scan() {
		n++
	}
	return n
}

func discard(name string) error {
	_, err := os.Create(name) // want `discarded and never closed`
	return err
}

// Seed 000: files appended to a local slice that goes nowhere.
func seed000() {
	files := make([]*os.File, 0)
	for i := 0; ; i++ {
		file, err := os.OpenFile("test.log", os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0644) // want `file is never closed`
		if err != nil {
			fmt.Printf("Error at file %d: %v\n", i, err)
			break
		} else {
			_, _ = file.Write([]byte("Hello, World!"))
			files = append(files, file)
		}
	}
	fmt.Println(len(files))
}

// --- look-alikes that must stay silent ---

func deferred(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.ReadAll(f)
	return err
}

func closedInClosure(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); cerr != nil {
			fmt.Println(cerr)
		}
	}()
	return nil
}

func closedInGoroutine(name string) {
	f, err := os.Open(name)
	if err != nil {
		return
	}
	go func() {
		defer f.Close()
	}()
}

func returned(name string) (*os.File, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	return f, nil
}

func namedResult(name string) (f *os.File, err error) {
	f, err = os.Open(name)
	return
}

func stored(name string) *holder {
	f, _ := os.Open(name)
	return &holder{f: f}
}

func storedField(h *holder, name string) {
	f, _ := os.Open(name)
	h.f = f
}

func storedGlobal(name string) {
	f, _ := os.Open(name)
	global = f
}

func passedToHelper(name string) {
	f, _ := os.Open(name)
	closeIt(f)
}

func closeIt(c io.Closer) { c.Close() }

func sent(name string, ch chan *os.File) {
	f, _ := os.Open(name)
	ch <- f
}

func methodValue(name string, cleanups *[]func() error) {
	f, _ := os.Open(name)
	*cleanups = append(*cleanups, f.Close)
}

func shadowedInner(name string) {
	f, _ := os.Open(name)
	defer f.Close()
	func() {
		f := 3
		_ = f
	}()
}

func appendedAndReturned(names []string) []*os.File {
	var out []*os.File
	for _, n := range names {
		f, err := os.Open(n)
		if err != nil {
			continue
		}
		out = append(out, f)
	}
	return out
}

type fakeOS struct{}

func (fakeOS) Open(string) (int, error) { return 0, nil }

func shadowedOS(name string) {
	os := fakeOS{}
	f, _ := os.Open(name)
	_ = f
}
