package finalizercycle

import (
	"os"
	rt "runtime"
	"sync"
)

// A type that can reach itself.
type Node struct {
	Data []byte
	Next *Node
}

func newNode() *Node {
	n := &Node{Data: make([]byte, 1<<20)}
	rt.SetFinalizer(n, func(n *Node) { n.Data = nil }) // want `runtime.SetFinalizer on \*Node, which can reach itself \(Node.Next -> Node\)`
	return n
}

// Seed 000: two objects with finalizers that reference each other.
type A struct {
	b *B
}

type B struct {
	a []*A
}

func (a *A) release() {}

func (b *B) release() {}

func pair() *A {
	a := &A{}
	b := new(B)
	a.b = b
	b.a = append(b.a, a)
	rt.SetFinalizer(a, (*A).release) // want `A and B both get finalizers and point at each other \(A.b -> B.a -> A\)`
	rt.SetFinalizer(b, (*B).release) // want `B and A both get finalizers and point at each other`
	return a
}

// Through a type declared elsewhere in the package, and a value field.
type Tree struct {
	root branch
}

type branch struct {
	children map[string]*Tree
}

func grow(t *Tree) {
	rt.SetFinalizer(t, func(*Tree) {}) // want `\*Tree, which can reach itself \(Tree.root -> branch.children -> Tree\)`
}

// Look-alikes that must stay silent.

// No cycle: the fields lead to other packages' types, interfaces and plain data.
type File struct {
	f    *os.File
	mu   sync.Mutex
	any  interface{ Close() error }
	name string
	buf  []byte
}

func open(name string) (*File, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	w := &File{f: f, name: name}
	rt.SetFinalizer(w, func(w *File) { w.f.Close() })
	return w, nil
}

// A chain that ends.
type Head struct{ tail *Tail }

type Tail struct{ n int }

func chain() *Head {
	h := &Head{tail: &Tail{}}
	rt.SetFinalizer(h, func(*Head) {})
	return h
}

// Removing a finalizer.
func (n *Node) Close() {
	rt.SetFinalizer(n, nil)
}

// The type cannot be told.
func unknown(x any) {
	rt.SetFinalizer(x, func(any) {})
}
