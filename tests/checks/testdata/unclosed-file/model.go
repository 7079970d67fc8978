package unclosedfile

import (
	"errors"
	"io/ioutil"
	"os"
	"runtime/pprof"

	"example.com/testdata/unclosed-file/logs"
)

func fromAnotherFile(dir string) error {
	f, err := openLog(dir) // want `f is never closed: the file descriptor opened by openLog`
	if err != nil {
		return err
	}
	_, err = f.WriteString("x")
	return err
}

func fromAnotherPackage(name string) error {
	f, err := logs.Open(name) // want `f is never closed: the file descriptor opened by logs.Open`
	if err != nil {
		return err
	}
	return logs.Write(f, "x") // Write leaves the file with the caller
}

func finishedByAnotherPackage(name string) error {
	f, err := logs.Open(name)
	if err != nil {
		return err
	}
	return logs.Finish(f) // Finish closes it
}

func sharedIsNotOpened() error {
	f := logs.Shared() // a file the package keeps
	_, err := f.WriteString("x")
	return err
}

func tempFile() (string, error) {
	f, err := ioutil.TempFile("", "x") // want `f is never closed: the file descriptor opened by ioutil.TempFile`
	if err != nil {
		return "", err
	}
	return f.Name(), nil
}

func profile(name string) error {
	f, err := os.Create(name) // want `f is never closed`
	if err != nil {
		return err
	}
	return pprof.StartCPUProfile(f) // StartCPUProfile writes to f and leaves it with the caller
}

func closedOnOneBranchOnly(name string, short bool) (int64, error) {
	f, err := os.Open(name) // want `f is not closed on every path`
	if err != nil {
		return 0, err
	}
	if short {
		return 0, errors.New("short") // the path that leaks
	}
	n := size(f)
	f.Close()
	return n, nil
}

func closedOnEveryPath(name string, short bool) (int64, error) {
	f, err := os.Open(name)
	if err != nil {
		return 0, err
	}
	if short {
		closeQuietly(f)
		return 0, errors.New("short")
	}
	n := size(f)
	f.Close()
	return n, nil
}

func reassignedBeforeClose(a, b string) error {
	f, err := os.Open(a) // want `f is not closed on every path`
	if err != nil {
		return err
	}
	f, err = os.Open(b) // the first file is lost here
	if err != nil {
		return err
	}
	return f.Close()
}

func releasedOnlyOnSuccess(name string) {
	f, err := os.Open(name)
	if err == nil {
		defer f.Close()
	}
}

func nilChecked(name string) int64 {
	f, _ := os.Open(name)
	if f == nil {
		return 0
	}
	defer f.Close()
	return size(f)
}
