package faults

import (
	"math"
	"net/netip"
	"slices"
	"strings"
)

// stageIndex is one stage's enabled rules (see snapshot) arranged so that
// a connection's plan touches only the rules that can match it. A rule
// whose sni is an exact name can match only a hello with that name, and
// a rule with a client selector only a client inside its range: those
// are found by lookup. Every other rule is walked. The lookups only pick
// candidates; each candidate still goes through its whole matcher, so
// the plan is the one a walk of every rule would make.
//
// Rule order is part of the plan (the firings are listed in it, a
// certificate rule is judged against the firings before it, a fail-open
// large_hello names the rules it blinded in it), so the candidates are
// positions in rules and a plan merges its lists by position.
type stageIndex struct {
	rules  []*ruleState // in rule order; the positions below index it
	walked []int32      // rules no lookup finds: every connection tries them
	// byName holds the rules whose sni is an exact name, by that name
	// lower-cased as matcher.sni is: a connection's lower-cased SNI
	// (connView.sni) finds them, and globMatch compares the two whole,
	// so a trailing dot or any other difference misses both ways alike.
	byName map[string][]int32
	// byNet holds the rules with a client selector (not found by name),
	// by its masked prefix; bits4 and bits6 are the prefix lengths it
	// holds per family, the prefixes a client address is masked to.
	byNet        map[netip.Prefix][]int32
	bits4, bits6 []int
	// all is every position, the list a connection walks when more of
	// byNet's ranges hold its address than a merge keeps (maxLists).
	all []int32
}

// indexFrom is the fewest rules a stage's list must hold to be indexed.
// A few rules are walked faster than a lookup's hashing finds any (10
// rules, two lookups: about 80 ns more per connection, BenchmarkPlan).
const indexFrom = 16

// newStageIndex indexes one stage's rules, which keep their order, if
// there are at least from of them; fewer are all walked.
func newStageIndex(rules []*ruleState, from int) stageIndex {
	ix := stageIndex{rules: rules}
	if len(rules) == 0 {
		return ix
	}
	ix.all = make([]int32, len(rules))
	for i := range rules {
		ix.all[i] = int32(i)
	}
	if len(rules) < from {
		ix.walked = ix.all
		return ix
	}
	for i, rs := range rules {
		pos := int32(i)
		m := &rs.m
		switch {
		case rs.rule.Action == ActRefuse:
			// A refuse rule holds a listener down and is never
			// planned (try refuses it), and it selects by nothing
			// a hello carries, so no fail-open rule blinds it.
		case m.sni != "" && strings.IndexByte(m.sni, '*') < 0:
			if ix.byName == nil {
				ix.byName = make(map[string][]int32)
			}
			ix.byName[m.sni] = append(ix.byName[m.sni], pos)
		case m.hasClient:
			if ix.byNet == nil {
				ix.byNet = make(map[netip.Prefix][]int32)
			}
			p := m.client.Masked()
			if _, ok := ix.byNet[p]; !ok {
				if p.Addr().Is4() {
					ix.bits4 = append(ix.bits4, p.Bits())
				} else {
					ix.bits6 = append(ix.bits6, p.Bits())
				}
			}
			ix.byNet[p] = append(ix.byNet[p], pos)
		default:
			ix.walked = append(ix.walked, pos)
		}
	}
	for _, bits := range []*[]int{&ix.bits4, &ix.bits6} {
		slices.Sort(*bits)
		*bits = slices.Compact(*bits)
	}
	return ix
}

// maxLists bounds the lookup lists one merge keeps, so a plan's
// candidates live on its stack: the rules of the connection's name and
// of each range that holds its address. An address inside more ranges
// than that (nested ranges of many lengths) walks every rule instead.
const maxLists = 8

// candidates is a merge of ascending position lists: the positions of
// the rules a connection must try, in rule order, each once (a rule sits
// in one list only). The walked list is apart from the lookups' lists and
// min caches the lowest head among these, so each walked rule costs the
// merge one comparison, whether or not a lookup found rules.
type candidates struct {
	walked []int32
	w      int               // walked[w:] are left
	lists  [maxLists][]int32 // the first n are the lookups' lists, none empty
	n      int
	best   int   // the list whose head is min
	min    int32 // the lowest head of lists; none: math.MaxInt32
}

// candidates fills c with the rules of ix that can match v.
func (ix *stageIndex) candidates(v *connView, c *candidates) {
	ix.lookup(v, c)
	c.settle()
}

// lookup fills c with the walked rules and the lookups' lists.
func (ix *stageIndex) lookup(v *connView, c *candidates) {
	c.walked, c.w, c.n = ix.walked, 0, 0
	if ix.byName != nil && v.ci.Hello != nil && v.sni != "" {
		c.add(ix.byName[v.sni])
	}
	if len(ix.byNet) == 0 || !v.client.IsValid() {
		return
	}
	bits := ix.bits6
	if v.client.Is4() {
		bits = ix.bits4
	}
	for _, b := range bits {
		p, err := v.client.Prefix(b)
		if err != nil {
			continue
		}
		l := ix.byNet[p]
		if len(l) == 0 {
			continue
		}
		if c.n == maxLists {
			c.walked, c.w, c.n = ix.all, 0, 0
			return
		}
		c.add(l)
	}
}

func (c *candidates) add(l []int32) {
	if len(l) > 0 {
		c.lists[c.n] = l
		c.n++
	}
}

// settle finds the lowest head among the lookup lists.
func (c *candidates) settle() {
	c.best, c.min = 0, math.MaxInt32
	for i := range c.n {
		if h := c.lists[i][0]; h < c.min {
			c.best, c.min = i, h
		}
	}
}

// next returns the lowest position left, or -1 when none is.
func (c *candidates) next() int32 {
	if c.w < len(c.walked) && c.walked[c.w] < c.min {
		c.w++
		return c.walked[c.w-1]
	}
	return c.pop()
}

// pop takes the lowest head of the lookup lists, lower than any walked
// position left, or -1 when they are empty.
func (c *candidates) pop() int32 {
	if c.n == 0 {
		return -1
	}
	l := c.lists[c.best]
	p := l[0]
	if c.lists[c.best] = l[1:]; len(l) == 1 {
		// An empty list leaves the merge; the order of those left
		// does not matter, only their heads are compared.
		c.n--
		c.lists[c.best], c.lists[c.n] = c.lists[c.n], nil
	}
	c.settle()
	return p
}
