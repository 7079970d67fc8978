package unboundedcache

import (
	"context"
	"errors"
	"net/http"
	"os"
	"sync"
)

// Seed 004: a global cache without an eviction policy.
var cache = make(map[string]string)

func handleRequest(key string) string {
	if val, ok := cache[key]; ok {
		return val
	}
	val := "some calculated value"
	cache[key] = val // want `the package-level map cache only grows: handleRequest adds to it`
	return val
}

// Seed 002: an unbounded map growth.
var blobCache = make(map[string][]byte)

func wrong(key string, value []byte) {
	blobCache[key] = value // want `blobCache only grows`
}

// Written on the request path.
var sessions = map[string]int{}

func login(w http.ResponseWriter, r *http.Request) {
	sessions[r.FormValue("user")] = len(sessions) + 1 // want `sessions only grows: login adds to it`
	w.WriteHeader(http.StatusOK)
}

var requestHistory []string

func record(w http.ResponseWriter, r *http.Request) {
	requestHistory = append(requestHistory, r.URL.Path) // want `the package-level slice requestHistory only grows`
}

// A memo table of a batch program: looked up, then filled, on no request path. Silent.
var (
	mu    sync.Mutex
	fib   = map[int]int{}
	names []string
)

func fibonacci(n int) int {
	mu.Lock()
	v, ok := fib[n]
	mu.Unlock()
	if ok || n < 2 {
		return n
	}
	v = fibonacci(n-1) + fibonacci(n-2)
	mu.Lock()
	fib[n] = v
	mu.Unlock()
	return v
}

// A lookup keyed by request data.
var userByID = map[int]string{}

func lookupUser(ctx context.Context, id int) string {
	if u, ok := userByID[id]; ok {
		return u
	}
	u := "user"
	userByID[id] = u // want `userByID only grows: lookupUser adds to it`
	return u
}

// Look-alikes that must stay silent.

// A registry filled by Register, called from init functions.
type Driver interface{ Open(string) error }

var drivers = make(map[string]Driver)

func Register(name string, d Driver) {
	drivers[name] = d
}

// A registry that rejects duplicates.
var formats = map[string]func() error{}

func AddFormat(name string, f func() error) {
	if _, dup := formats[name]; dup {
		panic("AddFormat: duplicate " + name)
	}
	formats[name] = f
}

// Filled in init only.
var codes = map[int]string{}

func init() {
	codes[1] = "one"
	codes[2] = "two"
	names = append(names, "x")
}

// A table with entries.
var mime = map[string]string{".html": "text/html"}

func lookupMime(ext string) string {
	if m, ok := mime[ext]; ok {
		return m
	}
	mime[ext] = "application/octet-stream"
	return mime[ext]
}

// Evicted in the same file.
var tokens = map[string]string{}

func token(k string) string {
	if t, ok := tokens[k]; ok {
		return t
	}
	tokens[k] = k + "!"
	return tokens[k]
}

func revoke(k string) { delete(tokens, k) }

// Bounded by its length.
var bounded = map[string]int{}

func remember(k string, v int) int {
	if old, ok := bounded[k]; ok {
		return old
	}
	if len(bounded) < 1000 {
		bounded[k] = v
	}
	return v
}

// Filled once.
var (
	once    sync.Once
	squares = map[int]int{}
)

func square(n int) int {
	once.Do(func() {
		for i := 0; i < 100; i++ {
			squares[i] = i * i
		}
	})
	return squares[n]
}

// Lazily built from a fixed range.
var lazy map[int]string

func lazyName(i int) string {
	if lazy == nil {
		lazy = make(map[int]string)
		for j := 0; j < 10; j++ {
			lazy[j] = string(rune('a' + j))
		}
	}
	return lazy[i]
}

// A dedup set.
var warned = map[string]bool{}

func warnOnce(msg string) {
	if !warned[msg] {
		warned[msg] = true
		println(msg)
	}
}

// Reset elsewhere: reassignment shrinks.
var memoResults = map[string]int{}

func compute(k string) int {
	if v, ok := memoResults[k]; ok {
		return v
	}
	memoResults[k] = len(k)
	return len(k)
}

func resetResults() { memoResults = map[string]int{} }

// Handed to a helper that may prune it.
var cacheByID = map[int]string{}

func byID(id int) string {
	if s, ok := cacheByID[id]; ok {
		return s
	}
	cacheByID[id] = "x"
	prune(cacheByID)
	return "x"
}

func prune(m map[int]string) {
	for k := range m {
		delete(m, k)
	}
}

// A local map that shadows a package-level one.
func shadow(keys []string) int {
	cache := map[string]bool{}
	for _, k := range keys {
		cache[k] = true
	}
	return len(cache)
}

// A truncated history.
var eventHistory []string

func event(e string) {
	eventHistory = append(eventHistory, e)
	if len(eventHistory) > 100 {
		eventHistory = eventHistory[1:]
	}
}

var errNone = errors.New("none")

// Aliased: the alias may shrink it.
var aliasCache = map[string]int{}

func viaAlias(k string) int {
	c := aliasCache
	if v, ok := aliasCache[k]; ok {
		return v
	}
	aliasCache[k] = 1
	clear(c)
	return 1
}

// A parameter shadows the package-level cache.
func shadowParam(cache map[string]string, k string) {
	if _, ok := cache[k]; !ok {
		cache[k] = k
	}
}

// Bounded through a count kept aside (os/signal on Plan 9).
var sigtab = map[string]int{}

func signum(sig string) int {
	n, ok := sigtab[sig]
	if !ok {
		n = len(sigtab) + 1
		if n > 256 {
			return -1
		}
		sigtab[sig] = n
	}
	return n
}

// Descriptors to their files: the kernel bounds and reuses the numbers.
var socketFiles = map[uintptr]*os.File{}

func listenFD(ctx context.Context, fd uintptr) *os.File {
	f, ok := socketFiles[fd]
	if !ok {
		f = os.NewFile(fd, "socket")
		socketFiles[fd] = f
	}
	return f
}

// Descriptors to names are not files: an ordinary cache.
var fdNames = map[uintptr]string{}

func nameFD(ctx context.Context, fd uintptr) string {
	n, ok := fdNames[fd]
	if !ok {
		n = "fd"
		fdNames[fd] = n // want `the package-level map fdNames only grows: nameFD adds to it`
	}
	return n
}
