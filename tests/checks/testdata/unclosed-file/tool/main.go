// A go:generate helper: its files live as long as the process, which ends when main returns.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

var input = flag.String("i", "", "input")

func main() {
	flag.Parse()
	in, err := os.Open(*input)
	if err != nil {
		panic(err)
	}
	data, _ := io.ReadAll(in)
	fmt.Print(len(data))
	for _, name := range flag.Args() {
		f, err := os.Open(name) // want `never closed`
		if err != nil {
			panic(err)
		}
		fmt.Println(f.Name())
	}
}

// Called per file: not the process's own flow.
func convert(name string) {
	f, err := os.Open(name) // want `never closed`
	if err != nil {
		return
	}
	fmt.Println(f.Name())
}
