package unclosedfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// Look-alikes found in the Go standard library (go1.27 src), and their leaky neighbours.

type emitState struct {
	mf    *os.File
	files map[string]*os.File
}

// internal/coverage/cfile/emit.go: the file is stored in a field; the owner closes it.
func (s *emitState) openMeta(name string) error {
	var err error
	s.mf, err = os.Create(name)
	if err != nil {
		return fmt.Errorf("creating meta-data file %s: %v", name, err)
	}
	return nil
}

func (s *emitState) openIndexed(name string) {
	s.files[name], _ = os.Open(name)
}

func openThrough(p **os.File, name string) {
	*p, _ = os.Open(name)
}

// errors/example_test.go: a file meant not to exist, opened for its error.
func exampleIs() {
	if _, err := os.Open("non-existing"); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			fmt.Println("file does not exist")
		}
	}
}

// errors/wrap_test.go
func wrapped() error {
	_, errF := os.Open("nonexistent/file")
	return fmt.Errorf("wrapped: %w", errF)
}

// Success is the failure case: the call is expected to fail.
func expectError(name string) {
	_, err := os.Open(name)
	if err == nil {
		panic("opened " + name + "; want an error")
	}
}

func expectNotExist(name string) {
	if _, err := os.Open(name); !errors.Is(err, fs.ErrNotExist) {
		panic(err)
	}
}

// --- still flagged ---

func probe(name string) bool {
	if _, err := os.Open(name); err != nil { // want `discarded and never closed`
		return false
	}
	return true
}

func probeLiteral() error {
	_, err := os.Open("config.json") // want `discarded and never closed`
	return err
}

func expectSuccess(name string) {
	f, err := os.Open(name) // want `f is never closed`
	if err != nil {
		panic(err)
	}
	fmt.Println(f.Name())
}

// `if err == nil` is the success branch when the file is kept.
func successBranch(name string) {
	f, err := os.Open(name) // want `f is never closed`
	if err == nil {
		fmt.Println(f.Name())
	}
}
