package unclosedbody

import (
	"context"
	"io"
	"net/http"
)

// A client of another API whose Do reads and closes the body itself and returns the bytes
// (client_golang's api.Client): its three-result Do is not http.Client.Do.
type apiClient struct{ hc *http.Client }

func (c *apiClient) Do(ctx context.Context, req *http.Request) (*http.Response, []byte, error) {
	resp, err := c.hc.Do(req.WithContext(ctx))
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

type API interface {
	Do(ctx context.Context, req *http.Request) (*http.Response, []byte, error)
}

func apiStatus(ctx context.Context, c *apiClient, req *http.Request) (int, error) {
	response, data, err := c.Do(ctx, req)
	if err != nil {
		return 0, err
	}
	return response.StatusCode + len(data), nil
}

func statusAPI(ctx context.Context, c API, req *http.Request) (int, error) {
	response, data, err := c.Do(ctx, req)
	if err != nil {
		return 0, err
	}
	return response.StatusCode + len(data), nil
}

// http.Client.Do itself: the body is the caller's.
func statusHTTP(c *http.Client, req *http.Request) (int, error) {
	response, err := c.Do(req) // want `never closed`
	if err != nil {
		return 0, err
	}
	return response.StatusCode, nil
}

// A wrapper that closes only on its error path still returns a fresh response.
func fetch(c *http.Client, req *http.Request) (*http.Response, error) {
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != 200 {
		resp.Body.Close()
		return nil, io.EOF
	}
	return resp, nil
}

func useFetch(c *http.Client, req *http.Request) int {
	resp, err := fetch(c, req) // want `never closed`
	if err != nil {
		return 0
	}
	return resp.StatusCode
}
