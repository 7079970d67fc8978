package unclosedbody

import (
	"fmt"
	"io"
	"net/http"
)

// prometheus retrieval/target.go: the body goes to a decoder the model cannot see, but the function
// defers its Close itself, so the decoder only borrows it; the status check returns before the defer.
func scrape(c *http.Client, url string, decode func(io.Reader) error) error {
	resp, err := c.Get(url) // want `resp.Body is not closed on every path`
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("server returned HTTP status %s", resp.Status)
	}
	defer resp.Body.Close()
	return decode(resp.Body)
}

// --- look-alikes that must stay silent ---

// No release of its own: the unknown function may well take the body.
func handOff(c *http.Client, url string, consume func(io.ReadCloser) error) error {
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return consume(resp.Body)
	}
	return consume(resp.Body)
}

// The deferred Close covers every path out.
func deferredFirst(c *http.Client, url string, decode func(io.Reader) error) error {
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %s", resp.Status)
	}
	return decode(resp.Body)
}
