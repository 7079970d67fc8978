package unclosedfile

import (
	"fmt"
	"log"
	"os"
	"syscall"
)

// The process is gone right after: nothing it holds outlives it.
func dumpAndExit(name string) {
	f, err := os.Create(name)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintln(f, "done")
	os.Exit(1)
}

func reexec(name string, argv []string) {
	f, err := os.Open(name)
	if err != nil {
		return
	}
	fmt.Println(f.Name())
	if err := syscall.Exec(argv[0], argv, os.Environ()); err != nil {
		log.Fatalf("exec: %v", err)
	}
}

// The exit is after a loop: the function may run long before it.
func serveThenExit(name string, work func() bool) {
	f, err := os.Open(name) // want `never closed`
	if err != nil {
		return
	}
	fmt.Println(f.Name())
	for work() {
	}
	os.Exit(0)
}
