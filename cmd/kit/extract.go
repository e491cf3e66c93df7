package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// A source is a Go package the kit copies declarations from: one of the
// library's packages, read from the module's folder, or the kit's own
// solution set (internal/solution), read from the binary.
type source struct {
	name       string // package name, e.g. "layers"
	importPath string // "" for the solution set, whose names are always copied
	fset       *token.FileSet
	text       map[*ast.File][]byte
	decls      map[string]declRef // "Linear", "Linear.Forward", "must2D", …
}

// A declRef is one top-level declaration of a source: a function, a method
// (key "Type.Method") or a whole type, var or const declaration.
type declRef struct {
	file *ast.File
	decl ast.Decl
}

// loadSource parses the non-test Go files of dir in fsys.
func loadSource(fsys fs.FS, dir, importPath string) (*source, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	s := &source{importPath: importPath, fset: token.NewFileSet(), text: map[*ast.File][]byte{}, decls: map[string]declRef{}}
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, n))
		if err != nil {
			return nil, err
		}
		f, err := parser.ParseFile(s.fset, path.Join(dir, n), b, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		if !buildable(f) {
			continue
		}
		s.name = f.Name.Name
		s.text[f] = b
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				key := d.Name.Name
				if d.Recv != nil {
					key = recvType(d) + "." + key
				}
				s.decls[key] = declRef{f, d}
			case *ast.GenDecl:
				if d.Tok == token.IMPORT {
					continue
				}
				for _, sp := range d.Specs {
					switch sp := sp.(type) {
					case *ast.TypeSpec:
						s.decls[sp.Name.Name] = declRef{f, d}
					case *ast.ValueSpec:
						for _, id := range sp.Names {
							s.decls[id.Name] = declRef{f, d}
						}
					}
				}
			}
		}
	}
	if s.name == "" {
		return nil, fmt.Errorf("%s: no Go files", dir)
	}
	return s, nil
}

// buildable reports whether f is compiled without build tags: files for
// one architecture or for the purego tag have twins, and the kit copies
// only code that every build has.
func buildable(f *ast.File) bool {
	for _, cg := range f.Comments {
		if cg.Pos() > f.Package {
			break
		}
		for _, c := range cg.List {
			if strings.HasPrefix(c.Text, "//go:build") {
				return false
			}
		}
	}
	return true
}

// recvType returns the name of a method's receiver type, without the star.
func recvType(d *ast.FuncDecl) string {
	t := d.Recv.List[0].Type
	if st, ok := t.(*ast.StarExpr); ok {
		t = st.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name
	}
	return "?"
}

// importName returns the name a file's import is known by.
func importName(spec *ast.ImportSpec) (name, importPath string) {
	p, _ := strconv.Unquote(spec.Path.Value)
	if spec.Name != nil {
		return spec.Name.Name, p
	}
	elems := strings.Split(p, "/")
	name = elems[len(elems)-1]
	if len(elems) > 1 && len(name) > 1 && name[0] == 'v' && strings.Trim(name[1:], "0123456789") == "" {
		name = elems[len(elems)-2] // math/rand/v2 is rand
	}
	return name, p
}

// An item is one declaration the kit puts into a student file: Name as in
// source.decls, and the Part the student writes it for, or "" when it is
// handed out whole (types, constructors, accessors). From, if set, is the
// source of this item instead of its file's.
type item struct {
	Name string
	Part string
	From string
}

// kitSolution is the From of the kit's own solution set.
const kitSolution = "kit"

// A studentFile is one file of the student's package and where its code
// comes from.
type studentFile struct {
	Name  string // e.g. "linear.go"
	From  string // the library package's folder, e.g. "layers", or kitSolution
	Doc   string // the comment at the top of the file
	Items []item
}

// from returns the source folder of it in f.
func (f studentFile) from(it item) string {
	if it.From != "" {
		return it.From
	}
	return f.From
}

// generator turns studentFiles into Go source, blank or solved.
type generator struct {
	lib     fs.FS // the library module's folder
	kit     fs.FS // the kit's solution set
	module  string
	sources map[string]*source
}

func (g *generator) source(from string) (*source, error) {
	if s, ok := g.sources[from]; ok {
		return s, nil
	}
	var s *source
	var err error
	if from == kitSolution {
		s, err = loadSource(g.kit, "internal/solution", "")
	} else {
		s, err = loadSource(g.lib, from, g.module+"/"+from)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the library's %s: %w", from, err)
	}
	if g.sources == nil {
		g.sources = map[string]*source{}
	}
	g.sources[from] = s
	return s, nil
}

// generate returns the student files of a, each formatted, keyed by file name:
// with solution false the bodies of the items with a Part panic with
// notImplemented; with solution true they are the library's own.
//
// Names are resolved without type checking, on the syntax: an identifier
// that names a top-level declaration of the source package is either
// qualified with the package (an exported name the student file does not
// declare: Param becomes layers.Param), or copied along with the code that
// uses it (an unexported helper such as must2D, and any name of the kit's
// solution set, which the student's module cannot import). A selector
// x.M where M is a method of a type the student file declares copies that
// method too (Backward calling l.inputGrad). Locals are told apart from
// package names by the parser's scopes.
func (g *generator) generate(a *assignment, solution bool) (map[string][]byte, error) {
	files := a.Files
	// Every name the student's package declares, over all files, so that a
	// listed name is never qualified.
	listed := map[string]string{} // name → file
	for _, f := range files {
		for _, it := range f.Items {
			listed[strings.Split(it.Name, ".")[0]] = f.Name
		}
	}
	out := map[string][]byte{}
	copied := map[string]string{} // top-level name → source it came from, to catch clashes
	done := map[ast.Decl]bool{}   // declarations already copied, into this file or an earlier one
	for _, f := range files {
		imports := map[string]string{} // name → path
		var body bytes.Buffer
		var froms []string // the file's sources, in the order of its items
		for _, it := range f.Items {
			if from := f.from(it); !slices.Contains(froms, from) {
				froms = append(froms, from)
			}
		}
		for _, from := range froms {
			src, err := g.source(from)
			if err != nil {
				return nil, err
			}
			types := map[string]bool{} // the types the file declares from src
			parts := map[string]string{}
			var queue []string
			for _, it := range f.Items {
				if f.from(it) != from {
					continue
				}
				parts[it.Name] = it.Part
				queue = append(queue, it.Name)
				if ref, ok := src.decls[it.Name]; ok && !strings.Contains(it.Name, ".") {
					if gd, ok := ref.decl.(*ast.GenDecl); ok && gd.Tok == token.TYPE {
						types[it.Name] = true
					}
				}
			}
			for len(queue) > 0 {
				name := queue[0]
				queue = queue[1:]
				ref, ok := src.decls[name]
				if !ok {
					return nil, fmt.Errorf("%s: %s has no declaration %s any more; update the kit's table (cmd/kit/parts.go)", f.Name, from, name)
				}
				if done[ref.decl] {
					continue
				}
				done[ref.decl] = true
				if top := strings.Split(name, ".")[0]; !strings.Contains(name, ".") {
					if prev, ok := copied[top]; ok && prev != from {
						return nil, fmt.Errorf("%s: %s is declared both by %s and by %s", f.Name, top, prev, from)
					}
					copied[top] = from
				}
				text, deps := g.render(src, ref, name, parts[name], solution, listed, types, imports)
				body.WriteString(text)
				body.WriteString("\n\n")
				queue = append(queue, deps...)
			}
		}
		var file bytes.Buffer
		file.WriteString(f.Doc)
		file.WriteString("\npackage " + a.Package + "\n\n")
		if len(imports) > 0 {
			var std, other []string // the standard library's imports first, then the module's
			for n, p := range imports {
				line := strconv.Quote(p)
				if elems := strings.Split(p, "/"); elems[len(elems)-1] != n && !strings.HasSuffix(p, "/v2") {
					line = n + " " + line
				}
				if strings.Contains(strings.Split(p, "/")[0], ".") {
					other = append(other, line)
				} else {
					std = append(std, line)
				}
			}
			sort.Strings(std)
			sort.Strings(other)
			groups := strings.Join(std, "\n")
			if len(std) > 0 && len(other) > 0 {
				groups += "\n\n"
			}
			groups += strings.Join(other, "\n")
			file.WriteString("import (\n" + groups + "\n)\n\n")
		}
		file.Write(body.Bytes())
		formatted, err := format.Source(file.Bytes())
		if err != nil {
			return nil, fmt.Errorf("%s: generated code does not parse: %v\n%s", f.Name, err, file.Bytes())
		}
		out[f.Name] = formatted
	}
	return out, nil
}

// An edit replaces the bytes [from, to) of a declaration's text.
type edit struct {
	from, to int
	text     string
}

// render returns the text of one declaration, doc comment included, with the
// body blanked if part is set and solution is false, exported library
// names qualified, and the imports it needs added to imports. deps lists
// the further declarations it needs copied.
func (g *generator) render(src *source, ref declRef, name, part string, solution bool, listed map[string]string, types map[string]bool, imports map[string]string) (text string, deps []string) {
	fileImports := map[string]string{}
	for _, spec := range ref.file.Imports {
		n, p := importName(spec)
		fileImports[n] = p
	}
	tf := src.fset.File(ref.file.Pos())
	off := func(p token.Pos) int { return tf.Offset(p) }
	start := ref.decl.Pos()
	switch d := ref.decl.(type) {
	case *ast.FuncDecl:
		if d.Doc != nil {
			start = d.Doc.Pos()
		}
	case *ast.GenDecl:
		if d.Doc != nil {
			start = d.Doc.Pos()
		}
	}
	base := off(start)
	var edits []edit
	var blanked ast.Node
	if fd, ok := ref.decl.(*ast.FuncDecl); ok && part != "" && !solution {
		blanked = fd.Body
		call := fmt.Sprintf("{\n\tpanic(notImplemented(%q, %q))\n}", part, name)
		edits = append(edits, edit{off(fd.Body.Pos()) - base, off(fd.Body.End()) - base, call})
	}
	declStart, declEnd := ref.decl.Pos(), ref.decl.End()
	seen := map[string]bool{}
	addDep := func(n string) {
		if !seen[n] {
			seen[n] = true
			deps = append(deps, n)
		}
	}
	var visit func(n ast.Node) bool
	visit = func(n ast.Node) bool {
		if n == nil || n == blanked {
			return false
		}
		switch n := n.(type) {
		case *ast.SelectorExpr:
			if x, ok := n.X.(*ast.Ident); ok && x.Obj == nil {
				if p, ok := fileImports[x.Name]; ok {
					imports[x.Name] = p
					return false
				}
			}
			for t := range types {
				if _, ok := src.decls[t+"."+n.Sel.Name]; ok {
					addDep(t + "." + n.Sel.Name)
				}
			}
			ast.Inspect(n.X, visit)
			return false
		case *ast.KeyValueExpr:
			if _, ok := n.Key.(*ast.Ident); !ok {
				ast.Inspect(n.Key, visit)
			}
			ast.Inspect(n.Value, visit)
			return false
		case *ast.Field:
			ast.Inspect(n.Type, visit)
			return false
		case *ast.FuncDecl:
			if n.Recv != nil {
				ast.Inspect(n.Recv, visit)
			}
			ast.Inspect(n.Type, visit)
			if n.Body != nil {
				ast.Inspect(n.Body, visit)
			}
			return false
		case *ast.TypeSpec:
			ast.Inspect(n.Type, visit)
			return false
		case *ast.ValueSpec:
			if n.Type != nil {
				ast.Inspect(n.Type, visit)
			}
			for _, v := range n.Values {
				ast.Inspect(v, visit)
			}
			return false
		case *ast.LabeledStmt:
			ast.Inspect(n.Stmt, visit)
			return false
		case *ast.BranchStmt:
			return false
		case *ast.Ident:
			if n.Obj != nil && n.Obj.Pos() >= declStart && n.Obj.Pos() < declEnd {
				if _, top := n.Obj.Decl.(*ast.FuncDecl); !top {
					return false // a local: parameter, receiver, variable
				}
			}
			if _, ok := src.decls[n.Name]; !ok {
				return false // a universe name (len, float64) or a local
			}
			if _, ok := listed[n.Name]; ok {
				return false
			}
			if src.importPath != "" && ast.IsExported(n.Name) {
				imports[src.name] = src.importPath
				edits = append(edits, edit{off(n.Pos()) - base, off(n.Pos()) - base, src.name + "."})
				return false
			}
			addDep(n.Name)
			return false
		}
		return true
	}
	ast.Inspect(ref.decl, visit)
	b := src.text[ref.file][base:off(ref.decl.End())]
	sort.Slice(edits, func(i, j int) bool { return edits[i].from > edits[j].from })
	out := append([]byte(nil), b...)
	for _, e := range edits {
		out = append(out[:e.from], append([]byte(e.text), out[e.to:]...)...)
	}
	return string(out), deps
}
