// Package unclosedfile holds the unclosed-file pattern of seed 000: files
// opened in a loop, kept in a local slice, and never closed.
package unclosedfile

import (
	"bufio"
	"fmt"
	"os"
)

// OpenLogs opens the log file again and again until the process runs out of
// file descriptors ("too many open files").
func OpenLogs() {
	files := make([]*os.File, 0)
	for i := 0; ; i++ {
		file, err := os.OpenFile("test.log", os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0644) // leak: never closed
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

// CountLines reads a file through a scanner and forgets to close it;
// `plumber check --fix` inserts `defer f.Close()` after the error check.
func CountLines(name string) (int, error) {
	f, err := os.Open(name) // leak: never closed
	if err != nil {
		return 0, err
	}
	n := 0
	s := bufio.NewScanner(f)
	for s.Scan() {
		n++
	}
	return n, s.Err()
}

// CountLinesClosed is the fixed version: no finding.
func CountLinesClosed(name string) (int, error) {
	f, err := os.Open(name)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n := 0
	s := bufio.NewScanner(f)
	for s.Scan() {
		n++
	}
	return n, s.Err()
}
