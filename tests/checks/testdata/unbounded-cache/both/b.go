package both

func put(key string, v []byte) {
	cache[key] = v // want `the package-level map cache only grows: put adds to it`
}
