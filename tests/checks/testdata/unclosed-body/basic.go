package unclosedbody

import (
	"encoding/json"
	"fmt"
	"io"
	"io/ioutil"
	"net/http"
	"strings"
)

// Seed 003: the body is never closed.
func seed003() error {
	resp, err := http.Get("https://example.com") // want `resp.Body is never closed: the connection is not reused`
	if err != nil {
		return err
	}
	fmt.Println(resp.StatusCode)
	return nil
}

// Seed 000: a client's Do, the error not leaving the function.
func seed000() {
	client := &http.Client{}
	req, err := http.NewRequest(http.MethodGet, "http://localhost:8081", nil)
	if err != nil {
		return
	}
	res, err := client.Do(req) // want `res.Body is never closed`
	if err != nil {
		fmt.Println(err)
	}
	_, err = ioutil.ReadAll(res.Body)
	if err != nil {
		fmt.Println(err)
	}
}

func decode(url string, v any) error {
	r, err := http.DefaultClient.Get(url) // want `r.Body is never closed`
	if err != nil {
		return err
	}
	return json.NewDecoder(r.Body).Decode(v)
}

func post(c *http.Client, url string) (int, error) {
	resp, err := c.Post(url, "text/plain", strings.NewReader("x")) // want `resp.Body is never closed`
	if err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

type api struct{ hc *http.Client }

func (a *api) etag(url string) (string, error) {
	resp, err := a.hc.Get(url) // want `resp.Body is never closed`
	if err != nil {
		return "", err
	}
	return resp.Header.Get("ETag"), nil
}

func ping(url string) error {
	_, err := http.Get(url) // want `the response is discarded`
	return err
}

// --- look-alikes that must stay silent ---

func closed(url string) ([]byte, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

func closedInClosure(url string) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer func() {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}()
	return nil
}

func returned(url string) (*http.Response, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	return resp, nil
}

func helper(url string) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	return drain(resp)
}

func drain(resp *http.Response) error {
	defer resp.Body.Close()
	_, err := io.Copy(io.Discard, resp.Body)
	return err
}

func bodyHandedOn(url string) (io.ReadCloser, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

type cache struct{ m map[string]string }

func (c *cache) Get(key string) (string, error) { return c.m[key], nil }

func notHTTP(c *cache) string {
	v, err := c.Get("k")
	if err != nil {
		return ""
	}
	return v
}

type result struct{ resp *http.Response }

func stored(url string) *result {
	resp, _ := http.Get(url)
	return &result{resp: resp}
}
