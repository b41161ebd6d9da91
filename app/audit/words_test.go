package audit_test

import (
	"fmt"
	"go/constant"
	"go/token"
	"go/types"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/go/ssa"
	"golang.org/x/tools/go/ssa/ssautil"

	"jiaxiao/app/audit"
)

// samples are entries as the code writes them, one per action, with
// everything they name known. A new action needs words in audit.Words and
// a sample here (TestEveryActionHasWords says which).
var samples = map[string]audit.Entry{
	"user.create":            {Subject: "user:5", Detail: "role=teacher"},
	"user.register":          {Subject: "user:5", IP: "10.0.0.1"},
	"user.activate":          {Subject: "user:5", IP: "10.0.0.1"},
	"user.depart":            {Subject: "user:5"},
	"user.role":              {Subject: "user:5", Detail: "from=teacher to=admin by=roster"},
	"join.request":           {Subject: "group:3", Detail: "request:9 student:8 roster_match=true"},
	"join.approve":           {Subject: "group:3", Detail: "request:9 parent:5 student:8 roster_match=false"},
	"join.reject":            {Subject: "group:3", Detail: "request:9 parent:5 reason=孩子不在本班"},
	"group.reset_invite":     {Subject: "group:3"},
	"group.rename":           {Subject: "group:3", Detail: "三年级(2)班家长群"},
	"group.moderator_add":    {Subject: "group:3", Detail: "user:5"},
	"group.moderator_remove": {Subject: "group:3", Detail: "user:5"},
	"group.remove":           {Subject: "group:3", Detail: "user:5 ban=true reason=多次发布广告"},
	"group.mute":             {Subject: "group:3", Detail: "user:5 minutes=1440"},
	"group.unmute":           {Subject: "group:3", Detail: "user:5"},
	"group.mute_all":         {Subject: "group:3"},
	"group.unmute_all":       {Subject: "group:3"},
	"group.open_posting":     {Subject: "group:3"},
	"group.close_posting":    {Subject: "group:3"},
	"roster.import":          {Subject: "学生名单.xlsx", Detail: "students created=3 updated=1 unchanged=50 contacts +2 -1 left=1"},
	"roster.import_staff":    {Subject: "教职工.csv", Detail: "created=2 updated=0 unchanged=9"},
	"student.status":         {Subject: "student:8", Detail: "transferred"},
	"department.head":        {Subject: "department:4", Detail: "user:5"},
	"settings.update":        {Detail: "打卡范围：300 → 500 米"},
	"words.add_word":         {Detail: "代购（广告，拒绝发布）"},
	"words.delete_word":      {Detail: "代购"},
	"attendance.approved":    {Subject: "approval:6"},
	"attendance.rejected":    {Subject: "approval:6"},
	"attendance.confirm":     {Subject: "2026-11"},
	"attendance.import":      {Subject: "考勤机.csv", Detail: "added=120 known=3"},
	"attendance.locked_edit": {Subject: "2026-10", Detail: "makeup"},
	"calendar.set":           {Subject: "2026-10-10", Detail: "work=true 国庆调休"},
	"calendar.delete":        {Subject: "2026-10-10"},
	"session.end_others":     {Subject: "user:1", Detail: "count=2", IP: "10.0.0.1"},
	"data.export":            {Subject: "user:1", Detail: "files=3", IP: "10.0.0.1"},
	"leave.approve":          {Subject: "leave:7"},
	"leave.reject":           {Subject: "leave:7", Detail: "reason=请补交病历"},
	"user.close":             {Subject: "user:5", Detail: "days=7", IP: "10.0.0.1"},
	"user.erase":             {Subject: "user:5", Detail: "days=7 reason=家长书面申请注销"},
	"user.erased":            {Subject: "user:5", Detail: "messages=12 files=2 requests=1"},
	"retention.purge":        {Detail: "messages=120 files=8 notifications=300 requests=12 addresses=40 logins=900"},
	"pii.view":               {Subject: "group:3", Detail: "kind=members people=35 students=2"},
	"privacy.update":         {Subject: "privacy:2", Detail: "asks_again=true"},
}

var sampleNames = audit.Names{
	audit.KindUser:       {1: "王建国", 5: "刘敏"},
	audit.KindGroup:      {3: "三年级(2)班家校群"},
	audit.KindStudent:    {8: "刘洋"},
	audit.KindDepartment: {4: "语文教研组"},
	audit.KindApproval:   {6: "李芳的事假申请"},
}

// rawCode finds what must never reach the page: an action code, a
// reference (group:3), a flag (roster_match=true), a lowercase English
// word (outside a quoted file name, which is the user's own).
var (
	rawCode = regexp.MustCompile(`[a-z_]+[.:=][a-z0-9_]|\b[a-z]{3,}\b`)
	quoted  = regexp.MustCompile(`“[^”]*”`)
)

// TestEveryActionHasWords finds every action the module's code can write
// to the audit log, by following the value stored in an Entry's Action
// back through the code (constants, concatenations, branches, parameters,
// closures), and checks that each has words and reads as a sentence
// without a raw code.
func TestEveryActionHasWords(t *testing.T) {
	t.Parallel()
	written, problems := writtenActions(t)
	for _, p := range problems {
		t.Errorf("cannot tell which action this writes; write a constant or a choice of constants: %s", p)
	}
	// The scan must see what it is meant to see: the writers of
	// admissions, removals, mutes and role changes, in their packages.
	for _, a := range []string{"join.approve", "join.reject", "group.remove", "group.mute", "group.unmute", "group.moderator_add", "group.moderator_remove", "user.role", "words.add_word", "attendance.approved", "attendance.rejected"} {
		if _, ok := written[a]; !ok {
			t.Errorf("the scan did not find %s being written", a)
		}
	}
	loc := time.FixedZone("CST", 8*3600)
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, loc)
	actor := uint64(1)
	for action, where := range written {
		if _, ok := audit.Words[action]; !ok {
			t.Errorf("%s (written at %s) has no words in audit.Words", action, strings.Join(where, ", "))
			continue
		}
		e, ok := samples[action]
		if !ok {
			t.Errorf("%s (written at %s) has no sample entry in this test", action, strings.Join(where, ", "))
			continue
		}
		e.Action, e.ActorID, e.CreatedAt = action, &actor, time.Date(2026, 11, 28, 9, 12, 0, 0, loc)
		text := audit.Text(audit.Sentence(e, sampleNames, now, loc))
		if !strings.HasPrefix(text, "王建国 于 今天 09:12 ") {
			t.Errorf("%s: %q does not start with who and when", action, text)
		}
		if m := rawCode.FindString(quoted.ReplaceAllString(text, "“”")); m != "" || strings.Contains(text, action) || strings.Contains(text, "未归类") || strings.Contains(text, "（已") {
			t.Errorf("%s reads %q: a raw code (%q) or an unknown name", action, text, m)
		}
		t.Logf("%-24s %s", action, text)
	}
	for action := range audit.Words {
		if _, ok := written[action]; !ok {
			t.Logf("words for %s, which no code writes now (kept for old entries)", action)
		}
	}
}

// TestSentences pins the words of the entries the issue names.
func TestSentences(t *testing.T) {
	t.Parallel()
	loc := time.FixedZone("CST", 8*3600)
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, loc)
	actor := uint64(1)
	at := time.Date(2026, 11, 28, 9, 12, 0, 0, loc)
	for _, c := range []struct {
		e    audit.Entry
		want string
	}{
		{audit.Entry{Action: "join.approve", Subject: "group:3", Detail: "request:9 parent:5 student:8 roster_match=true"},
			"王建国 于 11月28日 09:12 批准 刘敏 加入 三年级(2)班家校群（名册匹配）"},
		{audit.Entry{Action: "join.approve", Subject: "group:3", Detail: "request:9 parent:5 student:8"}, // before roster_match was written
			"王建国 于 11月28日 09:12 批准 刘敏 加入 三年级(2)班家校群"},
		{audit.Entry{Action: "group.remove", Subject: "group:3", Detail: "user:5 ban=false reason=多次发布广告"},
			"王建国 于 11月28日 09:12 将 刘敏 移出 三年级(2)班家校群，理由：多次发布广告"},
		{audit.Entry{Action: "join.reject", Subject: "group:3", Detail: "request:9 parent:5 reason=孩子 不在 本班"},
			"王建国 于 11月28日 09:12 驳回了 刘敏 加入 三年级(2)班家校群 的申请，理由：孩子 不在 本班"},
		{audit.Entry{Action: "group.mute", Subject: "group:3", Detail: "user:5 minutes=60"},
			"王建国 于 11月28日 09:12 在 三年级(2)班家校群 将 刘敏 禁言 1 小时"},
		{audit.Entry{Action: "user.role", Subject: "user:5", Detail: "from=teacher to=admin"},
			"王建国 于 11月28日 09:12 将 刘敏 的身份从教师改为管理员"},
		{audit.Entry{Action: "group.moderator_add", Subject: "group:3", Detail: "user:5"},
			"王建国 于 11月28日 09:12 将 刘敏 设为 三年级(2)班家校群 的管理员"},
		{audit.Entry{Action: "group.moderator_add", Subject: "group:44", Detail: "user:77"},
			"王建国 于 11月28日 09:12 将 （已注销的用户） 设为 （已删除的群） 的管理员"},
		{audit.Entry{Action: "department.head", Subject: "department:4", Detail: "user:0"},
			"王建国 于 11月28日 09:12 取消了 语文教研组 的组长"},
		{audit.Entry{Action: "user.erase", Subject: "user:5", Detail: "days=7 reason=家长书面申请注销"},
			"王建国 于 11月28日 09:12 注销了 刘敏 的家长账号，资料将在 7 天后删除，理由：家长书面申请注销"},
		{audit.Entry{Action: "user.close", Subject: "user:1", Detail: "days=0"},
			"王建国 于 11月28日 09:12 注销了自己的账号，资料随即删除"},
		{audit.Entry{Action: "user.erased", Subject: "user:5", Detail: "messages=12 files=2 requests=1"},
			"王建国 于 11月28日 09:12 按期删除了 刘敏 的个人资料：姓名、手机号、密码，12 条消息的内容，2 个文件，1 条入群申请"},
	} {
		c.e.ActorID, c.e.CreatedAt = &actor, at
		parts := audit.Sentence(c.e, sampleNames, now, loc)
		if got := audit.Text(parts); got != c.want {
			t.Errorf("%s %s:\n got %q\nwant %q", c.e.Action, c.e.Detail, got, c.want)
		}
		if parts[0].Person != 1 {
			t.Errorf("%s: the actor is not linked to their entries: %+v", c.e.Action, parts[0])
		}
	}
	last := time.Date(2025, 12, 31, 23, 5, 0, 0, loc)
	if got := audit.When(last, now, loc); got != "2025年12月31日 23:05" {
		t.Errorf("an entry of last year: %q", got)
	}
}

var (
	scanOnce    sync.Once
	scanWritten map[string][]string
	scanProblem []string
	scanErr     error
)

// writtenActions returns every action the module writes, with where, and
// the writes whose action it cannot tell.
func writtenActions(t *testing.T) (map[string][]string, []string) {
	t.Helper()
	scanOnce.Do(func() { scanWritten, scanProblem, scanErr = scan("../..") })
	if scanErr != nil {
		t.Fatal(scanErr)
	}
	return scanWritten, scanProblem
}

func scan(dir string) (map[string][]string, []string, error) {
	cfg := &packages.Config{Mode: packages.LoadSyntax, Dir: dir}
	pkgs, err := packages.Load(cfg, "jiaxiao/...")
	if err != nil {
		return nil, nil, err
	}
	var errs []string
	packages.Visit(pkgs, nil, func(p *packages.Package) {
		for _, e := range p.Errors {
			errs = append(errs, e.Error())
		}
	})
	if len(errs) > 0 {
		return nil, nil, fmt.Errorf("load: %s", strings.Join(errs, "; "))
	}
	prog, _ := ssautil.Packages(pkgs, ssa.InstantiateGenerics)
	prog.Build()
	var entry types.Type
	for _, p := range pkgs {
		if p.PkgPath == "jiaxiao/app/audit" {
			entry = p.Types.Scope().Lookup("Entry").Type()
		}
	}
	if entry == nil {
		return nil, nil, fmt.Errorf("audit.Entry not found")
	}
	r := &resolver{prog: prog, fns: ssautil.AllFunctions(prog)}
	written := map[string][]string{}
	var problems []string
	for fn := range r.fns {
		if fn.Pkg == nil || !strings.HasPrefix(fn.Pkg.Pkg.Path(), "jiaxiao") {
			continue
		}
		for _, b := range fn.Blocks {
			for _, in := range b.Instrs {
				st, ok := in.(*ssa.Store)
				if !ok {
					continue
				}
				fa, ok := st.Addr.(*ssa.FieldAddr)
				if !ok {
					continue
				}
				ptr, ok := fa.X.Type().Underlying().(*types.Pointer)
				if !ok || !types.Identical(ptr.Elem(), entry) || ptr.Elem().Underlying().(*types.Struct).Field(fa.Field).Name() != "Action" {
					continue
				}
				pos := prog.Fset.Position(st.Pos())
				if !pos.IsValid() {
					pos = prog.Fset.Position(fn.Pos())
				}
				where := shortPos(pos)
				vals, err := r.values(st.Val, map[ssa.Value]bool{})
				if err != nil {
					problems = append(problems, where+": "+err.Error())
					continue
				}
				for _, v := range vals {
					written[v] = append(written[v], where)
				}
			}
		}
	}
	slices.Sort(problems)
	return written, problems, nil
}

func shortPos(p token.Position) string {
	if i := strings.Index(p.Filename, "/app/"); i >= 0 {
		p.Filename = p.Filename[i+1:]
	}
	return fmt.Sprintf("%s:%d", p.Filename, p.Line)
}

type resolver struct {
	prog *ssa.Program
	fns  map[*ssa.Function]bool
}

// values are the strings v can hold.
func (r *resolver) values(v ssa.Value, seen map[ssa.Value]bool) ([]string, error) {
	if seen[v] {
		return nil, nil
	}
	seen[v] = true
	switch v := v.(type) {
	case *ssa.Const:
		if v.Value == nil || v.Value.Kind() != constant.String {
			return nil, fmt.Errorf("a non-string constant %s", v)
		}
		return []string{constant.StringVal(v.Value)}, nil
	case *ssa.ChangeType:
		return r.values(v.X, seen)
	case *ssa.Convert:
		return r.values(v.X, seen)
	case *ssa.BinOp:
		if v.Op != token.ADD {
			return nil, fmt.Errorf("%s", v)
		}
		xs, err := r.values(v.X, seen)
		if err != nil {
			return nil, err
		}
		ys, err := r.values(v.Y, seen)
		if err != nil {
			return nil, err
		}
		var out []string
		for _, x := range xs {
			for _, y := range ys {
				out = append(out, x+y)
			}
		}
		return out, nil
	case *ssa.Phi:
		var out []string
		for _, e := range v.Edges {
			vs, err := r.values(e, seen)
			if err != nil {
				return nil, err
			}
			out = append(out, vs...)
		}
		return out, nil
	case *ssa.Parameter:
		fn := v.Parent()
		idx := slices.Index(fn.Params, v)
		var out []string
		calls := 0
		for caller := range r.fns {
			for _, b := range caller.Blocks {
				for _, in := range b.Instrs {
					call, ok := in.(ssa.CallInstruction)
					if !ok || call.Common().StaticCallee() != fn {
						continue
					}
					calls++
					vs, err := r.values(call.Common().Args[idx], seen)
					if err != nil {
						return nil, err
					}
					out = append(out, vs...)
				}
			}
		}
		if calls == 0 {
			return nil, fmt.Errorf("parameter %s of %s, which is called from nowhere the scan can see", v.Name(), fn)
		}
		return out, nil
	case *ssa.FreeVar:
		fn := v.Parent()
		idx := slices.Index(fn.FreeVars, v)
		var out []string
		for caller := range r.fns {
			for _, b := range caller.Blocks {
				for _, in := range b.Instrs {
					mc, ok := in.(*ssa.MakeClosure)
					if !ok || mc.Fn != fn {
						continue
					}
					vs, err := r.values(mc.Bindings[idx], seen)
					if err != nil {
						return nil, err
					}
					out = append(out, vs...)
				}
			}
		}
		return out, nil
	case *ssa.UnOp:
		if v.Op != token.MUL {
			return nil, fmt.Errorf("%s", v)
		}
		// A variable that escaped to a closure: every value stored in it.
		cell := r.cell(v.X)
		if cell == nil {
			return nil, fmt.Errorf("a value read through %s", v.X)
		}
		var out []string
		for fn := range r.fns {
			for _, b := range fn.Blocks {
				for _, in := range b.Instrs {
					st, ok := in.(*ssa.Store)
					if !ok || r.cell(st.Addr) != cell {
						continue
					}
					vs, err := r.values(st.Val, seen)
					if err != nil {
						return nil, err
					}
					out = append(out, vs...)
				}
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s (%T)", v.Name(), v)
}

// cell is the variable an address stands for: an Alloc, seen directly or
// through the closures it was captured by.
func (r *resolver) cell(addr ssa.Value) *ssa.Alloc {
	switch a := addr.(type) {
	case *ssa.Alloc:
		return a
	case *ssa.FreeVar:
		fn := a.Parent()
		idx := slices.Index(fn.FreeVars, a)
		for caller := range r.fns {
			for _, b := range caller.Blocks {
				for _, in := range b.Instrs {
					if mc, ok := in.(*ssa.MakeClosure); ok && mc.Fn == fn {
						return r.cell(mc.Bindings[idx])
					}
				}
			}
		}
	}
	return nil
}
