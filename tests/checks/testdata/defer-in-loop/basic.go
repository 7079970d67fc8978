package deferinloop

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
)

// Seed 000: files kept open until the whole function returns.
func ReadFile(files []string) {
	for _, file := range files {
		f, err := os.Open(file)
		if err != nil {
			fmt.Println(err)
			return
		}
		// do something
		defer f.Close() // want `defer f.Close\(\) in a loop runs only when the function returns`
	}
}

func bodies(urls []string) {
	for i := 0; i < len(urls); i++ {
		resp, err := http.Get(urls[i])
		if err != nil {
			continue
		}
		defer resp.Body.Close() // want `defer resp.Body.Close\(\) in a loop`
		_, _ = io.Copy(io.Discard, resp.Body)
	}
}

func endless(name string) {
	for {
		f, err := os.Open(name)
		if err != nil {
			break
		}
		defer f.Close() // want `in a loop`
	}
}

func nested(groups [][]string) {
	for _, g := range groups {
		for _, name := range g {
			f, _ := os.Open(name)
			defer f.Close() // want `in a loop`
		}
	}
}

// --- look-alikes that must stay silent ---

func wrapped(files []string) {
	for _, file := range files {
		func() {
			f, err := os.Open(file)
			if err != nil {
				return
			}
			defer f.Close()
		}()
	}
}

func deferredOnPurpose(closers []io.Closer) {
	for _, c := range closers {
		defer c.Close()
	}
}

func unlockAll(mus []*sync.Mutex) {
	for _, mu := range mus {
		mu.Lock()
		defer mu.Unlock()
	}
}

func once(names []string) error {
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			continue
		}
		defer f.Close()
		return nil
	}
	return nil
}

func firstThatOpens(names []string) {
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			continue
		}
		defer f.Close()
		break
	}
}

func inIf(names []string) {
	for _, name := range names {
		if f, err := os.Open(name); err == nil {
			defer f.Close()
			break
		}
	}
}

// cmd/internal/script's cachedCond: both branches after the defer return.
func onceThenEither(names []string, ok func(*os.File) bool) (bool, error) {
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			continue
		}
		defer f.Close()
		if ok(f) {
			return true, nil
		} else if name == "" {
			return false, nil
		} else {
			return false, err
		}
	}
	return false, nil
}

// Only one branch leaves: the other goes round again.
func eitherMayContinue(names []string, ok func(*os.File) bool) bool {
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			continue
		}
		defer f.Close() // want `in a loop`
		if ok(f) {
			return true
		}
	}
	return false
}

func goroutines(names []string) {
	var wg sync.WaitGroup
	for _, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f, _ := os.Open(name)
			defer f.Close()
		}()
	}
	wg.Wait()
}
