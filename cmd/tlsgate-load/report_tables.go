package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
)

// paragraphs separates the blocks of one section with blank lines.
type paragraphs struct {
	w       io.Writer
	started bool
}

func (p *paragraphs) next() {
	if p.started {
		fmt.Fprintln(p.w)
	}
	p.started = true
}

// write prints one section.
func (sec *section) write(w io.Writer, cpuBase string) {
	p := &paragraphs{w: w}
	if sec.title != "" {
		p.next()
		fmt.Fprintf(w, "## %s\n", sec.title)
	}
	var rates, lats, gobench [][]*series
	for _, g := range sec.groups {
		switch {
		case g[0].mode == modeGoBench:
			gobench = append(gobench, g)
		case g[0].isLatency():
			lats = append(lats, g)
		default:
			rates = append(rates, g)
		}
	}
	if len(rates) > 0 {
		p.next()
		writeRateTable(w, rates)
	}
	if len(lats) > 0 {
		p.next()
		writeLatencyTable(w, lats)
	}
	writePairedTable(w, p, sec.groups, cpuBase)
	writeCPUTable(w, p, sec.groups, cpuBase)
	if len(gobench) > 0 {
		p.next()
		writeGoBenchTable(w, gobench)
	}
	if len(sec.targets) > 0 {
		p.next()
		writeTargets(w, sec)
	}
	if notes := append(reportNotes(sec.groups), sec.notes...); len(notes) > 0 {
		p.next()
		for _, n := range notes {
			fmt.Fprintln(w, "- "+n)
		}
	}
	writeCommands(w, p, sec.groups)
}

// vsHeader names the ratio column of a table: "vs direct" when every test
// in it compares to the same target, else a generic heading, and then
// each cell names its own baseline (withName).
func vsHeader(groups [][]*series, nameOf func([]*series) string) (header string, withName bool) {
	var names []string
	for _, g := range groups {
		if n := nameOf(g); !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	if len(names) == 1 {
		return "vs " + names[0], false
	}
	return "ratio", true
}

func withBase(cell string, name string, on bool) string {
	if !on || cell == "—" {
		return cell
	}
	return cell + " " + name
}

func writeRateTable(w io.Writer, groups [][]*series) {
	vs, named := vsHeader(groups, baseName)
	fmt.Fprintf(w, "| test | target | median | min – max | unit | %s | runs | errors |\n", vs)
	fmt.Fprintln(w, "|---|---|---:|---:|---|---:|---:|---:|")
	for _, g := range groups {
		base := baseline(g)
		for _, s := range g {
			m := median(s.vals)
			fmt.Fprintf(w, "| %s | %s | %s | %s – %s | %s | %s | %d | %d |\n",
				s.group, s.name, num(m), num(slices.Min(s.vals)), num(slices.Max(s.vals)), s.unit,
				withBase(ratio(m, base, func(s *series) []float64 { return s.vals }), baseName(g), named),
				len(s.vals), s.errors)
		}
	}
}

func writeLatencyTable(w io.Writer, groups [][]*series) {
	vs, named := vsHeader(groups, baseName)
	fmt.Fprintf(w, "| test | target | p50 µs | p50 min – max | p99 µs | p99 min – max | added p50 µs | added p99 µs | p50 %s | runs | errors |\n", vs)
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, g := range groups {
		base := baseline(g)
		for _, s := range g {
			p50, p99 := median(s.p50), median(s.p99)
			fmt.Fprintf(w, "| %s | %s | %s | %s – %s | %s | %s – %s | %s | %s | %s | %d | %d |\n",
				s.group, s.name, num(p50), num(slices.Min(s.p50)), num(slices.Max(s.p50)),
				num(p99), num(slices.Min(s.p99)), num(slices.Max(s.p99)),
				added(p50, base, func(s *series) []float64 { return s.p50 }),
				added(p99, base, func(s *series) []float64 { return s.p99 }),
				withBase(ratio(p50, base, func(s *series) []float64 { return s.p50 }), baseName(g), named),
				len(s.p50), s.errors)
		}
	}
}

// cpuBaseName is what a test's CPU figures are compared to: its own
// baseline when that was metered (a proxy compared with itself, as with
// rule counts), else the metered target named cpuBase or named cpuBase
// and a qualifier ("haproxy re-encrypt"), else cpuBase as given.
func cpuBaseName(g []*series, cpuBase string) string {
	if b := baseline(g); b != nil && len(b.cpu) > 0 {
		return b.name
	}
	for _, s := range g {
		if len(s.cpu) > 0 && isBase(s.name, cpuBase) {
			return s.name
		}
	}
	return cpuBase
}

// writeCPUTable prints the CPU each metered target used per unit of work.
func writeCPUTable(w io.Writer, p *paragraphs, groups [][]*series, cpuBase string) {
	var metered [][]*series
	for _, g := range groups {
		if slices.ContainsFunc(g, func(s *series) bool { return len(s.cpu) > 0 }) {
			metered = append(metered, g)
		}
	}
	if len(metered) == 0 {
		return
	}
	nameOf := func(g []*series) string { return cpuBaseName(g, cpuBase) }
	vs, named := vsHeader(metered, nameOf)
	p.next()
	fmt.Fprintf(w, "| test | target | CPU median | min – max | unit | %s | runs |\n", vs)
	fmt.Fprintln(w, "|---|---|---:|---:|---|---:|---:|")
	for _, g := range metered {
		bn := nameOf(g)
		var base *series
		if i := slices.IndexFunc(g, func(s *series) bool { return s.name == bn && len(s.cpu) > 0 }); i >= 0 {
			base = g[i]
		}
		for _, s := range g {
			if len(s.cpu) == 0 {
				continue
			}
			m := median(s.cpu)
			fmt.Fprintf(w, "| %s | %s | %s | %s – %s | %s | %s | %d |\n", s.group, s.name, num(m),
				num(slices.Min(s.cpu)), num(slices.Max(s.cpu)), s.cpuUnit,
				withBase(ratio(m, base, func(s *series) []float64 { return s.cpu }), bn, named), len(s.cpu))
		}
	}
}

// writeGoBenchTable prints go test -bench results: the median time per
// operation and the medians of the other metrics Go reported.
func writeGoBenchTable(w io.Writer, groups [][]*series) {
	fmt.Fprintln(w, "| package | benchmark | median | min – max | unit | other metrics (medians) | runs |")
	fmt.Fprintln(w, "|---|---|---:|---:|---|---|---:|")
	for _, g := range groups {
		for _, s := range g {
			var other []string
			for _, u := range s.extraUnits {
				other = append(other, num(median(s.extra[u]))+" "+u)
			}
			m := median(s.vals)
			fmt.Fprintf(w, "| %s | %s | %s | %s – %s | %s | %s | %d |\n", s.group, s.name, num(m),
				num(slices.Min(s.vals)), num(slices.Max(s.vals)), s.unit, strings.Join(other, ", "), len(s.vals))
		}
	}
}

// reportNotes lists the TLS parameters and client SNI each test used (per
// target when they differ, as when servers prefer different suites) and
// any run that its duration bound cut short.
func reportNotes(groups [][]*series) []string {
	var notes []string
	for _, g := range groups {
		var distinct, perTarget []string
		for _, s := range g {
			if s.tlsInfo != "" {
				perTarget = append(perTarget, s.name+": "+s.tlsInfo)
				if !slices.Contains(distinct, s.tlsInfo) {
					distinct = append(distinct, s.tlsInfo)
				}
			}
			if s.cut > 0 {
				notes = append(notes, fmt.Sprintf("%s / %s: %d run(s) ended by the duration bound before the count bound", s.group, s.name, s.cut))
			}
		}
		sni := ""
		if i := slices.IndexFunc(g, func(s *series) bool { return s.sni != "" }); i >= 0 {
			sni = "; client SNI " + g[i].sni
		}
		switch {
		case len(distinct) == 1:
			notes = append(notes, fmt.Sprintf("%s: %s%s", g[0].group, distinct[0], sni))
		case len(distinct) > 1:
			notes = append(notes, fmt.Sprintf("%s: %s%s", g[0].group, strings.Join(perTarget, "; "), sni))
		}
	}
	return notes
}

// writeCommands lists the command behind each row (its first run), so a
// row can be measured again by hand.
func writeCommands(w io.Writer, p *paragraphs, groups [][]*series) {
	first := true
	for _, g := range groups {
		var seen []string
		for _, s := range g {
			if s.command == "" || slices.Contains(seen, s.command) {
				continue
			}
			seen = append(seen, s.command)
			if first {
				p.next()
				fmt.Fprintln(w, "Commands (the first run of each row; the labels --json --section --group --name --baseline --rep left out):")
				fmt.Fprintln(w)
				first = false
			}
			label := s.group + " / " + s.name
			if s.mode == modeGoBench {
				label = s.group // one command ran every benchmark of the package
			}
			fmt.Fprintf(w, "- %s: `%s`\n", label, strings.ReplaceAll(s.command, "`", "'"))
		}
	}
}

// ratio formats v over the baseline's median, or "—" without a baseline.
func ratio(v float64, base *series, pick func(*series) []float64) string {
	if base == nil {
		return "—"
	}
	b := median(pick(base))
	if b == 0 || math.IsNaN(b) || math.IsNaN(v) {
		return "—"
	}
	return fmt.Sprintf("%.2f×", v/b)
}

// added formats v minus the baseline's median: the latency a proxy adds.
func added(v float64, base *series, pick func(*series) []float64) string {
	if base == nil {
		return "—"
	}
	d := v - median(pick(base))
	if math.IsNaN(d) {
		return "—"
	}
	return fmt.Sprintf("%+.0f", d)
}

// num prints a number with precision that suits its size.
func num(v float64) string {
	switch {
	case math.IsNaN(v):
		return "—"
	case math.Abs(v) >= 100:
		return fmt.Sprintf("%.0f", v)
	case math.Abs(v) >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}
