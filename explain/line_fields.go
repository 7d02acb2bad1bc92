package explain

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Message IDs ParseLine reads fields from, beyond the three tlsgate emits
// (bigip-log.md §2). 01230140 and 01260006 are [P]/[R]: their wording is
// unconfirmed, so their explanations say so.
const (
	// IDTPSLimit is "SSL transaction (TPS) rate limit reached".
	IDTPSLimit = "01260008"
	// IDCertWillExpire is tmsh's "Certificate '…' in file … will expire on …".
	IDCertWillExpire = "01420008"
	// IDCertExpired is tmsh's "Certificate '…' in file … expired on …".
	IDCertExpired = "01420007"
	// IDRSTLimit is "Limiting open port RST response from n to m packets/sec …".
	IDRSTLimit = "011e0001"
	// IDPoolMemberDown is mcpd's "Pool … member … monitor status down. […]".
	IDPoolMemberDown = "01070638"
	// IDRSTSent is "RST sent from a to b, [code] reason" ([P]).
	IDRSTSent = "01230140"
	// IDPeerCertVerify is "Peer cert verify error: …" ([R]).
	IDPeerCertVerify = "01260006"
)

// throttleNotices are the log-throttling texts; the line's ID is the
// throttled message's (bigip-log.md §2, [V] S19 for the first, [P] S6).
func throttleNotices() []string {
	return []string{
		"Per-invocation log rate exceeded; throttling.",
		"Resuming log processing at this invocation",
		"Re-enabling general logging;",
		"Cumulative log rate exceeded!  Throttling all non-debug logs.",
	}
}

// textTemplates recognise a message by its verified text when the line
// carries no ID (a message pasted without its prefix).
func textTemplates() []struct{ prefix, contains, id string } {
	return []struct{ prefix, contains, id string }{
		{"SSL Handshake failed for TCP ", "", IDHandshakeFailed},
		{"Connection error: ", "", IDConnectionError},
		{"No shared ciphers between SSL peers ", "", IDNoSharedCiphers},
		{"SSL transaction (TPS) rate limit reached", "", IDTPSLimit},
		{"Certificate '", " will expire on ", IDCertWillExpire},
		{"Certificate '", " expired on ", IDCertExpired},
		{"Limiting ", " packets/sec", IDRSTLimit},
		{"Pool ", " monitor status ", IDPoolMemberDown},
		{"RST sent from ", "", IDRSTSent},
		{"Peer cert verify error: ", "", IDPeerCertVerify},
	}
}

// readFields extracts the fields of the message text.
func (p *Parsed) readFields() {
	text := p.Text
	if rest, ok := strings.CutPrefix(text, "(null connflow): "); ok {
		p.NullConnflow, text = true, rest
	}
	p.Addrs = findEndpoints(text)
	p.BadPorts = findBadPorts(text)
	for _, n := range throttleNotices() {
		if strings.HasPrefix(text, n) {
			p.Throttle = n
			return
		}
	}
	if p.ID == "" {
		p.recognise(text)
	}
	switch p.ID {
	case IDHandshakeFailed:
		p.Pair = arrowPair(strings.TrimPrefix(text, "SSL Handshake failed for TCP "))
	case IDConnectionError:
		p.ConnError = parseConnError(text)
	case IDNoSharedCiphers:
		p.Pair = peersPair(strings.TrimPrefix(text, "No shared ciphers between SSL peers "))
	case IDCertWillExpire, IDCertExpired:
		p.Cert = parseCertExpiry(text)
	case IDPoolMemberDown:
		p.Monitor = parsePoolMonitor(text)
	case IDRSTLimit:
		p.RSTLimit = parseRSTLimit(text)
	case IDRSTSent:
		p.Pair, p.ResetCause = parseResetCause(text)
	case IDPeerCertVerify:
		p.PeerVerify = parsePeerVerify(text)
	case "":
		p.readIDless(text)
	}
	// Some builds write the endpoints into 01260009 (bigip-log.md §2 [P]).
	if p.ID == IDConnectionError && p.Pair == nil && len(p.Addrs) == 2 {
		p.Pair = &Pair{Left: p.Addrs[0], Right: p.Addrs[1]}
	}
}

// recognise sets the ID from a verified text template.
func (p *Parsed) recognise(text string) {
	for _, t := range textTemplates() {
		if strings.HasPrefix(text, t.prefix) && strings.Contains(text, t.contains) {
			p.ID, p.IDFromText = t.id, true
			return
		}
	}
}

// readIDless reads the messages BIG-IP logs without an ID: 17.1 session
// log events and iRule output.
func (p *Parsed) readIDless(text string) {
	if rest, ok := strings.CutPrefix(text, "SSL Handshake details for TCP "); ok {
		p.Pair = arrowPair(rest)
		p.Session = &Session{Entity: wordAfter(rest, "entity: "), Version: wordAfter(rest, "version: "), Cipher: wordAfter(rest, "cipher-suite: ")}
		return
	}
	if rest, ok := strings.CutPrefix(text, "Rule "); ok {
		name, _, _ := strings.Cut(rest, " ")
		p.IRule = name
	}
}

// wordAfter is the space-delimited word after key in s.
func wordAfter(s, key string) string {
	i := strings.Index(s, key)
	if i < 0 {
		return ""
	}
	w, _, _ := strings.Cut(s[i+len(key):], " ")
	return w
}

// arrowPair reads "A -> B" (anything after B is ignored).
func arrowPair(s string) *Pair {
	left, right, ok := strings.Cut(s, " -> ")
	if !ok {
		return nil
	}
	right, _, _ = strings.Cut(right, " ")
	l, okL := parseEndpoint(left)
	r, okR := parseEndpoint(right)
	if !okL && !okR {
		return nil
	}
	return &Pair{Left: l, Right: r}
}

// peersPair reads the 01260026 form "c.p:s.p." — dots before the ports, a
// colon between the peers, a final period. IPv6 addresses hold colons too,
// so the split is the first colon where both halves are addresses.
func peersPair(s string) *Pair {
	s = strings.TrimSuffix(strings.TrimSpace(s), ".")
	for i := 0; i < len(s); i++ {
		if s[i] != ':' {
			continue
		}
		l, okL := parseDotEndpoint(s[:i])
		r, okR := parseDotEndpoint(s[i+1:])
		if okL && okR {
			return &Pair{Left: l, Right: r}
		}
	}
	return nil
}

// parseEndpoint reads one endpoint in any BIG-IP form: "a.b.c.d:p",
// "[v6]:p", "v6.p", "a.b.c.d.p", each with an optional "%rd" route domain.
// Endpoint.Text is kept even when the address does not parse.
func parseEndpoint(s string) (Endpoint, bool) {
	s = strings.TrimRight(s, ",;")
	e := Endpoint{Text: s}
	if strings.HasPrefix(s, "[") {
		end := strings.Index(s, "]:")
		if end < 0 {
			return e, false
		}
		return fillEndpoint(e, s[1:end], s[end+2:])
	}
	if strings.Count(s, ":") == 1 {
		host, port, _ := strings.Cut(s, ":")
		return fillEndpoint(e, host, port)
	}
	return parseDotEndpoint(s)
}

// parseDotEndpoint reads "addr.port" (01260026 for every family, and IPv6
// in 01260013).
func parseDotEndpoint(s string) (Endpoint, bool) {
	e := Endpoint{Text: s}
	i := strings.LastIndexByte(s, '.')
	if i < 0 {
		return e, false
	}
	return fillEndpoint(e, s[:i], s[i+1:])
}

// fillEndpoint parses host (with an optional %rd) and port into e.
func fillEndpoint(e Endpoint, host, port string) (Endpoint, bool) {
	if h, rd, ok := strings.Cut(host, "%"); ok && isDigits(rd) && len(rd) <= 5 {
		n, _ := strconv.Atoi(rd)
		host, e.RouteDomain = h, n
	}
	if !isDigits(port) || len(port) > 5 {
		return e, false
	}
	n, _ := strconv.Atoi(port)
	a, err := netip.ParseAddr(host)
	if err != nil || n > 65535 || a.Zone() != "" {
		return e, false
	}
	e.Addr = netip.AddrPortFrom(a, uint16(n))
	return e, true
}

// findEndpoints lists the address:port values in free text, in order,
// including both peers of the 01260026 form. Brackets separate words
// ("[0x2cc3b7b:2005]") except around an IPv6 address before its port
// ("[2001:db8::1]:443"), so that form is read before they are split on.
func findEndpoints(text string) []Endpoint {
	var out []Endpoint
	seps := func(r rune) bool { return strings.ContainsRune(" \t,;()'\"<>=", r) }
	brackets := func(r rune) bool { return r == '[' || r == ']' }
	for _, word := range strings.FieldsFunc(text, seps) {
		if e, ok := parseEndpoint(strings.TrimRight(word, ".:")); ok {
			out = append(out, e)
			continue
		}
		for _, tok := range strings.FieldsFunc(word, brackets) {
			tok = strings.TrimRight(tok, ".:")
			if e, ok := parseEndpoint(tok); ok {
				out = append(out, e)
				continue
			}
			if pr := peersPair(tok); pr != nil {
				out = append(out, pr.Left, pr.Right)
			}
		}
	}
	return out
}

// findBadPorts lists, in order, the endpoints in text whose address parses
// but whose port cannot be a TCP port (above 65535): findEndpoints leaves
// them out, and without a word the line would lose them silently.
func findBadPorts(text string) []string {
	var out []string
	seps := func(r rune) bool { return strings.ContainsRune(" \t,;()'\"<>=", r) }
	brackets := func(r rune) bool { return r == '[' || r == ']' }
	add := func(tok string) bool {
		tok = strings.TrimRight(tok, ".:")
		if !badPortEndpoint(tok) {
			return false
		}
		if !slices.Contains(out, tok) {
			out = append(out, tok)
		}
		return true
	}
	for _, word := range strings.FieldsFunc(text, seps) {
		if add(word) {
			continue
		}
		for _, tok := range strings.FieldsFunc(word, brackets) {
			if add(tok) {
				continue
			}
			// The 01260026 form "c.p:s.p": either peer may be the bad one.
			tok = strings.TrimRight(tok, ".:")
			for i := 0; i < len(tok); i++ {
				if tok[i] != ':' {
					continue
				}
				l, r := tok[:i], tok[i+1:]
				_, okL := parseDotEndpoint(l)
				_, okR := parseDotEndpoint(r)
				badL, badR := badPortEndpoint(l), badPortEndpoint(r)
				if (okL || badL) && (okR || badR) && (badL || badR) {
					if badL {
						add(l)
					}
					if badR {
						add(r)
					}
					break
				}
			}
		}
	}
	return out
}

// badPortEndpoint says s is one endpoint in a BIG-IP form whose address
// parses and whose port is all digits but above 65535.
func badPortEndpoint(s string) bool {
	var host, port string
	switch {
	case strings.HasPrefix(s, "["):
		end := strings.Index(s, "]:")
		if end < 0 {
			return false
		}
		host, port = s[1:end], s[end+2:]
	case strings.Count(s, ":") == 1:
		host, port, _ = strings.Cut(s, ":")
	default:
		i := strings.LastIndexByte(s, '.')
		if i < 0 {
			return false
		}
		host, port = s[:i], s[i+1:]
	}
	host, _, _ = strings.Cut(host, "%")
	if !isDigits(port) {
		return false
	}
	if _, err := netip.ParseAddr(host); err != nil {
		return false
	}
	n, err := strconv.Atoi(port)
	return err != nil || n > 65535
}

// parseConnError reads "Connection error: <function>:<line>: <reason> (<alert>)".
// The line number may be written "<1234>" (the sc4s routing regex allows it).
func parseConnError(text string) *ConnError {
	i := strings.Index(text, "Connection error: ")
	if i < 0 {
		return nil
	}
	rest := text[i+len("Connection error: "):]
	c := &ConnError{Alert: -1}
	fn, after, ok := strings.Cut(rest, ":")
	if !ok {
		c.Reason = strings.TrimSpace(rest)
		return c
	}
	num, reason, ok := strings.Cut(after, ":")
	num = strings.Trim(num, "<> ")
	if !ok || !isDigits(num) || strings.ContainsAny(fn, " ") {
		c.Reason = strings.TrimSpace(rest)
		return c
	}
	c.Function = fn
	c.Line, _ = strconv.Atoi(clipDigits(num))
	reason = trimTrailingPair(strings.TrimSpace(reason))
	if open := strings.LastIndex(reason, " ("); open >= 0 && strings.HasSuffix(reason, ")") {
		if n, err := strconv.Atoi(reason[open+2 : len(reason)-1]); err == nil && n >= 0 && n <= 255 {
			c.Alert, c.AlertName = n, AlertName(n)
			reason = reason[:open]
		}
	}
	c.Reason = reason
	return c
}

// trimTrailingPair drops "a:p -> b:p" from the end of a 01260009 reason.
// Some builds write the endpoints into the line and where they go is
// unconfirmed (bigip-log.md §2 [P]); readFields takes them from the
// addresses found in the text wherever they are, and the reason (and its
// alert, "(40)") must not carry them.
func trimTrailingPair(reason string) string {
	i := strings.LastIndex(reason, " -> ")
	if i < 0 {
		return reason
	}
	start := strings.LastIndexByte(reason[:i], ' ') + 1
	right := strings.TrimRight(reason[i+len(" -> "):], ".")
	if strings.ContainsAny(right, " \t") {
		return reason
	}
	l, okL := parseEndpoint(reason[start:i])
	r, okR := parseEndpoint(right)
	if !okL || !okR || !l.Addr.IsValid() || !r.Addr.IsValid() {
		return reason
	}
	return strings.TrimSpace(reason[:start])
}

// parseCertExpiry reads "Certificate '<subject>' in file <path> will
// expire on <date> GMT" and "… expired on <date> GMT".
func parseCertExpiry(text string) *CertExpiry {
	rest, ok := strings.CutPrefix(text, "Certificate '")
	if !ok {
		return nil
	}
	i := strings.LastIndex(rest, "' in file ")
	if i < 0 {
		return nil
	}
	c := &CertExpiry{Subject: rest[:i]}
	rest = rest[i+len("' in file "):]
	file, date, ok := strings.Cut(rest, " will expire on ")
	if !ok {
		file, date, ok = strings.Cut(rest, " expired on ")
		c.Expired = ok
	}
	c.File = file
	c.Date = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(date), "GMT"))
	if t, err := time.Parse("Jan _2 15:04:05 2006", c.Date); err == nil {
		c.When = t.UTC()
	}
	return c
}

// parsePoolMonitor reads "Pool <pool> member <member> monitor status
// down. [ <monitor>: down; last error: <text> ]  [ was up for <duration> ]".
func parsePoolMonitor(text string) *PoolMonitor {
	rest, ok := strings.CutPrefix(text, "Pool ")
	if !ok {
		return nil
	}
	pool, rest, ok := strings.Cut(rest, " member ")
	if !ok {
		return nil
	}
	m := &PoolMonitor{Pool: pool}
	m.Member, rest, _ = strings.Cut(rest, " monitor status ")
	status, rest, _ := strings.Cut(rest, " ")
	m.Status = strings.TrimSuffix(status, ".")
	for _, el := range bracketed(rest) {
		switch {
		case strings.HasPrefix(el, "was "):
			m.Duration = el
		case m.Monitor == "":
			name, detail, _ := strings.Cut(el, ": ")
			m.Monitor = name
			if _, e, ok := strings.Cut(detail, "last error:"); ok {
				m.LastError = strings.TrimSpace(e)
			}
		}
	}
	return m
}

// bracketed lists the trimmed contents of "[ … ]" groups in s.
func bracketed(s string) []string {
	var out []string
	for {
		open := strings.IndexByte(s, '[')
		if open < 0 {
			return out
		}
		end := strings.IndexByte(s[open:], ']')
		if end < 0 {
			return out
		}
		out = append(out, strings.TrimSpace(s[open+1:open+end]))
		s = s[open+end+1:]
	}
}

// parseRSTLimit reads "Limiting <what> response from <n> to <m>
// packets/sec[ for traffic-group <tg>]".
func parseRSTLimit(text string) *RSTLimit {
	rest, ok := strings.CutPrefix(text, "Limiting ")
	if !ok {
		return nil
	}
	what, rest, ok := strings.Cut(rest, " response from ")
	if !ok {
		return nil
	}
	r := &RSTLimit{What: what}
	from, rest, _ := strings.Cut(rest, " to ")
	to, rest, _ := strings.Cut(rest, " packets/sec")
	r.From, _ = strconv.Atoi(clipDigits(from))
	r.To, _ = strconv.Atoi(clipDigits(to))
	if _, tg, ok := strings.Cut(rest, "for traffic-group "); ok {
		r.TrafficGroup, _, _ = strings.Cut(strings.TrimSpace(tg), " ")
	}
	return r
}

// clipDigits keeps at most 9 leading characters so Atoi cannot overflow.
func clipDigits(s string) string { return s[:min(len(s), 9)] }

// parseResetCause reads "RST sent from <a> to <b>, [<code>] <reason>" ([P]).
func parseResetCause(text string) (*Pair, *ResetCause) {
	rest, ok := strings.CutPrefix(text, "RST sent from ")
	if !ok {
		return nil, nil
	}
	from, rest, ok := strings.Cut(rest, " to ")
	if !ok {
		return nil, nil
	}
	to, rest, _ := strings.Cut(rest, ",")
	var pair *Pair
	l, okL := parseEndpoint(from)
	r, okR := parseEndpoint(to)
	if okL || okR {
		pair = &Pair{Left: l, Right: r}
	}
	rc := &ResetCause{Reason: strings.TrimSpace(rest)}
	if els := bracketed(rest); len(els) > 0 {
		rc.Code = els[0]
		if end := strings.IndexByte(rest, ']'); end >= 0 {
			rc.Reason = strings.TrimSpace(rest[end+1:])
		}
	}
	return pair, rc
}

// parsePeerVerify reads "Peer cert verify error: <reason> (depth <n>; cert
// <subject>)" ([R]).
func parsePeerVerify(text string) *PeerVerify {
	rest, ok := strings.CutPrefix(text, "Peer cert verify error: ")
	if !ok {
		return nil
	}
	v := &PeerVerify{Reason: strings.TrimSpace(rest), Depth: -1}
	open := strings.LastIndex(rest, " (depth ")
	if open < 0 || !strings.HasSuffix(rest, ")") {
		return v
	}
	v.Reason = rest[:open]
	inner := rest[open+len(" (depth ") : len(rest)-1]
	depth, subject, _ := strings.Cut(inner, ";")
	if n, err := strconv.Atoi(clipDigits(strings.TrimSpace(depth))); err == nil {
		v.Depth = n
	}
	v.Subject = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(subject), "cert"))
	return v
}
