package filter

import "sort"

// state is one automaton state beyond the root's children.
type state struct {
	first, end int32 // its edges: edgeSym/edgeTo[first:end], sorted by symbol
	fail       int32
	outFirst   int32 // its outputs (own and inherited): out[outFirst:outEnd]
	outEnd     int32
}

// hasOut marks a transition target whose state has outputs, so a step that
// finds nothing never touches the state's record.
const hasOut = -1 << 31

// automaton is an Aho–Corasick matcher over symbols (small integers that
// stand for the runes used by patterns; 0 stands for every other rune).
// States are numbered breadth-first, so the root's children are 1..dense:
// the root and those children have dense transition rows with failures
// already resolved (most steps of chat text start there); deeper states
// keep sorted edges and fall back along failure links.
type automaton struct {
	nsym    int32
	root    []int32 // symbol → target, for the root
	dense   int32   // states 1..dense have rows
	rows    []int32 // (state-1)*nsym + symbol → target
	states  []state
	edgeSym []int32
	edgeTo  []int32
	out     []int32 // pattern indexes
}

// maxDense bounds the dense rows (entries): 4 M entries, 16 MB.
const maxDense = 4 << 20

func (a *automaton) empty() bool { return len(a.states) <= 1 }

// step follows sym (not 0) from state s (without its flag) and returns the
// target, flagged with hasOut when it has outputs.
func (a *automaton) step(s, sym int32) int32 {
	for {
		if s == 0 {
			return a.root[sym]
		}
		if s <= a.dense {
			return a.rows[(s-1)*a.nsym+sym]
		}
		st := &a.states[s]
		for j := st.first; j < st.end; j++ {
			if e := a.edgeSym[j]; e == sym {
				return a.edgeTo[j]
			} else if e > sym {
				break
			}
		}
		s = st.fail
	}
}

// outputs are the pattern indexes of state s (without its flag).
func (a *automaton) outputs(s int32) []int32 {
	st := &a.states[s]
	return a.out[st.outFirst:st.outEnd]
}

// buildAutomaton compiles patterns (symbol sequences, none empty) over an
// alphabet of nsym symbols (1..nsym-1).
func buildAutomaton(patterns [][]int32, nsym int) *automaton {
	type node struct {
		next  map[int32]int32
		own   []int32
		depth int
	}
	nodes := []node{{next: map[int32]int32{}}}
	for i, p := range patterns {
		s := int32(0)
		for _, sym := range p {
			t, ok := nodes[s].next[sym]
			if !ok {
				t = int32(len(nodes))
				nodes = append(nodes, node{next: map[int32]int32{}, depth: nodes[s].depth + 1})
				nodes[s].next[sym] = t
			}
			s = t
		}
		nodes[s].own = append(nodes[s].own, int32(i))
	}
	n := len(nodes)
	// Number the states breadth-first.
	order := make([]int32, 0, n)
	order = append(order, 0)
	for k := 0; k < len(order); k++ {
		s := order[k]
		syms := sortedKeys(nodes[s].next)
		for _, sym := range syms {
			order = append(order, nodes[s].next[sym])
		}
	}
	id := make([]int32, n)
	for newID, old := range order {
		id[old] = int32(newID)
	}
	a := &automaton{nsym: int32(nsym), root: make([]int32, nsym), states: make([]state, n)}
	own := make([][]int32, n)
	for newID, old := range order {
		own[newID] = nodes[old].own
		a.states[newID].first = int32(len(a.edgeSym))
		for _, sym := range sortedKeys(nodes[old].next) {
			a.edgeSym = append(a.edgeSym, sym)
			a.edgeTo = append(a.edgeTo, id[nodes[old].next[sym]])
		}
		a.states[newID].end = int32(len(a.edgeSym))
	}
	rootChildren := a.states[0].end - a.states[0].first
	for j := a.states[0].first; j < a.states[0].end; j++ {
		a.root[a.edgeSym[j]] = a.edgeTo[j]
	}
	// Failure links and inherited outputs, breadth-first (ids are BFS order).
	outs := make([][]int32, n)
	for s := int32(1); s < int32(n); s++ {
		outs[s] = append(append([]int32{}, own[s]...), outs[a.states[s].fail]...)
		for j := a.states[s].first; j < a.states[s].end; j++ {
			a.states[a.edgeTo[j]].fail = a.stepPlain(a.states[s].fail, a.edgeSym[j])
		}
	}
	for s := 0; s < n; s++ {
		a.states[s].outFirst = int32(len(a.out))
		a.out = append(a.out, outs[s]...)
		a.states[s].outEnd = int32(len(a.out))
	}
	// Flag targets that have outputs.
	flag := func(t int32) int32 {
		if t != 0 && a.states[t].outFirst != a.states[t].outEnd {
			return t | hasOut
		}
		return t
	}
	for sym := range a.root {
		a.root[sym] = flag(a.root[sym])
	}
	for j := range a.edgeTo {
		a.edgeTo[j] = flag(a.edgeTo[j])
	}
	// Dense rows for the root's children: their own edges, else the root's.
	if int(rootChildren)*nsym <= maxDense {
		a.dense = rootChildren
		a.rows = make([]int32, int(rootChildren)*nsym)
		for s := int32(1); s <= rootChildren; s++ {
			row := a.rows[int(s-1)*nsym : int(s)*nsym]
			copy(row, a.root)
			for j := a.states[s].first; j < a.states[s].end; j++ {
				row[a.edgeSym[j]] = a.edgeTo[j]
			}
		}
	}
	return a
}

// stepPlain is step without dense rows or flags, used while building.
func (a *automaton) stepPlain(s, sym int32) int32 {
	for s != 0 {
		st := &a.states[s]
		for j := st.first; j < st.end; j++ {
			if a.edgeSym[j] == sym {
				return a.edgeTo[j]
			}
		}
		s = st.fail
	}
	return a.root[sym]
}

func sortedKeys(m map[int32]int32) []int32 {
	out := make([]int32, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
