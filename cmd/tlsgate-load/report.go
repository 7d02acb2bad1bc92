package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
)

// baselineName is the target every other row of a test is compared to.
const baselineName = "direct"

func cmdReport(args []string, e *env) error {
	fs := newFlags("report", "--in results.jsonl", e.stdout)
	in := fs.String("in", "", "file of --json result lines (from --json --group G --name N runs); - for stdin")
	cpuBase := fs.String("cpu-baseline", "haproxy", "target that the CPU table compares the others to")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *in == "" {
		return usageError{"report: --in is required"}
	}
	var data []byte
	var err error
	if *in == "-" {
		data, err = io.ReadAll(os.Stdin)
	} else {
		data, err = e.readFile(*in)
	}
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	rs, err := parseResults(data)
	if err != nil {
		return err
	}
	return writeReport(e.stdout, rs, *cpuBase)
}

// parseResults reads one JSON result per line; blank lines and lines
// starting with '#' are skipped so a results file can carry comments.
func parseResults(data []byte) ([]result, error) {
	var rs []result
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		var r result
		if err := json.Unmarshal(line, &r); err != nil {
			return nil, fmt.Errorf("report: line %d %q: %w", n, clip(line), err)
		}
		if r.Mode == "" || r.Unit == "" {
			return nil, fmt.Errorf("report: line %d %q: not a tlsgate-load result (no mode or unit)", n, clip(line))
		}
		rs = append(rs, r)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return rs, nil
}

// series is every repetition of one target within one test.
type series struct {
	group, name, mode, unit string
	vals, p50, p99          []float64
	cpu                     []float64 // CPU per unit of work, for runs metered with --cpu-pid
	cpuUnit                 string
	errors                  int64
	cut                     int
	tlsInfo                 string
}

// groupSeries gathers results by test and target, keeping first-seen
// order so the tables read in the order the bench ran.
func groupSeries(rs []result) [][]*series {
	var groups [][]*series
	index := map[string]int{}
	for _, r := range rs {
		g := r.Group
		if g == "" {
			g = r.Mode
		}
		name := r.Name
		if name == "" {
			name = r.Target
		}
		gi, ok := index[g]
		if !ok {
			gi = len(groups)
			index[g] = gi
			groups = append(groups, nil)
		}
		si := slices.IndexFunc(groups[gi], func(s *series) bool { return s.name == name })
		if si < 0 {
			si = len(groups[gi])
			groups[gi] = append(groups[gi], &series{group: g, name: name, mode: r.Mode, unit: r.Unit})
		}
		s := groups[gi][si]
		s.vals = append(s.vals, r.Value)
		s.p50 = append(s.p50, r.P50us)
		s.p99 = append(s.p99, r.P99us)
		if v, unit, ok := cpuPerWork(r); ok {
			s.cpu = append(s.cpu, v)
			s.cpuUnit = unit
		}
		s.errors += r.Errors
		if r.Cut {
			s.cut++
		}
		if s.tlsInfo == "" {
			s.tlsInfo = r.TLSInfo
		}
	}
	return groups
}

// writeReport prints a throughput/rate/memory table, a latency table and,
// for runs metered with --cpu-pid, a CPU table compared to cpuBase.
func writeReport(w io.Writer, rs []result, cpuBase string) error {
	groups := groupSeries(rs)
	var rates, lats [][]*series
	for _, g := range groups {
		if g[0].mode == "latency" {
			lats = append(lats, g)
		} else {
			rates = append(rates, g)
		}
	}
	bw := bufio.NewWriter(w)
	if len(rates) > 0 {
		fmt.Fprintln(bw, "| test | target | median | min – max | unit | vs direct | runs | errors |")
		fmt.Fprintln(bw, "|---|---|---:|---:|---|---:|---:|---:|")
		for _, g := range rates {
			base := baseline(g)
			for _, s := range g {
				m := median(s.vals)
				fmt.Fprintf(bw, "| %s | %s | %s | %s – %s | %s | %s | %d | %d |\n",
					s.group, s.name, num(m), num(slices.Min(s.vals)), num(slices.Max(s.vals)),
					s.unit, ratio(m, base, func(s *series) []float64 { return s.vals }), len(s.vals), s.errors)
			}
		}
	}
	if len(lats) > 0 {
		if len(rates) > 0 {
			fmt.Fprintln(bw)
		}
		fmt.Fprintln(bw, "| test | target | p50 µs | p50 min – max | p99 µs | p99 min – max | added p50 µs | added p99 µs | p50 vs direct | runs | errors |")
		fmt.Fprintln(bw, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
		for _, g := range lats {
			base := baseline(g)
			for _, s := range g {
				p50, p99 := median(s.p50), median(s.p99)
				fmt.Fprintf(bw, "| %s | %s | %s | %s – %s | %s | %s – %s | %s | %s | %s | %d | %d |\n",
					s.group, s.name, num(p50), num(slices.Min(s.p50)), num(slices.Max(s.p50)),
					num(p99), num(slices.Min(s.p99)), num(slices.Max(s.p99)),
					added(p50, base, func(s *series) []float64 { return s.p50 }),
					added(p99, base, func(s *series) []float64 { return s.p99 }),
					ratio(p50, base, func(s *series) []float64 { return s.p50 }), len(s.p50), s.errors)
			}
		}
	}
	writeCPUTable(bw, groups, cpuBase, len(rates)+len(lats) > 0)
	notes := reportNotes(groups)
	if len(notes) > 0 {
		fmt.Fprintln(bw)
		for _, n := range notes {
			fmt.Fprintln(bw, "- "+n)
		}
	}
	return bw.Flush()
}

// reportNotes lists the TLS parameters each test used (per target when
// they differ, as when servers prefer different suites) and any run that
// its duration bound cut short.
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
		switch {
		case len(distinct) == 1:
			notes = append(notes, fmt.Sprintf("%s: %s", g[0].group, distinct[0]))
		case len(distinct) > 1:
			notes = append(notes, fmt.Sprintf("%s: %s", g[0].group, strings.Join(perTarget, "; ")))
		}
	}
	return notes
}

// writeCPUTable prints the CPU each metered target used per unit of work.
func writeCPUTable(w io.Writer, groups [][]*series, cpuBase string, gap bool) {
	header := false
	for _, g := range groups {
		var base *series
		if i := slices.IndexFunc(g, func(s *series) bool { return s.name == cpuBase && len(s.cpu) > 0 }); i >= 0 {
			base = g[i]
		}
		for _, s := range g {
			if len(s.cpu) == 0 {
				continue
			}
			if !header {
				if gap {
					fmt.Fprintln(w)
				}
				fmt.Fprintf(w, "| test | target | CPU median | min – max | unit | vs %s | runs |\n", cpuBase)
				fmt.Fprintln(w, "|---|---|---:|---:|---|---:|---:|")
				header = true
			}
			m := median(s.cpu)
			fmt.Fprintf(w, "| %s | %s | %s | %s – %s | %s | %s | %d |\n", s.group, s.name, num(m),
				num(slices.Min(s.cpu)), num(slices.Max(s.cpu)), s.cpuUnit,
				ratio(m, base, func(s *series) []float64 { return s.cpu }), len(s.cpu))
		}
	}
}

func baseline(g []*series) *series {
	i := slices.IndexFunc(g, func(s *series) bool { return s.name == baselineName })
	if i < 0 {
		return nil
	}
	return g[i]
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
