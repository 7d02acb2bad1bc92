package main

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"path"
	"strconv"
	"strings"
)

// modeGoBench marks a result read from `go test -bench` output, so the
// pure Go benchmarks land in the same report as the load runs.
const modeGoBench = "gobench"

func cmdGoBench(args []string, e *env) error {
	fs := newFlags("gobench", "--in bench.txt [--section S] [--group G] [--command 'go test …']", e.stdout)
	in := fs.String("in", "", "output of go test -bench (- for stdin); every -count run becomes one result")
	section := fs.String("section", "", "report section the results go under")
	group := fs.String("group", "", "test label (default: the package's last path element, from the pkg: line)")
	command := fs.String("command", "", "the go test command that produced the output, for the report")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	data, err := readInput(e, "gobench", *in)
	if err != nil {
		return err
	}
	rs, err := parseGoBench(data)
	if err != nil {
		return err
	}
	if len(rs) == 0 {
		return fmt.Errorf("gobench: no benchmark result lines in %d bytes of %s", len(data), *in)
	}
	for _, r := range rs {
		r.Section, r.Command = *section, *command
		if *group != "" {
			r.Group = *group
		}
		if err := printLine(e.stdout, r); err != nil {
			return err
		}
	}
	return nil
}

// parseGoBench reads the result lines of `go test -bench` output, such as
//
//	BenchmarkPlan/rules=10-2   881204   427.0 ns/op   240 B/op   3 allocs/op
//
// into results named without the "Benchmark" prefix and the GOMAXPROCS
// suffix, valued in ns/op, with the other metrics in Extra. Lines that are
// not results (headers, PASS, a benchmark's own log output) are skipped.
func parseGoBench(data []byte) ([]result, error) {
	var rs []result
	pkg := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = path.Base(strings.TrimSpace(p))
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		iters, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			continue // a benchmark's log line that happens to start with its name
		}
		r, err := goBenchResult(f[0], iters, f[2:])
		if err != nil {
			return nil, fmt.Errorf("gobench: line %d %q: %w", n, clip([]byte(line)), err)
		}
		r.Group = pkg
		rs = append(rs, r)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("gobench: %w", err)
	}
	return rs, nil
}

// goBenchResult builds one result from a benchmark's name, iteration
// count and value-unit pairs.
func goBenchResult(name string, iters int64, pairs []string) (result, error) {
	r := result{Mode: modeGoBench, Name: benchName(name), Ops: iters, Unit: "ns/op"}
	if iters <= 0 {
		return r, fmt.Errorf("%d iterations", iters)
	}
	if len(pairs)%2 != 0 {
		return r, fmt.Errorf("%d fields after the iteration count, want value-unit pairs", len(pairs))
	}
	found := false
	for i := 0; i < len(pairs); i += 2 {
		v, err := strconv.ParseFloat(pairs[i], 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return r, fmt.Errorf("value %q of %s is not a number", pairs[i], pairs[i+1])
		}
		unit := pairs[i+1]
		if unit == "ns/op" {
			r.Value, found = v, true
			continue
		}
		if r.Extra == nil {
			r.Extra = map[string]float64{}
		}
		r.Extra[unit] = v
	}
	if !found {
		return r, fmt.Errorf("no ns/op")
	}
	return r, nil
}

// benchName drops "Benchmark" and the "-N" GOMAXPROCS suffix Go appends.
func benchName(s string) string {
	s = strings.TrimPrefix(s, "Benchmark")
	if i := strings.LastIndexByte(s, '-'); i > 0 && i < len(s)-1 {
		if _, err := strconv.Atoi(s[i+1:]); err == nil {
			s = s[:i]
		}
	}
	return s
}
