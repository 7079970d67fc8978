// Package unboundedcache holds the ever-growing cache of seed 003: a
// package-level map filled on every lookup and never evicted.
package unboundedcache

import "strings"

var cache = map[string]string{}

// Get memoises an expensive computation; nothing ever removes an entry, so
// the map grows with every distinct key the service sees.
func Get(key string) string {
	if v, ok := cache[key]; ok {
		return v
	}
	cache[key] = strings.ToUpper(key) // leak: never evicted
	return cache[key]
}
