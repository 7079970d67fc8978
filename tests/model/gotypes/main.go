// Command gotypes prints the type go/types gives every local variable of some standard library packages.
//
//	gotypes net/http os bufio ...
//
// One line per variable, tab-separated: kind, package import path, file, byte offset of the declaring
// identifier, name, type.
// Kind is "var" for an identifier go/types records in Info.Defs (parameters, named results, receivers,
// `:=`, `var`, range and select-receive variables), "case" for the implicit variable of one clause of
// a type switch (Info.Implicits; the offset is then the clause's `case` or `default` keyword). Only the
// variables of function declarations and literals and of their bodies are printed: not the fields of
// struct types, not the parameters of function types and interface methods, not package-level
// variables, not `_`.
//
// The type is types.TypeString with the full package path as qualifier, with three normalisations,
// each for a string form that differs for one and the same type:
//   - aliases are resolved, deeply (go/types keeps `os.FileInfo`, which is `io/fs.FileInfo`);
//   - byte and rune are uint8 and int32, the empty interface is interface{} (not `any`);
//   - GOROOT's vendored packages keep their import path (`golang.org/x/net/...`, not `vendor/golang.org/...`).
//
// Packages are type-checked from source (go/importer's "source" importer, the build context of the
// environment: GOOS, GOARCH, CGO_ENABLED), standard library only, offline.
package main

import (
	"bufio"
	"fmt"
	"go/ast"
	"go/build"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"strings"
)

func qualifier(p *types.Package) string {
	return strings.TrimPrefix(p.Path(), "vendor/")
}

// unalias rebuilds t with every alias replaced by the type it denotes, byte and rune by uint8 and
// int32, and the empty interface by a fresh one (which TypeString prints as interface{}, not any).
func unalias(t types.Type) types.Type {
	switch t := t.(type) {
	case *types.Alias:
		return unalias(types.Unalias(t))
	case *types.Basic:
		switch t.Kind() {
		case types.Uint8:
			return types.Typ[types.Uint8]
		case types.Int32:
			return types.Typ[types.Int32]
		}
		return t
	case *types.Pointer:
		return types.NewPointer(unalias(t.Elem()))
	case *types.Slice:
		return types.NewSlice(unalias(t.Elem()))
	case *types.Array:
		return types.NewArray(unalias(t.Elem()), t.Len())
	case *types.Map:
		return types.NewMap(unalias(t.Key()), unalias(t.Elem()))
	case *types.Chan:
		return types.NewChan(t.Dir(), unalias(t.Elem()))
	case *types.Named:
		args := t.TypeArgs()
		if args.Len() == 0 {
			return t
		}
		list := make([]types.Type, args.Len())
		for i := range list {
			list[i] = unalias(args.At(i))
		}
		inst, err := types.Instantiate(nil, t.Origin(), list, false)
		if err != nil {
			return t
		}
		return inst
	case *types.Tuple:
		return unaliasTuple(t)
	case *types.Signature:
		if t.TypeParams().Len() > 0 || t.RecvTypeParams().Len() > 0 {
			return t // a generic function: not the type of a variable
		}
		return types.NewSignatureType(nil, nil, nil, unaliasTuple(t.Params()), unaliasTuple(t.Results()), t.Variadic())
	case *types.Struct:
		fields := make([]*types.Var, t.NumFields())
		tags := make([]string, t.NumFields())
		for i := range fields {
			f := t.Field(i)
			fields[i] = types.NewField(f.Pos(), f.Pkg(), f.Name(), unalias(f.Type()), f.Embedded())
			tags[i] = t.Tag(i)
		}
		return types.NewStruct(fields, tags)
	case *types.Interface:
		if t.NumExplicitMethods() == 0 && t.NumEmbeddeds() == 0 {
			return types.NewInterfaceType(nil, nil).Complete()
		}
		methods := make([]*types.Func, t.NumExplicitMethods())
		for i := range methods {
			m := t.ExplicitMethod(i)
			methods[i] = types.NewFunc(m.Pos(), m.Pkg(), m.Name(), unalias(m.Type()).(*types.Signature))
		}
		embeds := make([]types.Type, t.NumEmbeddeds())
		for i := range embeds {
			embeds[i] = unalias(t.EmbeddedType(i))
		}
		return types.NewInterfaceType(methods, embeds).Complete()
	}
	return t
}

func unaliasTuple(t *types.Tuple) *types.Tuple {
	if t == nil {
		return nil
	}
	vars := make([]*types.Var, t.Len())
	for i := range vars {
		v := t.At(i)
		vars[i] = types.NewParam(v.Pos(), v.Pkg(), v.Name(), unalias(v.Type()))
	}
	return types.NewTuple(vars...)
}

type printer struct {
	path string
	fset *token.FileSet
	info *types.Info
	out  *bufio.Writer
}

func (p *printer) emit(kind string, pos token.Pos, v *types.Var) {
	if v == nil || v.Name() == "_" {
		return
	}
	at := p.fset.Position(pos)
	fmt.Fprintf(p.out, "%s\t%s\t%s\t%d\t%s\t%s\n", kind, p.path, at.Filename, at.Offset, v.Name(),
		types.TypeString(unalias(v.Type()), qualifier))
}

func (p *printer) fields(list *ast.FieldList) {
	if list == nil {
		return
	}
	for _, f := range list.List {
		for _, name := range f.Names {
			if v, ok := p.info.Defs[name].(*types.Var); ok {
				p.emit("var", name.Pos(), v)
			}
		}
	}
}

func (p *printer) signature(recv *ast.FieldList, typ *ast.FuncType) {
	p.fields(recv)
	p.fields(typ.Params)
	p.fields(typ.Results)
}

func (p *printer) body(body *ast.BlockStmt) {
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			p.signature(nil, n.Type)
			p.body(n.Body)
			return false
		case *ast.FuncType, *ast.StructType, *ast.InterfaceType:
			return false // parameters of function types, fields, interface methods: not variables
		case *ast.Ident:
			if v, ok := p.info.Defs[n].(*types.Var); ok && !v.IsField() {
				p.emit("var", n.Pos(), v)
			}
		case *ast.CaseClause:
			if v, ok := p.info.Implicits[n].(*types.Var); ok {
				p.emit("case", n.Pos(), v)
			}
		}
		return true
	})
}

func check(path string, fset *token.FileSet, imp types.Importer, out *bufio.Writer) error {
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	bp, err := build.Default.Import(path, wd, 0) // an import path, or a directory (./p) for trying a snippet
	if err != nil {
		return err
	}
	var files []*ast.File
	for _, name := range bp.GoFiles {
		f, err := parser.ParseFile(fset, filepath.Join(bp.Dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files = append(files, f)
	}
	info := &types.Info{
		Defs:      map[*ast.Ident]types.Object{},
		Implicits: map[ast.Node]types.Object{},
	}
	var errs []error
	conf := types.Config{Importer: imp, Error: func(err error) { errs = append(errs, err) }}
	if _, err := conf.Check(path, fset, files, info); err != nil && len(errs) == 0 {
		return err
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s: %d type errors, the first: %v", path, len(errs), errs[0])
	}
	p := &printer{path, fset, info, out}
	for _, f := range files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok {
				p.signature(fd.Recv, fd.Type)
				if fd.Body != nil {
					p.body(fd.Body)
				}
			} else {
				// package-level initializers may hold function literals
				ast.Inspect(d, func(n ast.Node) bool {
					if fl, ok := n.(*ast.FuncLit); ok {
						p.signature(nil, fl.Type)
						p.body(fl.Body)
						return false
					}
					return true
				})
			}
		}
	}
	return nil
}

func main() {
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "source", nil)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	status := 0
	for _, path := range os.Args[1:] {
		if err := check(path, fset, imp, out); err != nil {
			fmt.Fprintln(os.Stderr, "gotypes:", err)
			status = 1
		}
	}
	out.Flush()
	os.Exit(status)
}
