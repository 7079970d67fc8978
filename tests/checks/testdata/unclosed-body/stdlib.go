package unclosedbody

import (
	"errors"
	"fmt"
	"net/http"
	"os"
)

// Look-alikes found in the Go standard library (go1.27 src), and their leaky neighbours.

// net/http/client_test.go: a HEAD response's Body is http.NoBody and its connection is back in
// the pool before the response is returned: nothing is held.
func head(c *http.Client, url string) (string, error) {
	res, err := c.Head(url)
	if err != nil {
		return "", err
	}
	return res.Header.Get("Content-Length"), nil
}

func headPackage(url string) (int, error) {
	res, err := http.Head(url)
	if err != nil {
		return 0, err
	}
	return res.StatusCode, nil
}

func headRequest(c *http.Client, url string) (int, error) {
	req, err := http.NewRequest(http.MethodHead, url, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Accept", "*/*")
	req.Close = true
	res, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	return res.StatusCode, nil
}

// os/exec/exec_test.go, net/http/internal/http2/transport_test.go: the request is meant to fail.
func wantError(url string) {
	_, err := http.Get(url)
	if err == nil {
		fmt.Println("success fetching", url, "; want an error")
	}
}

func wantDeadline(c *http.Client, url string) {
	_, err := c.Get(url)
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		panic(err)
	}
}

// --- still flagged ---

// The request's method is changed after it was built: not a HEAD request any more.
func notHeadAnyMore(c *http.Client, url string) (int, error) {
	req, err := http.NewRequest("HEAD", url, nil)
	if err != nil {
		return 0, err
	}
	req.Method = http.MethodGet
	res, err := c.Do(req) // want `res.Body is never closed`
	if err != nil {
		return 0, err
	}
	return res.StatusCode, nil
}

// net/http/cookiejar/example_test.go: the response of a successful request is dropped.
func cookies(c *http.Client, url string) {
	if _, err := c.Get(url); err != nil { // want `the response is discarded`
		panic(err)
	}
}

// net/http/serve_test.go: only the headers are read.
func header(c *http.Client, url string) string {
	res, err := c.Get(url) // want `res.Body is never closed`
	if err != nil {
		panic(err)
	}
	return res.Header.Get("X-Addr")
}

func wantSuccess(url string) {
	_, err := http.Get(url) // want `the response is discarded`
	if err != nil {
		panic(err)
	}
}

// net/http/serve_test.go: the variable is reused for a second request; neither body is closed.
func twice(c *http.Client, url string) {
	res, err := c.Get(url) // want `res.Body is never closed`
	if err != nil {
		panic(err)
	}
	fmt.Println(res.StatusCode)
	res, err = c.Get(url) // want `res.Body is never closed`
	if err != nil {
		panic(err)
	}
	fmt.Println(res.StatusCode)
}

func twiceClosed(c *http.Client, url string) {
	res, err := c.Get(url)
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	res, err = c.Get(url)
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
}

// `if err == nil` is the success branch when the response is kept.
func successBranch(url string) int {
	resp, err := http.Get(url) // want `resp.Body is never closed`
	if err == nil {
		return resp.StatusCode
	}
	return 0
}
