// Package unclosedbody holds the unclosed-body patterns of seeds 000 and 003:
// HTTP responses whose Body is never closed.
package unclosedbody

import (
	"fmt"
	"io"
	"net/http"
)

// MakeRequest is seed 000: the body is read but never closed, so the
// connection is not reused and its buffers stay allocated.
func MakeRequest() {
	client := &http.Client{}
	req, err := http.NewRequest(http.MethodGet, "http://localhost:8081", nil)
	if err != nil {
		return
	}
	res, err := client.Do(req) // leak: res.Body never closed
	if err != nil {
		fmt.Println(err)
	}
	_, err = io.ReadAll(res.Body)
	if err != nil {
		fmt.Println(err)
	}
}

// Fetch is seed 003: `defer resp.Body.Close()` is missing after the error
// check; `plumber check --fix` inserts it.
func Fetch() error {
	resp, err := http.Get("https://example.com") // leak: resp.Body never closed
	if err != nil {
		return err
	}
	fmt.Println(resp.Status)
	return nil
}

// FetchClosed is the fixed version: no finding.
func FetchClosed() error {
	resp, err := http.Get("https://example.com")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	fmt.Println(resp.Status)
	return nil
}
