// Package deferinloop holds the defer-in-loop pattern of seed 000: files
// deferred-closed inside a loop stay open until the function returns.
package deferinloop

import (
	"fmt"
	"os"
)

// ReadFiles keeps every file open until it returns.
func ReadFiles(files []string) {
	for _, file := range files {
		f, err := os.Open(file)
		if err != nil {
			fmt.Println(err)
			return
		}
		defer f.Close() // leak: runs only when ReadFiles returns
		fmt.Println(f.Name())
	}
}

// Sizes gets a fix: `plumber check --fix` wraps the loop body in func() { ... }().
func Sizes(files []string) (total int64) {
	for _, file := range files {
		f, err := os.Open(file)
		if err == nil {
			st, _ := f.Stat()
			total += st.Size()
		}
		defer f.Close() // leak: runs only when Sizes returns
	}
	return total
}
