package explain

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The syslog prefix of a pasted line: <PRI>, RFC 5424 header, timestamp,
// host, severity word, process[pid] and the "ID:sev:" of the message.

// readPRI consumes a syslog <PRI> prefix (0–191).
func (p *Parsed) readPRI(s string) string {
	if !strings.HasPrefix(s, "<") {
		return s
	}
	end := strings.IndexByte(s, '>')
	if end < 2 || end > 4 {
		return s
	}
	n, err := strconv.Atoi(s[1:end])
	if err != nil || n < 0 || n > 191 {
		return s
	}
	p.PRI = n
	p.Sev = n % 8
	return s[end+1:]
}

// readHeader reads the BSD-style prefix: [timestamp] [host] [severity]
// process[pid]: [ID:sev:] text. Host and severity count only when a
// process or a message ID follows them within three tokens; otherwise the
// line is bare message text.
func (p *Parsed) readHeader(s string) {
	s = strings.TrimSpace(s)
	for _, ell := range []string{"…", "..."} {
		s = strings.TrimSpace(strings.TrimPrefix(s, ell))
	}
	if t, text, n := parseTimestamp(s); n > 0 {
		p.Time, p.TimeText = t, text
		s = strings.TrimSpace(s[n:])
	}
	rest := s
	var before []string
	for range 3 {
		tok, after, _ := strings.Cut(rest, " ")
		if tok == "" {
			break
		}
		if isMessageID(rest) {
			p.readPrefix(before)
			p.readMessage(rest)
			return
		}
		if p.readProcess(tok) {
			p.readPrefix(before)
			p.readMessage(strings.TrimLeft(after, " "))
			return
		}
		before = append(before, tok)
		rest = strings.TrimLeft(after, " ")
	}
	p.readMessage(s)
}

// readPrefix reads the tokens between the timestamp and the process: the
// host (maybe "slot1/host") and the severity word, in either order.
func (p *Parsed) readPrefix(toks []string) {
	for _, tok := range toks {
		switch {
		case p.SevWord == "" && severityOf(tok) >= 0:
			p.SevWord = tok
			p.Sev = severityOf(tok)
		case p.Host == "" && isHostname(tok):
			p.Host = tok
			if slot, host, ok := strings.Cut(tok, "/"); ok && strings.HasPrefix(slot, "slot") {
				p.Slot, p.Host = slot, host
			}
		}
	}
}

// read5424 reads "TIMESTAMP HOST APP PROCID MSGID [SD] MSG" (RFC 5424 §6),
// where BIG-IP puts "ID:sev:" in MSGID and repeats it in the structured
// data (errdefs_msgno).
func (p *Parsed) read5424(s string) {
	fields := make([]string, 0, 5)
	for range 5 {
		s = strings.TrimLeft(s, " ")
		tok, after, _ := strings.Cut(s, " ")
		fields = append(fields, tok)
		s = after
	}
	ts, host, app, procid, msgid := fields[0], fields[1], fields[2], fields[3], fields[4]
	if ts != "-" {
		p.TimeText = ts
		if t, err := time.Parse(time.RFC3339Nano, ts); err == nil {
			p.Time = t
		}
	}
	if host != "-" {
		p.Host = host
	}
	if app != "-" {
		p.Process = app
	}
	if n, err := strconv.Atoi(procid); err == nil && n >= 0 {
		p.PID = n
	}
	sd, msg := splitStructured(strings.TrimLeft(s, " "))
	switch {
	case isMessageID(msgid + " "):
		p.setID(msgid)
	case isMessageID(msg):
		p.readMessage(msg)
		return
	default:
		if v := sdParam(sd, "errdefs_msgno"); isMessageID(v + " ") {
			p.setID(v)
		}
	}
	p.Text = strings.TrimPrefix(msg, "\ufeff") // RFC 5424 allows a BOM before MSG
}

// splitStructured splits RFC 5424 structured data ("-" or one or more
// "[…]" elements, where \] and \" are escaped) from the message.
func splitStructured(s string) (sd, msg string) {
	if strings.HasPrefix(s, "- ") || s == "-" {
		return "", strings.TrimPrefix(strings.TrimPrefix(s, "-"), " ")
	}
	i := 0
	for i < len(s) && s[i] == '[' {
		end := sdElementEnd(s, i)
		if end < 0 {
			return s, "" // unterminated: all of it is structured data
		}
		i = end + 1
	}
	return s[:i], strings.TrimPrefix(s[i:], " ")
}

// sdElementEnd is the index of the "]" closing the element opened at
// s[start], -1 when it is not closed.
func sdElementEnd(s string, start int) int {
	inQuote := false
	for j := start + 1; j < len(s); j++ {
		switch {
		case s[j] == '\\':
			j++
		case s[j] == '"':
			inQuote = !inQuote
		case s[j] == ']' && !inQuote:
			return j
		}
	}
	return -1
}

// sdParam finds name="value" in structured data.
func sdParam(sd, name string) string {
	i := strings.Index(sd, name+`="`)
	if i < 0 {
		return ""
	}
	v := sd[i+len(name)+2:]
	if end := strings.IndexByte(v, '"'); end >= 0 {
		return v[:end]
	}
	return ""
}

// readMessage reads "ID:sev: text" or bare text.
func (p *Parsed) readMessage(s string) {
	if isMessageID(s) {
		p.setID(s[:11])
		s = strings.TrimPrefix(s[11:], " ")
	}
	p.Text = s
}

// setID stores "01260013:4:" (the trailing colon optional).
func (p *Parsed) setID(s string) {
	p.ID = strings.ToLower(s[:8])
	p.Sev = int(s[9] - '0')
}

// isMessageID reports whether s starts with "XXXXXXXX:d:" followed by a
// space or the end: 8 hex digits, a severity digit 0–7.
func isMessageID(s string) bool {
	if len(s) < 11 || s[8] != ':' || s[10] != ':' || s[9] < '0' || s[9] > '7' {
		return false
	}
	for i := range 8 {
		if !isHex(s[i]) {
			return false
		}
	}
	return len(s) == 11 || s[11] == ' '
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// readProcess reads "tmm1[9244]:", "sshd(pam_audit)[123]:", or a known
// daemon without a PID ("tmm:").
func (p *Parsed) readProcess(tok string) bool {
	if !strings.HasSuffix(tok, ":") {
		return false
	}
	tok = tok[:len(tok)-1]
	if open := strings.LastIndexByte(tok, '['); open > 0 && strings.HasSuffix(tok, "]") {
		n, err := strconv.Atoi(tok[open+1 : len(tok)-1])
		if err != nil || n < 0 || !isProcessName(tok[:open]) {
			return false
		}
		p.Process, p.PID = tok[:open], n
		return true
	}
	if knownDaemon(tok) {
		p.Process = tok
		return true
	}
	return false
}

func isProcessName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_-.()/", c) >= 0) {
			return false
		}
	}
	return true
}

// knownDaemon names BIG-IP processes that may be logged without a PID.
func knownDaemon(s string) bool {
	if strings.HasPrefix(s, "tmm") && strings.Trim(s[3:], "0123456789") == "" {
		return true
	}
	switch s {
	case "mcpd", "tmsh", "apmd", "sdmd", "gtmd", "sshd", "httpd", "bigd", "sod":
		return true
	}
	return false
}

// isHostname accepts host names, IP literals and "slot1/host".
func isHostname(s string) bool {
	if s == "" || len(s) > 255 || strings.HasSuffix(s, ":") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._/:", c) >= 0) {
			return false
		}
	}
	return true
}

// severityOf maps a syslog level name to its digit, -1 if s is none.
func severityOf(s string) int {
	for i, w := range severityWords() {
		if s == w {
			return i
		}
	}
	switch s {
	case "error":
		return 3
	case "warn":
		return 4
	}
	return -1
}

// severityWords are the syslog level names by digit, as BIG-IP writes them.
func severityWords() []string {
	return []string{"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"}
}

// parseTimestamp reads a timestamp at the start of s: BSD "Jan _2
// 15:04:05", ISO-8601 "2020-04-07T00:53:46.843+03:00", or tmsh "01-17
// 15:04:05". It returns the time (zero when the text does not parse as
// one), the text, and the bytes consumed (0 when s starts with none).
func parseTimestamp(s string) (time.Time, string, int) {
	tok, _, _ := strings.Cut(s, " ")
	if len(tok) >= 19 && tok[4] == '-' && tok[7] == '-' && (tok[10] == 'T' || tok[10] == 't') {
		t, err := time.Parse(time.RFC3339Nano, tok)
		if err != nil {
			t = time.Time{}
		}
		return t, tok, len(tok)
	}
	if len(s) >= 14 && isDigits(s[0:2]) && s[2] == '-' && isDigits(s[3:5]) && s[5] == ' ' && isClock(s[6:14]) {
		t, err := time.Parse("01-02 15:04:05", s[:14])
		if err != nil {
			t = time.Time{}
		}
		return t, s[:14], 14
	}
	if len(s) < 15 || !isMonth(s[:3]) || s[3] != ' ' {
		return time.Time{}, "", 0
	}
	i := 4
	for i < len(s) && s[i] == ' ' {
		i++
	}
	start := i
	for i < len(s) && i-start < 2 && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == start || i+9 > len(s) || s[i] != ' ' || !isClock(s[i+1:i+9]) {
		return time.Time{}, "", 0
	}
	day, _ := strconv.Atoi(s[start:i])
	text := s[:i+9]
	t, err := time.Parse("Jan _2 15:04:05", fmt.Sprintf("%s %2d %s", s[:3], day, s[i+1:i+9]))
	if err != nil {
		t = time.Time{}
	}
	return t, text, i + 9
}

func isMonth(s string) bool {
	return strings.Contains("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec", s) && len(s) == 3 && s[0] >= 'A' && s[0] <= 'Z'
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// isClock checks "HH:MM:SS".
func isClock(s string) bool {
	return len(s) == 8 && isDigits(s[0:2]) && s[2] == ':' && isDigits(s[3:5]) && s[5] == ':' && isDigits(s[6:8])
}
