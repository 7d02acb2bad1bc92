package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// pairedModes are the tests whose rows are rates (more is better), each
// target measured once per bench repetition.
var pairedModes = []string{"bulk", "connrate", "handshakes"}

// writePairedTable compares each target with cpuBase (HAProxy in the
// bench) repetition by repetition: the median of the per-repetition
// ratios, their range, and in how many repetitions the target was ahead.
//
// Why: on a shared machine two medians taken over different moments can
// differ by more than the targets do (BENCHMARKS.md, sessions 20-22),
// while two runs of one repetition, seconds apart, see the same machine.
// A target like "at least HAProxy's ratio" is read from this table.
//
// Runs pair by their --rep label. A failed run writes no result (bench/
// run.sh), so without labels the n-th runs of two targets pair only when
// both have the same count, which a failure on each side would defeat;
// unlabelled rows with different counts are left out, and a run whose
// repetition has no counterpart is counted as unpaired.
func writePairedTable(w io.Writer, p *paragraphs, groups [][]*series, cpuBase string) {
	type row struct {
		s         *series
		rats      []float64
		won, lone int
	}
	var rows []row
	for _, g := range groups {
		if !slices.Contains(pairedModes, g[0].mode) || g[0].isLatency() {
			continue
		}
		bi := slices.IndexFunc(g, func(s *series) bool { return isBase(s.name, cpuBase) })
		if bi < 0 {
			continue
		}
		base := g[bi]
		skip := baseName(g)
		for _, s := range g {
			if s == base || s.name == skip {
				continue
			}
			rats, lone := pairRuns(s, base)
			if len(rats) < 2 {
				continue
			}
			r := row{s: s, rats: rats, lone: lone}
			for _, q := range rats {
				if q > 1 {
					r.won++
				}
			}
			rows = append(rows, r)
		}
	}
	if len(rows) == 0 {
		return
	}
	p.next()
	fmt.Fprintf(w, "| test | target | over %s in the same repetition, median | min – max | repetitions ahead | unpaired runs |\n", cpuBase)
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|")
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %s | %.3f× | %.3f – %.3f | %d of %d | %d |\n", r.s.group, r.s.name, median(r.rats),
			slices.Min(r.rats), slices.Max(r.rats), r.won, len(r.rats), r.lone)
	}
}

// isBase matches the comparison target of the CPU and paired tables: its
// name, or its name with a qualifier ("haproxy re-encrypt").
func isBase(name, base string) bool { return name == base || strings.HasPrefix(name, base+" ") }

// pairRuns returns s's runs over base's runs of the same repetition, and
// how many of s's runs found no counterpart. A repetition that base ran
// twice, or where base measured nothing (0), pairs nothing.
func pairRuns(s, base *series) (rats []float64, lone int) {
	sReps, baseReps := s.reps, base.reps
	if slices.Contains(sReps, 0) || slices.Contains(baseReps, 0) {
		// Unlabelled: the n-th runs pair, only when the counts match.
		if len(s.vals) != len(base.vals) {
			return nil, len(s.vals)
		}
		sReps = make([]int, len(s.vals))
		for i := range sReps {
			sReps[i] = i + 1
		}
		baseReps = sReps
	}
	by := make(map[int]float64, len(baseReps))
	twice := map[int]bool{}
	for i, rep := range baseReps {
		if _, ok := by[rep]; ok {
			twice[rep] = true
		}
		by[rep] = base.vals[i]
	}
	for i, rep := range sReps {
		b, ok := by[rep]
		if !ok || twice[rep] || b <= 0 {
			lone++
			continue
		}
		rats = append(rats, s.vals[i]/b)
	}
	return rats, lone
}
