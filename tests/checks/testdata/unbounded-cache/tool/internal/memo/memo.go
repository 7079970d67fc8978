// Package memo is internal to the tool: only the command imports it, so its tables live one run.
package memo

import "context"

var lookupCache = make(map[string]int)

func Lookup(key string) int {
	if v, ok := lookupCache[key]; ok {
		return v
	}
	lookupCache[key] = len(key)
	return len(key)
}

var byRequest = map[string]int{}

func Serve(ctx context.Context, key string) {
	byRequest[key]++
	byRequest[key] = 1
}
