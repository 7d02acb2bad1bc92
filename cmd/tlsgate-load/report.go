package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
)

// baselineName is the target a test's rows are compared to when its
// results name no other.
const baselineName = "direct"

func cmdReport(args []string, e *env) error {
	fs := newFlags("report", "--in results.jsonl", e.stdout)
	in := fs.String("in", "", "file of --json result lines (from --json --group G --name N runs); - for stdin")
	cpuBase := fs.String("cpu-baseline", "haproxy", "target that the CPU table compares the others to, in sections whose baseline was not metered")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	data, err := readInput(e, "report", *in)
	if err != nil {
		return err
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
		if err := r.valid(); err != nil {
			return nil, fmt.Errorf("report: line %d %q: %w", n, clip(line), err)
		}
		rs = append(rs, r)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return rs, nil
}

// valid says whether r is something report can place: a measurement, a
// note or a target.
func (r *result) valid() error {
	switch r.Mode {
	case "":
		return fmt.Errorf("not a tlsgate-load result (no mode or unit)")
	case modeNote:
		if r.Text == "" {
			return fmt.Errorf("a note without text")
		}
	case modeTarget:
		if r.Expect == nil || r.Group == "" || r.Name == "" {
			return fmt.Errorf("a target without group, name and expect")
		}
		return r.Expect.valid()
	default:
		if r.Unit == "" {
			return fmt.Errorf("not a tlsgate-load result (no mode or unit)")
		}
	}
	return nil
}

// series is every repetition of one target within one test.
type series struct {
	group, name, mode, unit string
	baseline                string
	vals, p50, p99          []float64
	reps                    []int     // each run's Rep, beside vals
	cpu                     []float64 // CPU per unit of work, for runs metered with --cpu-pid
	cpuUnit                 string
	extra                   map[string][]float64 // Go benchmarks' other metrics
	extraUnits              []string             // in first-seen order
	errors                  int64
	cut                     int
	tlsInfo, sni, command   string
}

// isLatency is true for series whose headline is a time, which go in the
// latency table.
func (s *series) isLatency() bool { return s.mode == "latency" || s.unit == "µs p50" }

// section is one heading of the report: its tests in the order they ran,
// and its notes and targets.
type section struct {
	title   string
	groups  [][]*series
	notes   []string
	targets []result
}

// gather sorts results into sections, tests and targets, keeping
// first-seen order so the report reads in the order the bench ran.
func gather(rs []result) []*section {
	var secs []*section
	bySec := map[string]*section{}
	for _, r := range rs {
		sec, ok := bySec[r.Section]
		if !ok {
			sec = &section{title: r.Section}
			bySec[r.Section] = sec
			secs = append(secs, sec)
		}
		switch r.Mode {
		case modeNote:
			sec.notes = append(sec.notes, r.Text)
		case modeTarget:
			sec.targets = append(sec.targets, r)
		default:
			sec.add(r)
		}
	}
	return secs
}

// add files one measurement under its test and target.
func (sec *section) add(r result) {
	g := r.Group
	if g == "" {
		g = r.Mode
	}
	name := r.Name
	if name == "" {
		name = r.Target
	}
	gi := slices.IndexFunc(sec.groups, func(ss []*series) bool { return ss[0].group == g })
	if gi < 0 {
		gi = len(sec.groups)
		sec.groups = append(sec.groups, nil)
	}
	si := slices.IndexFunc(sec.groups[gi], func(s *series) bool { return s.name == name })
	if si < 0 {
		si = len(sec.groups[gi])
		sec.groups[gi] = append(sec.groups[gi], &series{group: g, name: name, mode: r.Mode, unit: r.Unit,
			extra: map[string][]float64{}})
	}
	s := sec.groups[gi][si]
	s.vals = append(s.vals, r.Value)
	s.reps = append(s.reps, r.Rep)
	s.p50 = append(s.p50, r.P50us)
	s.p99 = append(s.p99, r.P99us)
	if v, unit, ok := cpuPerWork(r); ok {
		s.cpu = append(s.cpu, v)
		s.cpuUnit = unit
	}
	for _, u := range sortedKeys(r.Extra) {
		if _, seen := s.extra[u]; !seen {
			s.extraUnits = append(s.extraUnits, u)
		}
		s.extra[u] = append(s.extra[u], r.Extra[u])
	}
	s.errors += r.Errors
	if r.Cut {
		s.cut++
	}
	if s.baseline == "" {
		s.baseline = r.Baseline
	}
	if s.tlsInfo == "" {
		s.tlsInfo = r.TLSInfo
	}
	if s.sni == "" {
		s.sni = r.SNI
	}
	if s.command == "" {
		s.command = r.Command
	}
}

// sortedKeys returns m's keys in order, so output does not depend on map
// iteration.
func sortedKeys(m map[string]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// baseName is the name g's rows are compared to.
func baseName(g []*series) string {
	for _, s := range g {
		if s.baseline != "" {
			return s.baseline
		}
	}
	return baselineName
}

// baseline is g's comparison series, or nil when it was not measured.
func baseline(g []*series) *series {
	name := baseName(g)
	i := slices.IndexFunc(g, func(s *series) bool { return s.name == name })
	if i < 0 {
		return nil
	}
	return g[i]
}

// writeReport prints each section under its heading: a throughput, rate
// and memory table, a latency table, a CPU table for runs metered with
// --cpu-pid, a Go benchmark table, the targets, notes and the commands.
func writeReport(w io.Writer, rs []result, cpuBase string) error {
	bw := bufio.NewWriter(w)
	for i, sec := range gather(rs) {
		if i > 0 {
			fmt.Fprintln(bw)
		}
		sec.write(bw, cpuBase)
	}
	return bw.Flush()
}

// readInput reads the --in file of a subcommand (- for stdin); a missing
// --in is a usage error naming the subcommand.
func readInput(e *env, cmd, in string) ([]byte, error) {
	if in == "" {
		return nil, usageError{cmd + ": --in is required"}
	}
	var data []byte
	var err error
	if in == "-" {
		data, err = io.ReadAll(os.Stdin)
	} else {
		data, err = e.readFile(in)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cmd, err)
	}
	return data, nil
}
