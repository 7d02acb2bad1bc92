package transparent

import (
	"fmt"
	"io"
	"strings"
)

// Render writes the checks as a checklist: ✓ or ✗, the name, the evidence,
// and under each failed check the command that fixes it, then a tally.
func Render(w io.Writer, checks []Check) {
	width := 0
	for _, c := range checks {
		width = max(width, len(c.Name))
	}
	failed := 0
	for _, c := range checks {
		mark := "✓"
		if !c.OK {
			mark = "✗"
			failed++
		}
		fmt.Fprintf(w, "%s %-*s  %s\n", mark, width, c.Name, c.Detail)
		if c.OK || c.Fix == "" {
			continue
		}
		for i, line := range strings.Split(strings.TrimRight(c.Fix, "\n"), "\n") {
			label := "fix:"
			if i > 0 {
				label = "    "
			}
			fmt.Fprintf(w, "%*s%s %s\n", width+4, "", label, line)
		}
	}
	switch {
	case len(checks) == 0:
		fmt.Fprintln(w, "no checks ran")
	case failed == 0:
		fmt.Fprintf(w, "all %d checks passed\n", len(checks))
	default:
		fmt.Fprintf(w, "%d of %d checks failed\n", failed, len(checks))
	}
}
