// Command heapleak leaks memory in two ways that heap profiles show: a
// cache map that only grows, and small substrings that pin large strings;
// and, on request, goroutines. The comments `grow:<name>` mark the lines the
// tests expect the growth on, `leak:send` where the goroutines block.
//
//	heapleak serve   serve net/http/pprof on 127.0.0.1 (port 0, printed as "port N"),
//	                 then run commands read from stdin, one a line, answering "ok":
//	                 "grow N" (N more requests), "write PATH" (runtime/pprof.WriteHeapProfile),
//	                 "cpu PATH" (a short CPU profile), "leak N" (N goroutines blocked forever), "quit"
package main

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"
)

// Every allocation is sampled, so the profiles' byte counts are exact.
func init() { runtime.MemProfileRate = 1 }

var cache = make(map[string][]byte)

var heads []string

var requests int

// handleRequest answers from the cache, filling it on a miss; nothing ever evicts.
func handleRequest(key string) []byte {
	if v, ok := cache[key]; ok {
		return v
	}
	cache[key] = make([]byte, 4096) // grow:map
	return cache[key]
}

// header returns the first bytes of a large document: the substring keeps all of it.
func header(seed int) string {
	raw := make([]byte, 40<<10)
	for i := range raw {
		raw[i] = 'a' + byte((seed+i)%26)
	}
	doc := string(raw) // grow:substring
	return doc[:16]
}

func grow(n int) {
	for range n {
		requests++
		handleRequest("key-" + strconv.Itoa(requests))
		heads = append(heads, header(requests))
	}
}

// leakSenders starts n goroutines that send on a channel nobody will ever receive from.
// (Go 1.27.3's leak detector misses senders of a captured variable itself, `ch <- i`:
// it reports these, which send a value computed from it.)
func leakSenders(n int) {
	ch := make(chan int)
	for i := range n {
		go func() {
			ch <- i + 1 // leak:send
		}()
	}
}

func serve() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go http.Serve(ln, nil)
	fmt.Printf("port %d\n", ln.Addr().(*net.TCPAddr).Port)
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		cmd, arg, _ := strings.Cut(in.Text(), " ")
		switch cmd {
		case "grow":
			n, err := strconv.Atoi(arg)
			if err != nil {
				return err
			}
			grow(n)
		case "write":
			runtime.GC() // the profile is as of the last collection
			f, err := os.Create(arg)
			if err != nil {
				return err
			}
			err = pprof.WriteHeapProfile(f)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
		case "cpu":
			if err := cpuProfile(arg); err != nil {
				return err
			}
		case "leak":
			n, err := strconv.Atoi(arg)
			if err != nil {
				return err
			}
			leakSenders(n)
			time.Sleep(50 * time.Millisecond) // the senders reach their send
		case "quit":
			return nil
		default:
			return fmt.Errorf("unknown command %q", cmd)
		}
		runtime.GC()
		fmt.Println("ok")
	}
	return in.Err()
}

// cpuProfile writes a CPU profile of a tenth of a second of busy work.
func cpuProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return err
	}
	sum := 0
	for start := time.Now(); time.Since(start) < 100*time.Millisecond; {
		sum += len(strconv.Itoa(sum))
	}
	pprof.StopCPUProfile()
	return f.Close()
}

func main() {
	if len(os.Args) != 2 || os.Args[1] != "serve" {
		fmt.Fprintln(os.Stderr, "usage: heapleak serve")
		os.Exit(2)
	}
	if err := serve(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
