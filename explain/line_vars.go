package explain

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// lineVars fills the line templates from the parsed fields; a field the
// line does not hold reads "(not in the line)".
func lineVars(p Parsed, lang string) *strings.Replacer {
	notes := lineNotes(lang)
	missing := notes[noteUnknownValue]
	or := func(s string) string {
		if s == "" {
			return missing
		}
		return s
	}
	v := map[string]string{
		"id": or(p.ID), "process": or(p.Process), "pid": or(pidText(p.PID)), "throttle": or(p.Throttle),
		"irule": or(p.IRule), "sev": or(sevDigit(p.Sev)), "sev_word": or(p.SevWord),
		"sev_name": missing, "pri": missing, "pri_name": missing,
	}
	if p.Sev >= 0 {
		v["sev_name"] = severityWords()[min(p.Sev, 7)]
	}
	if p.PRI >= 0 {
		v["pri"], v["pri_name"] = strconv.Itoa(p.PRI), facilityName(p.PRI/8)+"."+severityWords()[p.PRI%8]
	}
	left, right := Endpoint{}, Endpoint{}
	if p.Pair != nil {
		left, right = p.Pair.Left, p.Pair.Right
	}
	v["left"], v["right"] = or(left.Text), or(right.Text)
	v["left_ip"], v["left_port"] = endpointParts(left, missing)
	v["right_ip"], v["right_port"] = endpointParts(right, missing)
	// Inside commands a missing value reads as a placeholder to type in.
	cmd := func(s, placeholder string) string {
		if s == missing || s == "" {
			return notes[placeholder]
		}
		return s
	}
	v["client_ip"], v["vs_ip"], v["vs_port"] = cmd(v["left_ip"], noteNoClient), cmd(v["right_ip"], noteNoVSAddr), cmd(v["right_port"], noteNoVSPort)
	// tmsh names an address in a route domain with its %N (the same IP in
	// another route domain is another host), so {right_ip}, which the tmsh
	// lookups use, keeps it; {vs_ip}, {vs} and {client_ip} go to capture
	// filters and clients, which take the bare address.
	v["right_ip"] = cmd(v["right_ip"], noteNoVSAddr)
	if right.RouteDomain != 0 && right.Addr.IsValid() {
		v["right_ip"] += "%" + strconv.Itoa(right.RouteDomain)
	}
	v["rd_addrs"], v["rd"], v["rd_ip"] = routeDomains(p)
	v["bad_ports"] = strings.Join(p.BadPorts, ", ")
	v["vs"] = cmd(vsText(right), noteNoVS)
	if c := p.ConnError; c != nil {
		v["func"], v["line_no"], v["reason"] = or(c.Function), or(strconv.Itoa(c.Line)), or(c.Reason)
		// The templates put the alert in parentheses already.
		v["alert"] = strings.Trim(missing, "()（）")
		if c.Alert >= 0 {
			v["alert"] = alertLabel(c.Alert)
		}
	}
	if c := p.Cert; c != nil {
		v["subject"], v["file"], v["date"] = or(c.Subject), or(c.File), or(c.Date)
	}
	if m := p.Monitor; m != nil {
		v["pool"], v["member"], v["status"] = or(m.Pool), or(m.Member), or(m.Status)
		// A line cut after "monitor status down." names no monitor, last
		// error or up-time: the meaning says so in words, and the tmsh
		// command gets a placeholder, rather than "(not in the line)"
		// standing where a name or a clause belongs.
		v["monitor"], v["monitor_failed"], v["duration"] = notes[noteNoMonitor], notes[noteMonitorUnnamed], notes[noteUpUnknown]
		if m.Monitor != "" {
			lastError := notes[noteNone]
			if m.LastError != "" {
				lastError = m.LastError
			}
			v["monitor"] = m.Monitor
			v["monitor_failed"] = strings.NewReplacer("{monitor}", m.Monitor, "{last_error}", lastError).Replace(notes[noteMonitorNamed])
		}
		if m.Duration != "" {
			v["duration"] = m.Duration
		}
	}
	if r := p.RSTLimit; r != nil {
		v["rst_what"], v["rst_from"], v["rst_to"], v["traffic_group"] = or(r.What), strconv.Itoa(r.From), strconv.Itoa(r.To), or(r.TrafficGroup)
	}
	if r := p.ResetCause; r != nil {
		v["rst_code"], v["rst_reason"] = or(r.Code), or(r.Reason)
	}
	if pv := p.PeerVerify; pv != nil {
		v["verify_reason"], v["cert_subject"], v["depth"] = or(pv.Reason), or(pv.Subject), missing
		if pv.Depth >= 0 {
			v["depth"] = strconv.Itoa(pv.Depth)
		}
	}
	if s := p.Session; s != nil {
		v["version"], v["cipher"] = or(s.Version), or(s.Cipher)
	}
	v["throttled_title"] = throttledTitle(p, lang)
	v["id_product"], v["id_subset"], v["id_number"], v["id_subset_note"] = idParts(p.ID, notes)
	pairs := make([]string, 0, 2*len(v))
	for k, val := range v {
		pairs = append(pairs, "{"+k+"}", val)
	}
	return strings.NewReplacer(pairs...)
}

// routeDomains lists the endpoints of p written with a route domain, the
// route domain IDs they carry, each once in the order found, and the first
// such address as tmsh writes it ("10.0.0.1%2"); all "" when none has one.
func routeDomains(p Parsed) (addrs, ids, first string) {
	eps := slices.Clone(p.Addrs)
	if p.Pair != nil {
		eps = append(eps, p.Pair.Left, p.Pair.Right)
	}
	var texts, rds []string
	for _, e := range eps {
		if e.RouteDomain == 0 {
			continue
		}
		if first == "" && e.Addr.IsValid() {
			first = e.Addr.Addr().String() + "%" + strconv.Itoa(e.RouteDomain)
		}
		if !slices.Contains(texts, e.Text) {
			texts = append(texts, e.Text)
		}
		if rd := strconv.Itoa(e.RouteDomain); !slices.Contains(rds, rd) {
			rds = append(rds, rd)
		}
	}
	return strings.Join(texts, ", "), strings.Join(rds, ", "), first
}

// endpointParts splits an endpoint into its address and port for commands.
func endpointParts(e Endpoint, missing string) (string, string) {
	if !e.Addr.IsValid() {
		return missing, missing
	}
	return e.Addr.Addr().String(), strconv.Itoa(int(e.Addr.Port()))
}

// vsText is the right endpoint in the host:port form commands take.
func vsText(e Endpoint) string {
	if !e.Addr.IsValid() {
		return ""
	}
	return netip.AddrPortFrom(e.Addr.Addr(), e.Addr.Port()).String()
}

func pidText(pid int) string {
	if pid <= 0 {
		return ""
	}
	return strconv.Itoa(pid)
}

func sevDigit(sev int) string {
	if sev < 0 {
		return ""
	}
	return strconv.Itoa(sev)
}

// throttledTitle names the throttled message when tlsgate knows it.
func throttledTitle(p Parsed, lang string) string {
	if p.Throttle == "" {
		return ""
	}
	notes := lineNotes(lang)
	q := p
	q.Throttle = ""
	key := lineKey(q)
	if key == lineUnknown || key == lineNoID {
		return notes[noteThrottleOther]
	}
	// The throttled message's own fields are not in this line.
	title := strings.ReplaceAll(lineKnowledgeTables()[normLang(lang)][key].title, "{reason}", "…")
	return strings.ReplaceAll(notes[noteThrottleKnown], "{title}", title)
}

// idParts reads an ID in F5's K16197 layout: 2 hex digits of product, 2 of
// subset, 4 of message number.
func idParts(id string, notes map[string]string) (product, subset, number, note string) {
	if len(id) != 8 {
		m := notes[noteUnknownValue]
		return m, m, m, ""
	}
	switch id[:4] {
	case "0126":
		note = notes[noteSubset26]
	case "0142":
		note = notes[noteSubset42]
	}
	return id[:2], id[2:4], id[4:], note
}
