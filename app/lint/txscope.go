// Package lint holds jiaxiao's own static checks, run by its tests.
//
// TxScope finds work that must not happen while a database transaction is
// open: a network call (object storage, SMS gateway, Redis, HTTP), which
// holds the transaction's locks — on SQLite the whole database — for as long
// as the other side takes to answer; and a statement through the
// connection pool instead of the transaction, which on SQLite waits for the
// transaction to end and on MySQL is not part of it.
package lint

import (
	"fmt"
	"go/token"
	"go/types"
	"sort"
	"strings"

	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/go/ssa"
	"golang.org/x/tools/go/ssa/ssautil"
)

// Finding is one thing reached from a transaction's body.
type Finding struct {
	Pos   token.Position // where the transaction begins (the InTx call)
	Chain []string       // the functions from the body to What
	What  string
}

func (f Finding) String() string {
	return fmt.Sprintf("%s: %s (via %s)", f.Pos, f.What, strings.Join(f.Chain, " → "))
}

const (
	module  = "jiaxiao"
	gormPkg = "gorm.io/gorm"
)

// Module is the module's packages, loaded and type-checked once for the
// checks.
type Module struct {
	pkgs []*packages.Package
	prog *ssa.Program // built on first use
}

// Load loads the packages matched by patterns (relative to dir).
func Load(dir string, patterns ...string) (*Module, error) {
	cfg := &packages.Config{Mode: packages.LoadSyntax, Dir: dir}
	initial, err := packages.Load(cfg, patterns...)
	if err != nil {
		return nil, err
	}
	var errs []string
	packages.Visit(initial, nil, func(p *packages.Package) {
		for _, e := range p.Errors {
			errs = append(errs, e.Error())
		}
	})
	if len(errs) > 0 {
		return nil, fmt.Errorf("lint: load: %s", strings.Join(errs, "; "))
	}
	return &Module{pkgs: initial}, nil
}

// TxScope returns what the module's transaction bodies reach.
func (m *Module) TxScope() []Finding {
	if m.prog == nil {
		m.prog, _ = ssautil.Packages(m.pkgs, ssa.InstantiateGenerics)
		m.prog.Build()
	}
	c := &checker{prog: m.prog, impls: map[*types.Func][]*ssa.Function{}}
	c.collectTypes()
	return c.run()
}

type checker struct {
	prog  *ssa.Program
	named []types.Type // the module's concrete named types, for interface calls
	impls map[*types.Func][]*ssa.Function
}

func inModule(path string) bool { return path == module || strings.HasPrefix(path, module+"/") }

func (c *checker) collectTypes() {
	for _, p := range c.prog.AllPackages() {
		if !inModule(p.Pkg.Path()) {
			continue
		}
		for _, m := range p.Members {
			if t, ok := m.(*ssa.Type); ok {
				if _, isIface := t.Type().Underlying().(*types.Interface); !isIface {
					c.named = append(c.named, t.Type())
				}
			}
		}
	}
}

// implementations are the module's methods that a call of the interface
// method m may reach.
func (c *checker) implementations(m *types.Func) []*ssa.Function {
	if fns, ok := c.impls[m]; ok {
		return fns
	}
	iface, _ := m.Type().(*types.Signature).Recv().Type().Underlying().(*types.Interface)
	var out []*ssa.Function
	for _, t := range c.named {
		for _, recv := range []types.Type{t, types.NewPointer(t)} {
			if iface == nil || !types.Implements(recv, iface) {
				continue
			}
			if sel := c.prog.MethodSets.MethodSet(recv).Lookup(m.Pkg(), m.Name()); sel != nil {
				if fn := c.prog.MethodValue(sel); fn != nil {
					out = append(out, fn)
				}
				break
			}
		}
	}
	c.impls[m] = out
	return out
}

// txParam reports which argument of a call to fn is run inside a
// transaction: InTx's and gorm's Transaction's function argument, and that
// of any function of the module that hands one of its parameters on to them.
type txParam map[*ssa.Function]int

func isTxStarter(fn *ssa.Function) (int, bool) {
	obj, _ := fn.Object().(*types.Func)
	if obj == nil || obj.Pkg() == nil {
		return 0, false
	}
	switch {
	case obj.Pkg().Path() == module+"/app/db" && obj.Name() == "InTx":
		return 2, true
	case obj.Pkg().Path() == gormPkg && obj.Name() == "Transaction" && fn.Signature.Recv() != nil:
		return 1, true // receiver is argument 0 of a static method call
	}
	return 0, false
}

type site struct {
	call *ssa.CallCommon
	pos  token.Pos
	in   *ssa.Function
	body *ssa.Function
}

func (c *checker) run() []Finding {
	starters := txParam{}
	var fns []*ssa.Function
	for fn := range ssautil.AllFunctions(c.prog) {
		if fn.Pkg != nil && inModule(fn.Pkg.Pkg.Path()) && fn.Blocks != nil {
			fns = append(fns, fn)
		}
	}
	sort.Slice(fns, func(i, j int) bool { return fns[i].Pos() < fns[j].Pos() })
	argOf := func(callee *ssa.Function) (int, bool) {
		if i, ok := isTxStarter(callee); ok {
			return i, true
		}
		i, ok := starters[callee]
		return i, ok
	}
	// txArg is the argument of a call that runs in a transaction, if any.
	txArg := func(cc *ssa.CallCommon) (ssa.Value, bool) {
		callee := cc.StaticCallee()
		if callee == nil {
			return nil, false
		}
		i, ok := argOf(callee)
		if !ok || i >= len(cc.Args) {
			return nil, false
		}
		return cc.Args[i], true
	}
	// Wrappers become starters too: one that passes its own parameter on
	// to a starter, and one whose transaction body calls its parameter
	// (a closure calling a captured fn(tx, …)). Repeat until nothing
	// changes.
	for changed := true; changed; {
		changed = false
		for _, fn := range fns {
			mark := func(v ssa.Value) {
				for k, q := range fn.Params {
					if q == v {
						if _, seen := starters[fn]; !seen {
							starters[fn] = k
							changed = true
						}
					}
				}
			}
			forCalls(fn, func(cc *ssa.CallCommon, _ token.Pos) {
				arg, ok := txArg(cc)
				if !ok {
					return
				}
				mark(arg)
				mc, isClosure := arg.(*ssa.MakeClosure)
				if !isClosure {
					return
				}
				body := mc.Fn.(*ssa.Function)
				forCalls(body, func(inner *ssa.CallCommon, _ token.Pos) {
					callee := inner.Value
					if load, ok := callee.(*ssa.UnOp); ok && load.Op == token.MUL {
						callee = load.X // a captured variable is read through its cell
					}
					if fv, isFree := callee.(*ssa.FreeVar); isFree && !inner.IsInvoke() {
						for i, f := range body.FreeVars {
							if f == fv {
								mark(paramBehind(fn, mc.Bindings[i]))
							}
						}
					}
				})
			})
		}
	}
	var sites []site
	for _, fn := range fns {
		forCalls(fn, func(cc *ssa.CallCommon, pos token.Pos) {
			arg, ok := txArg(cc)
			if !ok {
				return
			}
			if body := funcOf(arg); body != nil {
				sites = append(sites, site{call: cc, pos: pos, in: fn, body: body})
			}
		})
	}
	var out []Finding
	for _, s := range sites {
		seen := map[*ssa.Function]bool{}
		reported := map[string]bool{}
		c.walk(s.body, []string{name(s.body)}, seen, func(chain []string, what string) {
			if reported[what] {
				return
			}
			reported[what] = true
			out = append(out, Finding{Pos: c.prog.Fset.Position(s.pos), Chain: append([]string(nil), chain...), What: what})
		})
	}
	return out
}

// walk visits fn and everything it calls, reporting network calls and
// statements through the pool.
func (c *checker) walk(fn *ssa.Function, chain []string, seen map[*ssa.Function]bool, report func([]string, string)) {
	if seen[fn] {
		return
	}
	seen[fn] = true
	if what, ok := network(fn); ok {
		report(chain, what)
		return
	}
	if fn.Blocks == nil || fn.Pkg == nil || !inModule(fn.Pkg.Pkg.Path()) {
		return
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			switch in := instr.(type) {
			case *ssa.FieldAddr:
				if f := fieldOf(in.X.Type(), in.Field); f != nil && isGormDB(f.Type()) {
					report(chain, pool(fn, f))
				}
			case *ssa.Field:
				if f := fieldOf(in.X.Type(), in.Field); f != nil && isGormDB(f.Type()) {
					report(chain, pool(fn, f))
				}
			case *ssa.MakeClosure:
				// A function made here may be called here.
				g := in.Fn.(*ssa.Function)
				c.walk(g, append(chain, name(g)), seen, report)
			case ssa.CallInstruction:
				cc := in.Common()
				if g := cc.StaticCallee(); g != nil {
					c.walk(g, append(chain, name(g)), seen, report)
				} else if cc.IsInvoke() && cc.Method.Pkg() != nil && inModule(cc.Method.Pkg().Path()) {
					for _, g := range c.implementations(cc.Method) {
						c.walk(g, append(chain, name(g)), seen, report)
					}
				}
			}
		}
	}
}

// network names the call if fn talks to another machine.
func network(fn *ssa.Function) (string, bool) {
	obj, _ := fn.Object().(*types.Func)
	if obj == nil && fn.Origin() != nil {
		obj, _ = fn.Origin().Object().(*types.Func)
	}
	if obj == nil || obj.Pkg() == nil {
		return "", false
	}
	path, n := obj.Pkg().Path(), obj.Name()
	recv := ""
	if r := obj.Type().(*types.Signature).Recv(); r != nil {
		t := r.Type()
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem()
		}
		if nt, ok := t.(*types.Named); ok {
			recv = nt.Obj().Name()
		}
	}
	what := path + "." + n
	if recv != "" {
		what = path + "." + recv + "." + n
	}
	switch {
	case path == "net/http" && (recv == "Client" || recv == "Transport" && n == "RoundTrip" ||
		recv == "" && (n == "Get" || n == "Post" || n == "PostForm" || n == "Head")):
		return "a network call: " + what, true
	case path == "net" && (strings.HasPrefix(n, "Dial") || strings.HasPrefix(n, "Lookup") || recv == "Resolver"):
		return "a network call: " + what, true
	case path == "net/smtp" && (n == "SendMail" || n == "Dial"):
		return "a network call: " + what, true
	case strings.HasPrefix(path, "github.com/minio/minio-go/") && recv == "Client":
		return "a network call: " + what, true
	case strings.HasPrefix(path, "github.com/redis/go-redis/") && recv != "":
		return "a network call: " + what, true
	}
	return "", false
}

func pool(fn *ssa.Function, f *types.Var) string {
	return fmt.Sprintf("the connection pool (%s) instead of the transaction, in %s", f.Name(), name(fn))
}

// paramBehind is the parameter of fn that v holds: v itself, or the cell
// fn stored it in for a closure to capture.
func paramBehind(fn *ssa.Function, v ssa.Value) ssa.Value {
	if _, isCell := v.(*ssa.Alloc); !isCell {
		return v
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if st, ok := instr.(*ssa.Store); ok && st.Addr == v {
				if p, isParam := st.Val.(*ssa.Parameter); isParam {
					return p
				}
			}
		}
	}
	return v
}

func funcOf(v ssa.Value) *ssa.Function {
	switch v := v.(type) {
	case *ssa.MakeClosure:
		return v.Fn.(*ssa.Function)
	case *ssa.Function:
		return v
	}
	return nil
}

func forCalls(fn *ssa.Function, f func(*ssa.CallCommon, token.Pos)) {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if ci, ok := instr.(ssa.CallInstruction); ok {
				f(ci.Common(), instr.Pos())
			}
		}
	}
}

func fieldOf(t types.Type, i int) *types.Var {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	if s, ok := t.Underlying().(*types.Struct); ok && i < s.NumFields() {
		return s.Field(i)
	}
	return nil
}

func isGormDB(t types.Type) bool {
	p, ok := t.(*types.Pointer)
	if !ok {
		return false
	}
	n, ok := p.Elem().(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == gormPkg && n.Obj().Name() == "DB"
}

func name(fn *ssa.Function) string {
	return strings.ReplaceAll(fn.String(), module+"/", "")
}
