package unclosedbody

import (
	"fmt"
	nethttp "net/http"
)

func status(url string) (int, error) {
	resp, err := nethttp.Get(url) // want `resp.Body is never closed`
	if err != nil {
		return 0, fmt.Errorf("get %s: %w", url, err)
	}
	return resp.StatusCode, nil
}

func statusNoReturn(url string) int {
	resp, err := nethttp.Get(url) // want `resp.Body is never closed`
	if err != nil {
		fmt.Println(err)
	}
	return resp.StatusCode
}
