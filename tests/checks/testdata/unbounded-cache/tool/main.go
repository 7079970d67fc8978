package main

import (
	"fmt"
	"net/http"
	"os"

	"example.com/testdata/unbounded-cache/tool/internal/memo"
)

// A tool's parse cache: bounded by the files of one run.
var parseCache = map[string]string{}

func parse(name string) string {
	if v, ok := parseCache[name]; ok {
		return v
	}
	v := name + ".parsed"
	parseCache[name] = v
	return v
}

// A toy server's store: its data, not a cache.
var data = map[string]string{}

func store(w http.ResponseWriter, r *http.Request) {
	data[r.URL.Path] = r.URL.RawQuery
}

// A cache written per request by a command's HTTP handler: it grows for as long as the server runs.
var pageCache = map[string]string{}

func page(w http.ResponseWriter, r *http.Request) {
	if v, ok := pageCache[r.URL.Path]; ok {
		fmt.Fprint(w, v)
		return
	}
	pageCache[r.URL.Path] = r.URL.Path // want `the package-level map pageCache only grows: page adds to it`
}

func main() {
	for _, a := range os.Args[1:] {
		fmt.Println(parse(a), memo.Lookup(a))
	}
	http.HandleFunc("/store", store)
	http.HandleFunc("/", page)
}
