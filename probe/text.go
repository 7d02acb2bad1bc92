package probe

import (
	"bufio"
	"fmt"
	"io"
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
	t := newTr(r.Lang)
	bw := bufio.NewWriter(w)
	if r.SNI != "" {
		fmt.Fprintln(bw, t.f("text.head_sni", "target", r.Target, "sni", r.SNI))
	} else {
		fmt.Fprintln(bw, t.f("text.head_no_sni", "target", r.Target))
	}
	for _, s := range r.Steps {
		fmt.Fprintf(bw, "%s %d. %s: %s\n", mark(s.Verdict), s.Number, s.Title, s.Finding)
		for _, e := range s.Evidence {
			fmt.Fprintf(bw, "      %s\n", e)
		}
		if len(s.Attempts) > 0 && s.Number != StepSNI && s.Number != StepLargeHello && s.Number != StepHTTP {
			for _, a := range s.Attempts {
				fmt.Fprintf(bw, "      %s %-28s %s\n", attemptMark(a), a.Label, a.Detail)
			}
		}
		if s.Cause != "" {
			fmt.Fprintf(bw, "      %s %s\n", t.f("text.cause"), s.Cause)
		}
		if s.Check != "" {
			fmt.Fprintf(bw, "      %s %s\n", t.f("text.check"), s.Check)
		}
	}
	f := r.Final
	fmt.Fprintf(bw, "\n%s %s %s\n", t.f("text.verdict"), verdictWord(f.Verdict, t), r.headline(t))
	if f.Cause != "" {
		fmt.Fprintf(bw, "  %s %s\n", t.f("text.final_cause"), f.Cause)
	}
	if f.Check != "" {
		fmt.Fprintf(bw, "  %s %s\n", t.f("text.check"), f.Check)
	}
	return bw.Flush()
}

// Headline is the final verdict's summary and the step it comes from, in
// the report's language: the verdict line without its verdict word, which
// `tlsgate probe` also prints as its one-line error when a step failed.
func (r Report) Headline() string { return r.headline(newTr(r.Lang)) }

func (r Report) headline(t tr) string {
	if r.Final.Step > 0 {
		return r.Final.Summary + t.f("text.from_step", "n", fmt.Sprint(r.Final.Step))
	}
	return r.Final.Summary
}

// verdictWord is the verdict as the last line shows it: PASS, FAIL … in
// English, OK, NG … as Japanese engineers write it.
func verdictWord(v Verdict, t tr) string {
	return t.f("verdict." + string(v))
}

// attemptMark marks an attempt accepted (+) or refused (-).
func attemptMark(a Attempt) string {
	if a.OK {
		return "+"
	}
	return "-"
}
