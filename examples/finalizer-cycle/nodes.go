// Package finalizercycle holds the finalizer pattern of seed 000: objects
// with finalizers that point at each other are never collected.
package finalizercycle

import (
	"fmt"
	"runtime"
)

// Node points at its peer; a cycle of nodes with finalizers leaks.
type Node struct {
	peer *Node
	data [1 << 10]byte
}

// Pair links two nodes into a cycle and gives each a finalizer: the garbage
// collector will never run either finalizer, nor free the nodes.
func Pair() {
	a, b := &Node{}, &Node{}
	a.peer, b.peer = b, a
	runtime.SetFinalizer(a, func(n *Node) { fmt.Println("freed", len(n.data)) }) // leak: cycle
	runtime.SetFinalizer(b, func(n *Node) { fmt.Println("freed", len(n.data)) }) // leak: cycle
}
