// Prints, for every function declaration and literal of the files named on the command line, what
// golang.org/x/tools/go/cfg (the copy vendored in GOROOT/src/cmd/vendor) says about it:
//
//	path offset noreturn live-statement-offsets... | offsets-of-those-that-can-reach-a-return...
//
// (select communications left out of the second list: go/cfg evaluates them all in the select's head).
//
// offset is the byte offset of the function's `func`; the live statements are the statements and var specs in
// live blocks (expressions, the implicit EmptyStmt of a bare label and the synthetic closing-brace return left out).
package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strings"

	"cfgdiff/cfg"
)

func mayReturn(call *ast.CallExpr) bool {
	id, ok := call.Fun.(*ast.Ident)
	return !(ok && id.Name == "panic")
}

// reachesReturn: the blocks from which a block ending in a return (explicit or the synthetic one) is reachable.
func reachesReturn(g *cfg.CFG) map[*cfg.Block]bool {
	preds := map[*cfg.Block][]*cfg.Block{}
	var stack []*cfg.Block
	for _, b := range g.Blocks {
		for _, s := range b.Succs {
			preds[s] = append(preds[s], b)
		}
		if b.Return() != nil {
			stack = append(stack, b)
		}
	}
	seen := map[*cfg.Block]bool{}
	for len(stack) > 0 {
		b := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if !seen[b] {
			seen[b] = true
			stack = append(stack, preds[b]...)
		}
	}
	return seen
}

func main() {
	for _, path := range os.Args[1:] {
		fset := token.NewFileSet()
		file, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			var body *ast.BlockStmt
			switch fn := n.(type) {
			case *ast.FuncDecl:
				body = fn.Body
			case *ast.FuncLit:
				body = fn.Body
			default:
				return true
			}
			if body == nil {
				return true
			}
			g := cfg.New(body, mayReturn)
			returns := reachesReturn(g)
			comms := map[ast.Node]bool{} // evaluated in the select head here, first in their case in Plumber
			ast.Inspect(body, func(n ast.Node) bool {
				if cc, ok := n.(*ast.CommClause); ok && cc.Comm != nil {
					comms[cc.Comm] = true
				}
				return true
			})
			var live, returning []string
			for _, b := range g.Blocks {
				if !b.Live {
					continue
				}
				for _, node := range b.Nodes {
					switch s := node.(type) {
					case *ast.EmptyStmt:
						if s.Implicit {
							continue
						}
					case *ast.ReturnStmt:
						if s.Return == body.Rbrace {
							continue
						}
					case ast.Stmt, *ast.ValueSpec:
					default:
						continue
					}
					offset := fmt.Sprint(fset.Position(node.Pos()).Offset)
					live = append(live, offset)
					if returns[b] && !comms[node] {
						returning = append(returning, offset)
					}
				}
			}
			fmt.Printf("%s %d %v %s | %s\n", path, fset.Position(n.Pos()).Offset, g.NoReturn(),
				strings.Join(live, " "), strings.Join(returning, " "))
			return true
		})
	}
}
