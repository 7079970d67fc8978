// The compiler whose internal package escape is: only it can import it.
package main

import (
	"fmt"

	"example.com/testdata/unbounded-cache/cmd/comp/internal/escape"
)

func main() {
	fmt.Println(escape.Tag(1))
}
