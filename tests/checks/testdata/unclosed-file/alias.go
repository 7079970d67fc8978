package unclosedfile

import (
	"io"
	stdos "os"
)

func aliased(name string) ([]byte, error) {
	f, err := stdos.Open(name) // want `f is never closed`
	if err != nil {
		return nil, err
	}
	return io.ReadAll(f)
}
