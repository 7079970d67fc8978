package helpers

import (
	"os"
	"strings"
)

// Seed 000's helper: a string of the asked length, on the heap.
func createStringWithLengthOnHeap(length int) string {
	b := make([]byte, length)
	for i := range b {
		b[i] = 'a'
	}
	return string(b)
}

func repeated(n int) string {
	return strings.Repeat("x", n)
}

// Always a whole file.
func load(path string) []byte {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	return data
}

// Sometimes small, sometimes large: not a helper of large buffers.
func either(big bool) []byte {
	if big {
		return make([]byte, 1<<20)
	}
	return []byte("small")
}
