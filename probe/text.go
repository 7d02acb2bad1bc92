package probe

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// mark is the checklist symbol for a verdict.
func mark(v Verdict) string {
	switch v {
	case Pass:
		return "✓"
	case Fail:
		return "✗"
	case Warn:
		return "!"
	}
	return "·"
}

// WriteText renders the report as a checklist an operator reads top to
// bottom: one line per step, its evidence and attempts indented under it,
// and the verdict last.
func (r Report) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	head := "tlsgate probe " + r.Target
	if r.SNI != "" {
		head += " (SNI " + r.SNI + ")"
	} else {
		head += " (no SNI)"
	}
	fmt.Fprintln(bw, head)
	for _, s := range r.Steps {
		fmt.Fprintf(bw, "%s %d. %s: %s\n", mark(s.Verdict), s.Number, s.Title, s.Finding)
		for _, e := range s.Evidence {
			fmt.Fprintf(bw, "      %s\n", e)
		}
		if len(s.Attempts) > 0 && s.Number != StepSNI && s.Number != StepLargeHello {
			for _, a := range s.Attempts {
				fmt.Fprintf(bw, "      %s %-28s %s\n", attemptMark(a), a.Label, a.Detail)
			}
		}
		if s.Cause != "" {
			fmt.Fprintf(bw, "      likely cause: %s\n", s.Cause)
		}
		if s.Check != "" {
			fmt.Fprintf(bw, "      check first: %s\n", s.Check)
		}
	}
	f := r.Final
	fmt.Fprintf(bw, "\nVerdict: %s %s", strings.ToUpper(string(f.Verdict)), f.Summary)
	if f.Step > 0 {
		fmt.Fprintf(bw, " (step %d)", f.Step)
	}
	fmt.Fprintln(bw)
	if f.Cause != "" {
		fmt.Fprintf(bw, "  most likely cause: %s\n", f.Cause)
	}
	if f.Check != "" {
		fmt.Fprintf(bw, "  check first: %s\n", f.Check)
	}
	return bw.Flush()
}

// attemptMark marks an attempt accepted (+) or refused (-).
func attemptMark(a Attempt) string {
	if a.OK {
		return "+"
	}
	return "-"
}
