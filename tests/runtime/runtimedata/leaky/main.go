// Command leaky runs each leak pattern, then writes goroutine profiles
// ("profiles DIR": debug=0, 1 and 2) or dies by SIGQUIT with a full dump on stderr ("sigquit").
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"syscall"
	"time"

	"example.com/leaky/patterns"
)

func leak() {
	for i := 0; i < 3; i++ {
		_ = patterns.PrematureReturn(true)
	}
	for i := 0; i < 5; i++ {
		patterns.Timeout()
	}
	patterns.NCast([]int{1, 2, 3, 4})
	for i := 0; i < 2; i++ {
		patterns.RangeNoClose([]int{1, 2})
	}
	for i := 0; i < 6; i++ {
		patterns.ReceiveNoSender()
	}
	time.Sleep(200 * time.Millisecond) // the timeout senders wake and block
}

func write(path, profile string, debug int) {
	f, err := os.Create(path)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	p := pprof.Lookup(profile)
	if p == nil {
		fmt.Fprintf(os.Stderr, "no %s profile in this Go\n", profile)
		os.Exit(3)
	}
	if err := p.WriteTo(f, debug); err != nil {
		panic(err)
	}
}

func main() {
	leak()
	switch os.Args[1] {
	case "profiles":
		dir := os.Args[2]
		write(filepath.Join(dir, "goroutine.debug1.txt"), "goroutine", 1)
		write(filepath.Join(dir, "goroutine.debug2.txt"), "goroutine", 2)
		write(filepath.Join(dir, "leak.debug1.txt"), "goroutineleak", 1)
		write(filepath.Join(dir, "leak.debug2.txt"), "goroutineleak", 2)
		write(filepath.Join(dir, "goroutine.pb.gz"), "goroutine", 0)
		write(filepath.Join(dir, "leak.pb.gz"), "goroutineleak", 0)
		buf := make([]byte, 1<<20)
		n := runtime.Stack(buf, true)
		if err := os.WriteFile(filepath.Join(dir, "stack.txt"), buf[:n], 0o644); err != nil {
			panic(err)
		}
	case "sigquit":
		syscall.Kill(os.Getpid(), syscall.SIGQUIT)
		time.Sleep(5 * time.Second)
	}
}
