package deferinloop

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/lzw"
	"compress/zlib"
	"context"
	"io"
	"os"
)

// Decompressors: their Close does not close the reader they read from and releases only memory
// (compress/gzip/gunzip_test.go, compress/lzw/reader_test.go).

func gunzipAll(blobs [][]byte) {
	for _, b := range blobs {
		r, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return
		}
		defer r.Close()
		io.Copy(io.Discard, r)
	}
}

func inflateAll(blobs [][]byte) {
	for _, b := range blobs {
		fr := flate.NewReader(bytes.NewReader(b))
		defer fr.Close()
		lr := lzw.NewReader(bytes.NewReader(b), lzw.LSB, 8)
		defer lr.Close()
		zr, err := zlib.NewReader(bytes.NewReader(b))
		if err != nil {
			return
		}
		defer zr.Close()
		io.Copy(io.Discard, io.MultiReader(fr, lr, zr))
	}
}

// The file under the decompressor is another matter: its descriptor stays open until the function returns.
func gunzipFiles(names []string) {
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			return
		}
		defer f.Close() // want `defer f\.Close\(\) in a loop runs only when the function returns`
		r, err := gzip.NewReader(f)
		if err != nil {
			return
		}
		defer r.Close()
		io.Copy(io.Discard, r)
	}
}

// A context nobody keeps, of a root parent: it registers with nothing, its cancel releases nothing
// (prometheus scrape/manager_test.go).
func discardedContexts(n int, do func()) {
	for i := 0; i < n; i++ {
		_, cancel := context.WithCancel(context.Background())
		defer cancel()
		do()
	}
}

// The context is kept (and used), or its parent can be done: its cancel releases what it holds.
func keptContexts(parent context.Context, n int, do func(context.Context)) {
	for i := 0; i < n; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel() // want `in a loop`
		do(ctx)
	}
	for i := 0; i < n; i++ {
		_, cancel := context.WithCancel(parent)
		defer cancel() // want `in a loop`
	}
}
