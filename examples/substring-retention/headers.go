// Package substringretention holds the substring-retention pattern of seeds
// 000 and 004: a few bytes sliced out of a large buffer and kept in a
// package-level variable pin the whole buffer in memory.
package substringretention

import (
	"io"
	"os"
)

var firstLines []string

var magic [][]byte

// Remember keeps the first 50 bytes of every file it reads; each kept string
// pins the whole file's contents.
func Remember(name string) error {
	data, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	s := string(data)
	firstLines = append(firstLines, s[:50]) // leak: pins the whole file
	return nil
}

// Magic keeps the first four bytes of a stream read in full.
func Magic(r io.Reader) error {
	buf, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	magic = append(magic, buf[:4]) // leak: pins the whole buffer
	return nil
}
