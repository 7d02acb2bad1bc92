package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
)

// Besides measurements, a results file can carry notes (words the bench
// script learnt while running, such as "no fault fired") and targets
// (an issue's figure for a row), each filed under a report section.
const (
	modeNote   = "note"
	modeTarget = "target"
)

// expect is a target's condition on one row's median: bounds on its value
// (in the row's unit) and on its ratio to the test's baseline. Zero means
// no bound.
type expect struct {
	MinRatio float64 `json:"min_ratio,omitempty"`
	MaxRatio float64 `json:"max_ratio,omitempty"`
	MinValue float64 `json:"min_value,omitempty"`
	MaxValue float64 `json:"max_value,omitempty"`
}

func (x *expect) valid() error {
	bounds := []float64{x.MinRatio, x.MaxRatio, x.MinValue, x.MaxValue}
	if !slices.ContainsFunc(bounds, func(v float64) bool { return v != 0 }) {
		return fmt.Errorf("a target needs a bound (min_ratio, max_ratio, min_value or max_value)")
	}
	for _, v := range bounds {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("target bound %v: want a positive finite number", v)
		}
	}
	return nil
}

// check reports whether value and ratio (NaN when unknown) meet x.
func (x *expect) check(value, ratio float64) bool {
	ok := true
	if x.MinRatio > 0 {
		ok = ok && ratio >= x.MinRatio
	}
	if x.MaxRatio > 0 {
		ok = ok && ratio <= x.MaxRatio
	}
	if x.MinValue > 0 {
		ok = ok && value >= x.MinValue
	}
	if x.MaxValue > 0 {
		ok = ok && value <= x.MaxValue
	}
	return ok // comparisons with NaN are false, so an unknown ratio fails
}

// usesRatio says whether x needs the row's baseline.
func (x *expect) usesRatio() bool { return x.MinRatio > 0 || x.MaxRatio > 0 }

func cmdNote(args []string, e *env) error {
	var r result
	fs := newFlags("note", "--section S --text words", e.stdout)
	fs.StringVar(&r.Section, "section", "", "report section the note goes under")
	fs.StringVar(&r.Text, "text", "", "the note (required)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if strings.TrimSpace(r.Text) == "" {
		return usageError{"note: --text is required"}
	}
	r.Mode = modeNote
	return printLine(e.stdout, r)
}

func cmdTarget(args []string, e *env) error {
	r := result{Mode: modeTarget, Expect: &expect{}}
	fs := newFlags("target", "--section S --group G --name N --min-ratio 0.35 --text 'what the issue asks'", e.stdout)
	fs.StringVar(&r.Section, "section", "", "report section of the row")
	fs.StringVar(&r.Group, "group", "", "test (--group) of the row (required)")
	fs.StringVar(&r.Name, "name", "", "target (--name) of the row (required)")
	fs.StringVar(&r.Text, "text", "", "the target in words, e.g. \"inspect ≥ 0.35× direct (issue 3)\"")
	fs.Float64Var(&r.Expect.MinRatio, "min-ratio", 0, "the row's median over its baseline's must be at least this")
	fs.Float64Var(&r.Expect.MaxRatio, "max-ratio", 0, "the row's median over its baseline's must be at most this")
	fs.Float64Var(&r.Expect.MinValue, "min-value", 0, "the row's median must be at least this, in its unit")
	fs.Float64Var(&r.Expect.MaxValue, "max-value", 0, "the row's median must be at most this, in its unit")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if r.Group == "" || r.Name == "" {
		return usageError{"target: --group and --name are required"}
	}
	if err := r.Expect.valid(); err != nil {
		return usageError{"target: " + err.Error()}
	}
	return printLine(e.stdout, r)
}

// printLine writes r as one JSON line.
func printLine(w io.Writer, r result) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// writeTargets checks each target of sec against its row's median.
func writeTargets(w io.Writer, sec *section) {
	fmt.Fprintln(w, "| target | row | measured | met? |")
	fmt.Fprintln(w, "|---|---|---:|---|")
	for _, t := range sec.targets {
		row := t.Group + " / " + t.Name
		text := t.Text
		if text == "" {
			text = describeExpect(t.Expect)
		}
		measured, verdict := evalTarget(sec, t)
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", text, row, measured, verdict)
	}
}

// evalTarget finds t's row and says what was measured and whether it meets t.
func evalTarget(sec *section, t result) (measured, verdict string) {
	gi := slices.IndexFunc(sec.groups, func(g []*series) bool { return g[0].group == t.Group })
	if gi < 0 {
		return "—", "not measured"
	}
	g := sec.groups[gi]
	si := slices.IndexFunc(g, func(s *series) bool { return s.name == t.Name })
	if si < 0 {
		return "—", "not measured"
	}
	s := g[si]
	v := median(s.vals)
	r := math.NaN()
	if b := baseline(g); b != nil {
		if bm := median(b.vals); bm != 0 {
			r = v / bm
		}
	}
	measured = num(v) + " " + s.unit
	if t.Expect.usesRatio() {
		if math.IsNaN(r) {
			return measured + " (no " + baseName(g) + " to compare with)", "not measured"
		}
		measured = fmt.Sprintf("%.2f× %s (%s)", r, baseName(g), measured)
	}
	if t.Expect.check(v, r) {
		return measured, "met"
	}
	return measured, "**not met**"
}

// describeExpect words a target that came without --text.
func describeExpect(x *expect) string {
	var parts []string
	if x.MinRatio > 0 {
		parts = append(parts, fmt.Sprintf("≥ %g× baseline", x.MinRatio))
	}
	if x.MaxRatio > 0 {
		parts = append(parts, fmt.Sprintf("≤ %g× baseline", x.MaxRatio))
	}
	if x.MinValue > 0 {
		parts = append(parts, fmt.Sprintf("≥ %g", x.MinValue))
	}
	if x.MaxValue > 0 {
		parts = append(parts, fmt.Sprintf("≤ %g", x.MaxValue))
	}
	return strings.Join(parts, ", ")
}
