package deferinloop

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/lzw"
	"compress/zlib"
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
