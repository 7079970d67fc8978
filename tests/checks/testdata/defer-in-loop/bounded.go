package deferinloop

import (
	"os"
	"time"
)

// A loop that runs a handful of times, as the syntax shows, piles up a handful of deferred calls: they
// run when the function returns, which is soon enough (net's two probe sockets, crypto/tls's five dial
// retries, a go:generate helper's four output files).

var curves = []string{"p224", "p256", "p384", "p521"}

func generate() {
	for _, c := range curves {
		f, err := os.Create(c + ".go")
		if err != nil {
			return
		}
		defer f.Close()
		f.WriteString(c)
	}
}

func retries(dial func() error) error {
	var err error
	for i := 0; i < 5; i++ {
		tooSlow := time.NewTimer(time.Second)
		defer tooSlow.Stop()
		if err = dial(); err == nil {
			return nil
		}
	}
	return err
}

func probes(short bool) {
	probes := []struct{ name string }{{"::1"}, {"127.0.0.1"}}
	if short {
		probes = probes[:1]
	}
	for i := range probes {
		f, err := os.Open(probes[i].name)
		if err != nil {
			continue
		}
		defer f.Close()
	}
}

// time/zoneinfo_ios.go: a literal and one conditional append, at most two roots.
func roots2(wd string) {
	roots := []string{"/usr/share"}
	if wd != "" {
		roots = append(roots, wd)
	}
	for _, r := range roots {
		f, err := os.Open(r)
		if err != nil {
			continue
		}
		defer f.Close()
	}
}

func rootsNil(goroot, wd string) {
	var roots []string
	if goroot != "" {
		roots = append(roots, goroot+"/lib/time")
	}
	if wd != "" {
		roots = append(roots, wd)
	}
	for _, r := range roots {
		f, err := os.Open(r)
		if err != nil {
			continue
		}
		defer f.Close()
	}
}

func rangeOverInt() {
	for i := range 3 {
		f, err := os.Open(string(rune('a' + i)))
		if err != nil {
			continue
		}
		defer f.Close()
	}
}

// More than a handful, a list that grows, or a small loop inside a loop over the input: found.

var roots = []string{"/a", "/b"}

func addRoot(r string) { roots = append(roots, r) }

func grownList() {
	for _, r := range roots {
		f, err := os.Open(r)
		if err != nil {
			continue
		}
		defer f.Close() // want `stays open`
	}
}

func appendedInALoop(extra []string) {
	dirs := []string{"/a"}
	for _, e := range extra {
		dirs = append(dirs, e)
	}
	for _, d := range dirs {
		f, err := os.Open(d)
		if err != nil {
			continue
		}
		defer f.Close() // want `stays open`
	}
}

func appendedMany(extra []string) {
	dirs := []string{"/a"}
	dirs = append(dirs, extra...)
	for _, d := range dirs {
		f, err := os.Open(d)
		if err != nil {
			continue
		}
		defer f.Close() // want `stays open`
	}
}

func nineFiles() {
	for _, name := range []string{"a", "b", "c", "d", "e", "f", "g", "h", "i"} {
		f, err := os.Open(name)
		if err != nil {
			continue
		}
		defer f.Close() // want `stays open`
	}
}

func smallInsideBig(names []string) {
	for _, name := range names {
		for i := 0; i < 2; i++ {
			f, err := os.Open(name)
			if err != nil {
				continue
			}
			defer f.Close() // want `stays open`
		}
	}
}

// The lazy first-use setup in a loop runs once (cmd/compile's write barrier pass): its defers too.

type pool struct{}

func (pool) get() *os.File  { return nil }
func (pool) put(f *os.File) {}

func lazy(p pool, blocks []int) {
	var scratch *os.File
	for _, b := range blocks {
		if b == 0 {
			continue
		}
		if scratch == nil {
			scratch = p.get()
			defer p.put(scratch)
		}
		scratch.WriteString("x")
	}
}

func lazyReset(p pool, names []string) {
	var scratch *os.File
	for _, name := range names {
		if scratch == nil {
			scratch = p.get()
			defer p.put(scratch) // want `piles up`
		}
		if name == "" {
			scratch = nil
		}
	}
}
