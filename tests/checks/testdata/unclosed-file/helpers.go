package unclosedfile

import (
	"os"
	"path/filepath"
)

// openLog is an opener of this package, used from model.go (another file).
func openLog(dir string) (*os.File, error) {
	return os.Create(filepath.Join(dir, "log.txt"))
}

// closeQuietly is a closer: passing a file to it releases it.
func closeQuietly(f *os.File) { _ = f.Close() }

// size only reads the file: it leaves it with the caller.
func size(f *os.File) int64 {
	st, err := f.Stat()
	if err != nil {
		return 0
	}
	return st.Size()
}

// Helpers that release what they return: the test's cleanup, the closer they hand back, or a close before
// the return (etcd's mustCreateCfgFile, cmd/go's mustTempFile, net's createTempFile).
type cleaner interface{ Cleanup(func()) }

func tempWithCleanup(t cleaner, name string) *os.File {
	f, err := os.Create(name)
	if err != nil {
		panic(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func tempWithCloser(name string) (*os.File, func()) {
	f, err := os.Create(name)
	if err != nil {
		panic(err)
	}
	return f, func() {
		f.Close()
		os.Remove(f.Name())
	}
}

func writtenAndClosed(name string) *os.File {
	f, err := os.Create(name)
	if err != nil {
		panic(err)
	}
	err = f.Close()
	if err != nil {
		panic(err)
	}
	return f
}

func usesReleasingHelpers(t cleaner) string {
	a := tempWithCleanup(t, "a")
	b, remove := tempWithCloser("b")
	defer remove()
	c := writtenAndClosed("c")
	return a.Name() + b.Name() + c.Name()
}

// Closed only when the write fails: the file is the caller's to close.
func writtenOnly(name string) *os.File {
	f, err := os.Create(name)
	if err != nil {
		panic(err)
	}
	if _, err := f.WriteString("x"); err != nil {
		f.Close()
		panic(err)
	}
	return f
}

func usesWrittenOnly() string {
	f := writtenOnly("d") // want `never closed`
	return f.Name()
}
