package deferinloop

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
)

// Nested in an if, a switch or a select: still one defer per iteration.
func nestedIf(names []string, verbose bool) {
	for _, name := range names {
		f, err := os.Open(name)
		if err == nil && verbose {
			defer f.Close() // want `defer f.Close\(\) in a loop.*stays open`
		}
	}
}

func inSwitch(names []string) {
	for i, name := range names {
		switch i % 2 {
		case 0:
			f, _ := os.Create(name)
			defer f.Close() // want `stays open`
		}
	}
}

// Not a resource of the iteration: a note (information), not an alarm.
func counted(wg *sync.WaitGroup, n int) {
	for i := 0; i < n; i++ {
		defer wg.Done() // want `defer wg.Done\(\) in a loop.*one deferred call per iteration piles up`
	}
}

func printed(n int) {
	for i := 0; i < n; i++ {
		defer println(i) // want `piles up`
	}
}

// A removal holds nothing open.
func removed(n int) {
	for i := 0; i < n; i++ {
		name := fmt.Sprint("tmp", i)
		defer os.Remove(name) // want `removed only then`
	}
}

var sink []io.Reader

func keep(r io.Reader) { sink = append(sink, r) }

// Handed to a function that keeps it: the wrap would close it under the keeper; the fix is not safe.
func handedOn(names []string) {
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			fmt.Println(err)
		}
		defer f.Close() // want `stays open`
		keep(f)
	}
}

// Used only by functions that leave it with the caller: the wrap is safe.
func readAll(names []string) {
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			fmt.Println(err)
		}
		defer f.Close() // want `stays open`
		data, _ := io.ReadAll(f)
		fmt.Println(len(data), f.Name())
	}
}

// An error assigned to a variable outside the loop keeps nothing of the file (caddy's fastcgi client).
func copyAll(dst io.Writer, names []string) error {
	var err error
	for _, name := range names {
		f, e := os.Open(name)
		if e != nil {
			return e
		}
		defer f.Close() // want `stays open`
		_, err = io.Copy(dst, f)
		if err != nil {
			return err
		}
	}
	return err
}

// What is read from the body is a copy: keeping it after the loop keeps nothing open (prometheus query_log_test).
func lastBody(urls []string) []byte {
	var last []byte
	for _, u := range urls {
		r, err := http.Get(u)
		if err != nil {
			continue
		}
		data, err := io.ReadAll(r.Body)
		defer r.Body.Close() // want `stays open`
		if err != nil {
			continue
		}
		last = data
	}
	return last
}
