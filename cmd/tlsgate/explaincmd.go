package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tlsgate/tlsgate/explain"
)

const explainUsage = "explain [--lang en|ja] [--json] [LINE…]   (lines from the arguments, else from stdin, one per line)"

// cmdExplain explains pasted /var/log/ltm lines: what each means, which
// side of the arrow is the client and which the virtual server, the likely
// causes, the first checks and the lab scenario that reproduces it. Lines
// of one failed connection are explained together. Unknown message IDs are
// said to be unknown, with what could still be read. It exits 0 when at
// least one line was a BIG-IP line, 1 when none was, 2 on bad usage.
func cmdExplain(args []string, stdout, stderr io.Writer) error {
	return explainMain(args, os.Stdin, stdout, stderr)
}

// explainMain is cmdExplain with stdin injected.
func explainMain(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("explain", explainUsage, stdout)
	lang := fs.String("lang", explain.LangEN, "language of the explanation: en or ja")
	asJSON := fs.Bool("json", false, "print the lines and their explanations as JSON")
	positional, err := explainArgs(fs, args)
	if err != nil {
		return err
	}
	if *lang == "" || !explain.ValidLang(*lang) {
		return usageError{fmt.Sprintf("explain: --lang %q: want en or ja", *lang)}
	}
	var raw []string
	var long map[int]int
	if len(positional) > 0 {
		for _, a := range positional {
			raw = append(raw, strings.Split(a, "\n")...)
		}
	} else {
		if f, ok := stdin.(*os.File); ok && isTerminal(f) {
			fmt.Fprintln(stderr, explainWords(*lang).reading)
		}
		if raw, long, err = readLines(stdin); err != nil {
			return fmt.Errorf("explain: reading stdin: %w", err)
		}
	}
	lines, parsed, errs, own := parseAll(raw)
	if own > 0 {
		// tlsgate's log holds its own lines next to the BIG-IP ones; each
		// would otherwise be an event of its own, "no message ID".
		fmt.Fprintf(stderr, "tlsgate: explain: skipped %d of tlsgate's own line(s) (process %s, no message ID): they already explain the BIG-IP lines next to them\n", own, ownProcess)
	}
	for i, n := range lines {
		if size, ok := long[n]; ok && errors.Is(errs[i], explain.ErrLineTooLong) {
			// The line was cut where it was read; say how long it really was.
			errs[i] = fmt.Errorf("%w: %d bytes (at most %d)", explain.ErrLineTooLong, size, explain.MaxLineLen)
		}
	}
	if len(parsed) == 0 && own > 0 {
		return fmt.Errorf("explain: none of the %d line(s) is a BIG-IP log line: all are tlsgate's own", own)
	}
	if len(parsed) == 0 {
		return usageError{"explain: no lines given (pass them as arguments or on stdin; usage: tlsgate " + explainUsage + ")"}
	}
	events := explain.ExplainLines(parsed, *lang)
	if *asJSON {
		err = writeExplainJSON(stdout, *lang, events, lines, errs)
	} else {
		err = writeExplainText(stdout, *lang, events)
	}
	if err != nil {
		return fmt.Errorf("explain: writing the explanation: %w", err)
	}
	bad := 0
	for i, e := range errs {
		if e != nil {
			bad++
			// Prefixed like main's own messages; the package's "explain: "
			// would say the command's name twice.
			fmt.Fprintf(stderr, "tlsgate: explain: line %d: %s\n", lines[i], strings.TrimPrefix(e.Error(), "explain: "))
		}
	}
	if bad == len(parsed) {
		return fmt.Errorf("explain: none of the %d line(s) is a BIG-IP log line", bad)
	}
	return nil
}

// explainArgs parses flags given before, between or after the lines, so
// `explain "LINE" --lang ja` works as well as `explain --lang ja "LINE"`.
func explainArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := flagParse(fs, args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// readLines reads stdin one line at a time. A line longer than
// explain.MaxLineLen is kept only up to one byte past the limit, so that
// ParseLine refuses it as too long, and long maps its 1-based number to its
// real length; the lines around it are still read, as they are when the
// lines come as arguments.
func readLines(r io.Reader) (lines []string, long map[int]int, err error) {
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		var line []byte
		size := 0
		for {
			chunk, more, err := br.ReadLine()
			if err != nil {
				if errors.Is(err, io.EOF) {
					err = nil
				}
				if size > 0 {
					lines = append(lines, string(line))
				}
				return lines, long, err
			}
			if room := explain.MaxLineLen + 1 - len(line); room > 0 {
				line = append(line, chunk[:min(room, len(chunk))]...)
			}
			size += len(chunk)
			if !more {
				break
			}
		}
		lines = append(lines, string(line))
		if size > explain.MaxLineLen {
			if long == nil {
				long = map[int]int{}
			}
			long[len(lines)] = size
		}
	}
}

// ownProcess is the process name on tlsgate's own log lines, which carry
// no BIG-IP message ID (bigiplog writes them so).
const ownProcess = "tlsgate"

// parseAll parses the non-blank lines; numbers are 1-based input lines.
// tlsgate's own lines are left out and counted in own.
func parseAll(raw []string) (numbers []int, parsed []explain.Parsed, errs []error, own int) {
	for i, l := range raw {
		if strings.TrimSpace(l) == "" {
			continue
		}
		p, err := explain.ParseLine(l)
		if err == nil && p.Process == ownProcess && p.ID == "" {
			own++
			continue
		}
		numbers = append(numbers, i+1)
		parsed = append(parsed, p)
		errs = append(errs, err)
	}
	return numbers, parsed, errs, own
}

// isTerminal reports whether f is a character device (an interactive
// terminal), so the user is told where input is expected.
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// explainWords are the headings of the text output, per language.
type explainTexts struct {
	reading, event, lines, meaning, sides, causes, checks, notes, lab, noLab, read string
}

func explainWords(lang string) explainTexts {
	if lang == explain.LangJA {
		return explainTexts{
			reading: "標準入力から /var/log/ltm の行を読み込み中（Ctrl-D で終了）",
			event:   "イベント %d", lines: "（%d 行）",
			meaning: "意味", sides: "矢印の左右", causes: "考えられる原因（可能性の高い順）", checks: "最初に確認すること",
			notes: "補足", lab: "ラボで再現", noLab: "このログを再現するラボのシナリオはない", read: "行から読み取れたこと",
		}
	}
	return explainTexts{
		reading: "reading /var/log/ltm lines from stdin (end with Ctrl-D)",
		event:   "event %d", lines: " (%d lines)",
		meaning: "What it means", sides: "Sides of the arrow", causes: "Likely causes (most likely first)", checks: "First checks",
		notes: "Notes", lab: "Reproduce in the lab", noLab: "no lab scenario reproduces this line", read: "Read from the line",
	}
}

// writeExplainText prints each event: its lines, then the explanation.
func writeExplainText(w io.Writer, lang string, events []explain.LineEvent) error {
	t := explainWords(lang)
	bw := bufio.NewWriter(w)
	for i, ev := range events {
		x := ev.Explanation
		if i > 0 {
			bw.WriteString("\n")
		}
		head := fmt.Sprintf(t.event, i+1)
		if len(ev.Lines) > 1 {
			head += fmt.Sprintf(t.lines, len(ev.Lines))
		}
		fmt.Fprintf(bw, "== %s: %s\n", head, x.Title)
		for _, p := range ev.Lines {
			fmt.Fprintf(bw, "   %s\n", p.Raw)
		}
		fmt.Fprintf(bw, "%s:\n   %s\n", t.meaning, x.Meaning)
		if len(x.Sides) > 0 {
			fmt.Fprintf(bw, "%s:\n", t.sides)
			width := 0
			for _, s := range x.Sides {
				width = max(width, len(s.Endpoint))
			}
			for _, s := range x.Sides {
				fmt.Fprintf(bw, "   %-*s  %s\n", width, s.Endpoint, s.Role)
			}
		}
		numbered(bw, t.causes, x.Causes)
		numbered(bw, t.checks, x.Checks)
		if len(x.Notes) > 0 {
			fmt.Fprintf(bw, "%s:\n", t.notes)
			for _, n := range x.Notes {
				fmt.Fprintf(bw, "   - %s\n", n)
			}
		}
		if len(x.Scenarios) == 0 {
			fmt.Fprintf(bw, "%s: %s\n", t.lab, t.noLab)
		} else {
			fmt.Fprintf(bw, "%s:\n", t.lab)
			for _, s := range x.Scenarios {
				fmt.Fprintf(bw, "   tlsgate lab --only %s\n", s)
			}
		}
		if len(x.Read) > 0 {
			parts := make([]string, len(x.Read))
			for j, e := range x.Read {
				parts[j] = explain.EvidenceLabel(e.Key, lang) + " " + e.Value
			}
			fmt.Fprintf(bw, "%s: %s\n", t.read, strings.Join(parts, "; "))
		}
	}
	return bw.Flush()
}

func numbered(w io.Writer, heading string, items []string) {
	if len(items) == 0 {
		return
	}
	fmt.Fprintf(w, "%s:\n", heading)
	for i, s := range items {
		fmt.Fprintf(w, "   %d. %s\n", i+1, s)
	}
}

// jsonLine is one parsed line with its input line number and any error.
type jsonLine struct {
	Number int `json:"number"`
	explain.Parsed
	Error string `json:"error,omitempty"`
}

type jsonEvent struct {
	Lines       []jsonLine              `json:"lines"`
	Explanation explain.LineExplanation `json:"explanation"`
}

// writeExplainJSON prints {"lang": …, "events": [{"lines": […], "explanation": {…}}]}.
func writeExplainJSON(w io.Writer, lang string, events []explain.LineEvent, numbers []int, errs []error) error {
	out := struct {
		Lang   string      `json:"lang"`
		Events []jsonEvent `json:"events"`
	}{Lang: lang, Events: make([]jsonEvent, len(events))}
	k := 0
	for i, ev := range events {
		je := jsonEvent{Explanation: ev.Explanation}
		for _, p := range ev.Lines {
			jl := jsonLine{Number: numbers[k], Parsed: p}
			if errs[k] != nil {
				jl.Error = errs[k].Error()
			}
			je.Lines = append(je.Lines, jl)
			k++
		}
		out.Events[i] = je
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
