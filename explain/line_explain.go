package explain

import (
	"slices"
	"strconv"
	"strings"
)

// Side is one endpoint of a line and the role it plays.
type Side struct {
	Endpoint string `json:"endpoint"`
	Role     string `json:"role"`
}

// LineExplanation says what one pasted line (or one group of lines from
// the same connection) means: which side of the arrow is which, the likely
// causes (most likely first), the first checks, the lab scenarios that
// reproduce it, and what could be read from the line whatever its ID.
type LineExplanation struct {
	Lang      string     `json:"lang"`
	ID        string     `json:"id,omitempty"`
	Key       string     `json:"key"`   // knowledge key: an ID, "01260009/<reason>", "unknown", …
	Known     bool       `json:"known"` // false for unknown IDs and unreadable lines
	Lines     int        `json:"lines"` // how many lines this explains together
	Title     string     `json:"title"`
	Meaning   string     `json:"meaning"`
	Sides     []Side     `json:"sides,omitempty"`
	Causes    []string   `json:"causes,omitempty"`
	Checks    []string   `json:"checks,omitempty"`
	Scenarios []string   `json:"scenarios,omitempty"` // lab scenario names (tlsgate lab --only NAME)
	Notes     []string   `json:"notes,omitempty"`
	Read      []Evidence `json:"read,omitempty"` // time, host, process, severity, ID, addresses
}

// LineEvent is pasted lines that belong together and their explanation.
type LineEvent struct {
	Lines       []Parsed        `json:"lines"`
	Explanation LineExplanation `json:"explanation"`
}

// lineKey picks the knowledge entry for a parsed line.
func lineKey(p Parsed) string {
	table := lineKnowledgeTables()[LangEN]
	switch {
	case p.Throttle != "":
		return lineThrottle
	case p.Session != nil:
		switch p.Session.Entity {
		case "client":
			return lineSessionClient
		case "server":
			return lineSessionServer
		}
		return lineSession
	case p.IRule != "":
		return lineIRule
	case p.ID == "":
		return lineNoID
	case p.ID == IDConnectionError && p.ConnError != nil:
		if _, ok := table[p.ID+"/"+p.ConnError.Reason]; ok {
			return p.ID + "/" + p.ConnError.Reason
		}
	}
	if _, ok := table[p.ID]; ok {
		return p.ID
	}
	return lineUnknown
}

// ExplainLine explains one parsed line in lang (LangEN or LangJA; any
// other value is English). It is pure and never fails: an unknown ID gets
// an honest "unknown message ID" and what could be read from the line.
func ExplainLine(p Parsed, lang string) LineExplanation {
	lang = normLang(lang)
	key := lineKey(p)
	e := lineKnowledgeTables()[lang][key]
	vars := lineVars(p, lang)
	fill := func(s string) string { return vars.Replace(s) }
	x := LineExplanation{
		Lang: lang, ID: p.ID, Key: key, Lines: 1,
		Known:     key != lineUnknown && key != lineNoID,
		Title:     fill(e.title),
		Meaning:   fill(e.meaning),
		Scenarios: slices.Clone(lineKnowledgeTables()[LangEN][key].scenarios),
		Read:      readEvidence(p),
	}
	for _, c := range e.causes {
		x.Causes = append(x.Causes, fill(c))
	}
	for _, c := range e.checks {
		x.Checks = append(x.Checks, fill(c))
	}
	left, right := e.left, e.right
	if connErrorArrow(p) && left == "" {
		// The endpoints some builds write into 01260009 are the
		// connection's, in the summary's order: take its roles.
		sum := lineKnowledgeTables()[lang][IDHandshakeFailed]
		left, right = sum.left, sum.right
	}
	if p.Pair != nil && left != "" {
		x.Sides = []Side{{Endpoint: p.Pair.Left.Text, Role: fill(left)}, {Endpoint: p.Pair.Right.Text, Role: fill(right)}}
	}
	if connErrorArrow(p) {
		// As for a group with its summary: how to tell the sides apart.
		x.Checks = appendNew(x.Checks, fill(lineKnowledgeTables()[lang][IDHandshakeFailed].checks[0]))
	}
	x.Notes = lineNotesFor(p, key, lang, fill)
	return x
}

// lineNotesFor adds the sentences the line's facts call for.
func lineNotesFor(p Parsed, key, lang string, fill func(string) string) []string {
	notes := lineNotes(lang)
	var out []string
	add := func(k string) { out = append(out, fill(notes[k])) }
	if p.IDFromText {
		add(noteIDFromText)
	}
	if p.NullConnflow {
		add(noteNullConnflow)
	}
	if p.SevWord != "" && p.ID != "" && severityOf(p.SevWord) != p.Sev {
		add(noteSevMismatch)
	}
	if p.PRI >= 0 && p.Sev >= 0 && p.PRI%8 != p.Sev {
		// readPRI seeds Sev from the PRI; a digit or word read later that
		// differs means the forwarder's priority is not the line's.
		add(notePRIMismatch)
	}
	if key == IDHandshakeFailed || key == IDNoSharedCiphers || connErrorArrow(p) {
		add(noteArrow)
		if p.Pair != nil && p.Pair.Left.Addr.IsValid() && p.Pair.Left.Addr.Port() < 1024 {
			add(noteLowPort)
		}
		// A reason line names its own cause; the port-80 hint is for the
		// lines that do not.
		if p.Pair != nil && p.Pair.Right.Addr.Port() == 80 && p.ID != IDConnectionError {
			add(noteVSPort80)
		}
	}
	if rd, _, _ := routeDomains(p); rd != "" {
		add(noteRouteDomain)
	}
	if len(p.BadPorts) > 0 {
		add(noteBadPort)
	}
	return out
}

// connErrorArrow says p is an 01260009 line with the connection's endpoints
// written into it, as some builds do (bigip-log.md §2 [P]).
func connErrorArrow(p Parsed) bool {
	return p.ID == IDConnectionError && p.Pair != nil
}

// GroupLines splits pasted lines into events: the lines BIG-IP writes for
// one failed handshake (01260009 reason, 01260026 detail, 01260013
// summary, in that order) share the second and the tmm instance and PID,
// so consecutive lines with the same timestamp, host and process[pid]
// form one group that the summary closes. Every other line is its own.
func GroupLines(ps []Parsed) [][]Parsed {
	var out [][]Parsed
	for _, p := range ps {
		if n := len(out); n > 0 && joins(out[n-1], p) {
			out[n-1] = append(out[n-1], p)
			continue
		}
		out = append(out, []Parsed{p})
	}
	return out
}

// groupable reports whether p can be part of a handshake group.
func groupable(p Parsed) bool {
	if p.Throttle != "" || p.Process == "" {
		return false
	}
	switch p.ID {
	case IDConnectionError, IDNoSharedCiphers, IDHandshakeFailed:
		return true
	}
	return false
}

// joins reports whether p continues group g: same second, host and
// process[pid]; no summary yet; and no going back in the reason → detail →
// summary order.
func joins(g []Parsed, p Parsed) bool {
	last := g[len(g)-1]
	if !groupable(p) || !groupable(last) || last.ID == IDHandshakeFailed {
		return false
	}
	if p.TimeText != last.TimeText || p.Host != last.Host || p.Process != last.Process || p.PID != last.PID {
		return false
	}
	order := map[string]int{IDConnectionError: 0, IDNoSharedCiphers: 1, IDHandshakeFailed: 2}
	return order[p.ID] > order[last.ID]
}

// ExplainGroup explains lines from one connection as one event: the most
// specific line (the reason, else the detail, else the summary) says what
// happened, and the summary says who the two sides are.
func ExplainGroup(g []Parsed, lang string) LineExplanation {
	switch len(g) {
	case 0:
		return ExplainLine(Parsed{PRI: -1, Sev: -1}, lang)
	case 1:
		return ExplainLine(g[0], lang)
	}
	byID := map[string]Parsed{}
	for _, p := range g {
		byID[p.ID] = p
	}
	primary := g[0]
	summary, hasSummary := byID[IDHandshakeFailed]
	detail, hasDetail := byID[IDNoSharedCiphers]
	if hasSummary && summary.Pair != nil {
		primary.Pair = summary.Pair
	} else if hasDetail && detail.Pair != nil {
		primary.Pair = detail.Pair
	}
	x := ExplainLine(primary, lang)
	x.Lines = len(g)
	vars := lineVars(primary, lang)
	notes := lineNotes(lang)
	group := strings.NewReplacer("{n}", strconv.Itoa(len(g))).Replace(vars.Replace(notes[noteGroup]))
	x.Notes = append([]string{group}, x.Notes...)
	if hasSummary {
		s := ExplainLine(summary, lang)
		x.Sides = s.Sides
		if len(s.Checks) > 0 {
			x.Checks = appendNew(x.Checks, s.Checks[0]) // how to tell the sides apart
		}
		for _, n := range s.Notes {
			x.Notes = appendNew(x.Notes, n)
		}
		x.Read = s.Read
		if hasDetail && detail.Pair != nil && summary.Pair != nil && !samePeers(*detail.Pair, *summary.Pair) {
			mismatch := strings.NewReplacer("{peer_left}", detail.Pair.Left.Text, "{peer_right}", detail.Pair.Right.Text).Replace(notes[notePeersMismatch])
			x.Notes = append(x.Notes, vars.Replace(mismatch))
		}
	}
	return x
}

// samePeers compares the 01260026 peers with the 01260013 endpoints.
func samePeers(a, b Pair) bool {
	return a.Left.Addr == b.Left.Addr && a.Right.Addr == b.Right.Addr
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// ExplainLines groups parsed lines and explains each group.
func ExplainLines(ps []Parsed, lang string) []LineEvent {
	groups := GroupLines(ps)
	out := make([]LineEvent, len(groups))
	for i, g := range groups {
		out[i] = LineEvent{Lines: g, Explanation: ExplainGroup(g, lang)}
	}
	return out
}

// readEvidence lists what could be read from the line, whatever its ID.
func readEvidence(p Parsed) []Evidence {
	var out []Evidence
	add := func(k, v string) {
		if v != "" {
			out = append(out, Evidence{Key: k, Value: v})
		}
	}
	add("time", p.TimeText)
	add("host", p.Host)
	add("slot", p.Slot)
	if p.Process != "" {
		proc := p.Process
		if p.PID > 0 {
			proc += "[" + strconv.Itoa(p.PID) + "]"
		}
		add("process", proc)
	}
	if p.Sev >= 0 {
		add("severity", strconv.Itoa(p.Sev)+" "+severityWords()[min(p.Sev, 7)])
	}
	if p.PRI >= 0 {
		add("pri", strconv.Itoa(p.PRI)+" ("+facilityName(p.PRI/8)+"."+severityWords()[p.PRI%8]+")")
	}
	if p.ID != "" {
		id := p.ID
		if p.Sev >= 0 {
			id += ":" + strconv.Itoa(p.Sev)
		}
		add("message_id", id)
	}
	addrs := make([]string, 0, len(p.Addrs))
	for _, a := range p.Addrs {
		addrs = append(addrs, a.Text)
	}
	add("addresses", strings.Join(addrs, ", "))
	return out
}

// facilityName names a syslog facility (RFC 5424 §6.2.1); BIG-IP LTM logs
// to local0.
func facilityName(f int) string {
	names := []string{"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
		"authpriv", "ftp", "ntp", "audit", "alert", "clock", "local0", "local1", "local2", "local3",
		"local4", "local5", "local6", "local7"}
	if f < 0 || f >= len(names) {
		return strconv.Itoa(f)
	}
	return names[f]
}

// LineScenarios lists every lab scenario name the line explanations refer
// to, sorted. The lab package is not imported here (it imports config,
// which imports the listener, which imports explain); the command that
// wires both checks each name against the catalog.
func LineScenarios() []string {
	var out []string
	for _, e := range lineKnowledgeTables()[LangEN] {
		out = append(out, e.scenarios...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
