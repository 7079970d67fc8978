package deferinloop

import (
	"fmt"
	"io"
	"os"
)

// os/exec's helper commands: the process exits right after the loop, so the defers never run and
// the exit closes every file.
func catThenExit(args []string) {
	exit := 0
	for _, fn := range args {
		f, err := os.Open(fn)
		if err != nil {
			fmt.Fprintf(os.Stderr, "Error: %v\n", err)
			exit = 2
		} else {
			defer f.Close()
			io.Copy(os.Stdout, f)
		}
	}
	os.Exit(exit)
}

// --- still flagged: the function goes on after the loop ---

func catThenReturn(args []string) int {
	for _, fn := range args {
		f, err := os.Open(fn)
		if err != nil {
			return 2
		}
		defer f.Close() // want `defer f.Close\(\) in a loop`
		io.Copy(os.Stdout, f)
	}
	fmt.Println("done")
	return 0
}
