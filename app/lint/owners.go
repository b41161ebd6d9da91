package lint

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gorm.io/gorm/schema"
)

// Use is one place where a package names a table it does not own.
type Use struct {
	Pos          token.Position
	Pkg, Table   string
	Owner, Where string // Where: "SQL" or "model T"
}

func (u Use) String() string {
	return fmt.Sprintf("%s: %s names table %s (%s), which %s owns", u.Pos, u.Pkg, u.Table, u.Where, u.Owner)
}

// Tables reads the table names created by the migrations in dir.
func Tables(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.sql"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("lint: no migrations in %s (%v)", dir, err)
	}
	re := regexp.MustCompile("(?i)CREATE TABLE (?:IF NOT EXISTS )?`?([a-z_0-9]+)`?")
	seen := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			seen[strings.ToLower(m[1])] = true
		}
	}
	out := make([]string, 0, len(seen))
	for t := range seen {
		out = append(out, t)
	}
	sort.Strings(out)
	return out, nil
}

// sqlTable finds table names in SQL text: after FROM, JOIN, INTO, UPDATE
// and TABLE.
var sqlTable = regexp.MustCompile("(?i)\\b(?:from|join|into|update|table)\\s+`?([a-z_0-9]+)`?")

// leadingTable is the table at the start of gorm's Table and Joins
// arguments ("users AS u").
var leadingTable = regexp.MustCompile("^\\s*`?([a-z_0-9]+)`?(?:\\s|$)")

// Owners checks that each table is named only by its owner: the one
// package that declares its GORM model (a struct with a TableName method,
// or one passed to gorm whose default name is the table's). It returns
// the tables that have no model or more than one, and every use of a table,
// in SQL text or through a model, by another package. Packages in exempt
// (test support, say) are not checked.
func (m *Module) Owners(tables []string, exempt ...string) (problems []string, uses []Use) {
	known := map[string]bool{}
	for _, t := range tables {
		known[t] = true
	}
	skip := func(path string) bool {
		for _, e := range exempt {
			if path == e || strings.HasPrefix(path, e+"/") {
				return true
			}
		}
		return false
	}
	names := map[*types.TypeName]string{} // a model type's table
	explicit := map[*types.TypeName]bool{}
	for _, p := range m.pkgs {
		for _, f := range p.Syntax {
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || fd.Name.Name != "TableName" || fd.Recv == nil || fd.Body == nil || len(fd.Body.List) != 1 {
					continue
				}
				ret, ok := fd.Body.List[0].(*ast.ReturnStmt)
				if !ok || len(ret.Results) != 1 {
					continue
				}
				lit, ok := ret.Results[0].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					continue
				}
				if tn := recvType(p.TypesInfo, fd); tn != nil {
					names[tn], _ = strconv.Unquote(lit.Value)
					explicit[tn] = true
				}
			}
		}
	}
	modelOf := func(t types.Type) *types.TypeName {
		for {
			switch u := t.(type) {
			case *types.Pointer:
				t = u.Elem()
				continue
			case *types.Slice:
				t = u.Elem()
				continue
			case *types.Array:
				t = u.Elem()
				continue
			}
			break
		}
		n, ok := t.(*types.Named)
		if !ok || n.Obj().Pkg() == nil || !inModule(n.Obj().Pkg().Path()) {
			return nil
		}
		if _, isStruct := n.Underlying().(*types.Struct); !isStruct {
			return nil
		}
		tn := n.Obj()
		if _, ok := names[tn]; !ok {
			names[tn] = schema.NamingStrategy{}.TableName(tn.Name())
		}
		if !known[names[tn]] {
			return nil
		}
		return tn
	}
	type ref struct {
		pos   token.Pos
		pkg   string
		table string
		where string
	}
	var refs []ref
	declares := map[string]map[string]bool{} // table → packages with a model
	declare := func(tn *types.TypeName) {
		t := names[tn]
		if declares[t] == nil {
			declares[t] = map[string]bool{}
		}
		declares[t][tn.Pkg().Path()] = true
	}
	for tn := range explicit {
		if known[names[tn]] {
			declare(tn)
		}
	}
	var fset *token.FileSet
	for _, p := range m.pkgs {
		fset = p.Fset
		path := p.PkgPath
		for _, f := range p.Syntax {
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.BasicLit:
					if n.Kind != token.STRING {
						return true
					}
					s, _ := strconv.Unquote(n.Value)
					for _, mm := range sqlTable.FindAllStringSubmatch(s, -1) {
						if t := strings.ToLower(mm[1]); known[t] {
							refs = append(refs, ref{n.Pos(), path, t, "SQL"})
						}
					}
				case *ast.CallExpr:
					fn := calledGormMethod(p.TypesInfo, n)
					if fn == "" {
						return true
					}
					for i, a := range n.Args {
						if (fn == "Table" || fn == "Joins") && i == 0 {
							if lit, ok := a.(*ast.BasicLit); ok && lit.Kind == token.STRING {
								s, _ := strconv.Unquote(lit.Value)
								if mm := leadingTable.FindStringSubmatch(s); mm != nil && known[strings.ToLower(mm[1])] {
									refs = append(refs, ref{lit.Pos(), path, strings.ToLower(mm[1]), "SQL"})
								}
							}
						}
						tv, ok := p.TypesInfo.Types[a]
						if !ok {
							continue
						}
						if tn := modelOf(tv.Type); tn != nil {
							declare(tn)
							refs = append(refs, ref{a.Pos(), path, names[tn], "model " + tn.Pkg().Name() + "." + tn.Name()})
						}
					}
				}
				return true
			})
		}
	}
	owner := map[string]string{}
	for _, t := range tables {
		var pkgs []string
		for p := range declares[t] {
			pkgs = append(pkgs, p)
		}
		sort.Strings(pkgs)
		switch len(pkgs) {
		case 0:
			problems = append(problems, fmt.Sprintf("table %s has no model in any package", t))
		case 1:
			owner[t] = pkgs[0]
		default:
			problems = append(problems, fmt.Sprintf("table %s has models in %s", t, strings.Join(pkgs, ", ")))
		}
	}
	for _, r := range refs {
		o, ok := owner[r.table]
		if !ok || o == r.pkg || skip(r.pkg) {
			continue
		}
		uses = append(uses, Use{Pos: fset.Position(r.pos), Pkg: r.pkg, Table: r.table, Owner: o, Where: r.where})
	}
	return problems, uses
}

// calledGormMethod names the *gorm.DB method call is of, or "".
func calledGormMethod(info *types.Info, call *ast.CallExpr) string {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return ""
	}
	fn, ok := info.Uses[sel.Sel].(*types.Func)
	if !ok {
		return ""
	}
	recv := fn.Type().(*types.Signature).Recv()
	if recv == nil || !isGormDB(recv.Type()) {
		return ""
	}
	return fn.Name()
}

func recvType(info *types.Info, fd *ast.FuncDecl) *types.TypeName {
	if len(fd.Recv.List) != 1 {
		return nil
	}
	t := info.TypeOf(fd.Recv.List[0].Type)
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	if n, ok := t.(*types.Named); ok {
		return n.Obj()
	}
	return nil
}
