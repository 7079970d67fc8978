package split

func evict(key string) {
	delete(cache, key)
}
