package main

import (
	"fmt"
	"io"
	"slices"
)

// pairedModes are the tests whose rows are rates (more is better) and
// whose targets run once in every repetition, so the n-th run of two
// targets came from the same repetition.
var pairedModes = []string{"bulk", "connrate", "handshakes"}

// writePairedTable compares each target with cpuBase (HAProxy in the
// bench) repetition by repetition: the median of the per-repetition
// ratios, their range, and in how many repetitions the target was ahead.
//
// Why: on a shared machine two medians taken over different moments can
// differ by more than the targets do (BENCHMARKS.md, sessions 20-22),
// while two runs of one repetition, seconds apart, see the same machine.
// A target like "at least HAProxy's ratio" is read from this table.
func writePairedTable(w io.Writer, p *paragraphs, groups [][]*series, cpuBase string) {
	type row struct {
		s    *series
		rats []float64
		won  int
	}
	var rows []row
	for _, g := range groups {
		if !slices.Contains(pairedModes, g[0].mode) {
			continue
		}
		bi := slices.IndexFunc(g, func(s *series) bool { return s.name == cpuBase })
		if bi < 0 {
			continue
		}
		base := g[bi]
		skip := baseName(g)
		for _, s := range g {
			if s == base || s.name == skip || len(s.vals) != len(base.vals) || len(s.vals) < 2 {
				continue
			}
			r := row{s: s}
			for i, v := range s.vals {
				if base.vals[i] <= 0 {
					continue
				}
				q := v / base.vals[i]
				r.rats = append(r.rats, q)
				if q > 1 {
					r.won++
				}
			}
			if len(r.rats) > 0 {
				rows = append(rows, r)
			}
		}
	}
	if len(rows) == 0 {
		return
	}
	p.next()
	fmt.Fprintf(w, "| test | target | over %s in the same repetition, median | min – max | repetitions ahead |\n", cpuBase)
	fmt.Fprintln(w, "|---|---|---:|---:|---:|")
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %s | %.3f× | %.3f – %.3f | %d of %d |\n", r.s.group, r.s.name, median(r.rats),
			slices.Min(r.rats), slices.Max(r.rats), r.won, len(r.rats))
	}
}
