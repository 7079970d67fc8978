// A command (go:generate helpers, tools): what its loops defer without holding anything piles up for
// one run of the program.
package main

import (
	"os"
	"sync"
)

func main() {
	for _, name := range os.Args[1:] {
		tmp, err := os.CreateTemp("", name)
		if err != nil {
			return
		}
		tmp.Close()
		defer os.Remove(tmp.Name())
	}
	var wg sync.WaitGroup
	for {
		wg.Add(1)
		defer wg.Done() // want `piles up`
		if len(os.Args) > 3 {
			break
		}
	}
	wg.Wait()
}
