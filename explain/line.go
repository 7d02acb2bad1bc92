package explain

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// MaxLineLen bounds a pasted line: /var/log/ltm lines are a few hundred
// bytes; anything much longer is not one line.
const MaxLineLen = 64 << 10

// Errors of ParseLine. The Parsed value it returns with them still holds
// whatever could be read.
var (
	// ErrEmptyLine: the line holds nothing but white space.
	ErrEmptyLine = errors.New("explain: empty line")
	// ErrLineTooLong: the line is longer than MaxLineLen.
	ErrLineTooLong = errors.New("explain: line too long")
	// ErrNotBigIP: no message ID, process or known message text was found.
	ErrNotBigIP = errors.New("explain: not a BIG-IP log line")
)

// Endpoint is an address as a BIG-IP line writes it: "10.0.0.1:443",
// "2001:db8::1.443" (IPv6 with a dot before the port), "10.0.0.1.443" (the
// 01260026 form), with an optional route domain ("10.0.0.1%2:443").
type Endpoint struct {
	Text        string         `json:"text"`
	Addr        netip.AddrPort `json:"addr"`
	RouteDomain int            `json:"route_domain,omitempty"`
}

// Pair is the two endpoints of a line, left then right as written. In
// 01260013 and 01260026 the left side opened the TCP connection: on the
// client side it is the client (its ephemeral source port) and the right
// is the virtual server; on the server side the left is BIG-IP's self IP
// or SNAT address and the right the pool member. The line alone cannot
// tell which side it came from: the right address is a virtual server's
// destination on the client side and a pool member's on the server side
// (ExplainLine says so, and how to check).
type Pair struct {
	Left  Endpoint `json:"left"`  // client, or self IP/SNAT on the server side
	Right Endpoint `json:"right"` // virtual server, or pool member on the server side
}

// ConnError holds the fields of an 01260009 "Connection error" line.
type ConnError struct {
	Function  string `json:"function"`
	Line      int    `json:"line"`
	Reason    string `json:"reason"`
	Alert     int    `json:"alert"` // -1 when the line ends without "(N)"
	AlertName string `json:"alert_name,omitempty"`
}

// CertExpiry holds the fields of an 01420007/01420008 certificate line.
type CertExpiry struct {
	Subject string    `json:"subject"`
	File    string    `json:"file"`
	Date    string    `json:"date"`          // as written, without " GMT"
	When    time.Time `json:"when,omitzero"` // Date parsed, UTC
	Expired bool      `json:"expired"`       // 01420007: already expired
}

// PoolMonitor holds the fields of an 01070638 pool member status line.
type PoolMonitor struct {
	Pool      string `json:"pool"`
	Member    string `json:"member"`
	Status    string `json:"status"`            // "down"
	Monitor   string `json:"monitor,omitempty"` // "/Common/tcp_half_open"
	LastError string `json:"last_error,omitempty"`
	Duration  string `json:"duration,omitempty"` // "was up for 837hrs:31mins:36sec"
}

// RSTLimit holds the fields of an 011e0001 reset rate-limit line.
type RSTLimit struct {
	What         string `json:"what"` // "open port RST"
	From         int    `json:"from"`
	To           int    `json:"to"`
	TrafficGroup string `json:"traffic_group,omitempty"`
}

// ResetCause holds the fields of an 01230140 reset-cause line.
type ResetCause struct {
	Code   string `json:"code,omitempty"` // "0x2512c60:2345"
	Reason string `json:"reason,omitempty"`
}

// PeerVerify holds the fields of an 01260006 certificate verify line.
type PeerVerify struct {
	Reason  string `json:"reason"`
	Depth   int    `json:"depth"` // -1 when not written
	Subject string `json:"subject,omitempty"`
}

// Session holds the fields of an ID-less 17.1 "SSL Handshake details" line.
type Session struct {
	Entity  string `json:"entity"` // "client" or "server": which side of BIG-IP
	Version string `json:"version,omitempty"`
	Cipher  string `json:"cipher,omitempty"`
}

// Parsed is one pasted /var/log/ltm line, read as far as it goes: the
// syslog prefix (any of the forms BIG-IP and its collectors write), the
// message ID and its text, and for the IDs tlsgate knows, their fields.
// Fields that were not in the line are zero (Sev and PRI are -1).
type Parsed struct {
	Raw      string    `json:"raw"`
	PRI      int       `json:"pri"`           // <PRI> value, -1 when none
	Time     time.Time `json:"time,omitzero"` // BSD timestamps carry no year: year 0
	TimeText string    `json:"time_text,omitempty"`
	Host     string    `json:"host,omitempty"`
	Slot     string    `json:"slot,omitempty"` // "slot1" of a chassis "slot1/host"
	SevWord  string    `json:"severity_word,omitempty"`
	Sev      int       `json:"severity"` // the digit after the ID, else from the word or PRI; -1 unknown
	Process  string    `json:"process,omitempty"`
	PID      int       `json:"pid,omitempty"`
	ID       string    `json:"id,omitempty"` // lower-case hex, "01260013"
	// IDFromText: the line had no message ID; ID was recognised from the
	// text's verified template.
	IDFromText bool   `json:"id_from_text,omitempty"`
	Text       string `json:"text"`
	// Throttle is the log-throttling notice the line carries; the ID is
	// then the throttled message's, not the notice's own.
	Throttle string `json:"throttle,omitempty"`
	// NullConnflow: TMM had no flow context ("(null connflow): …").
	NullConnflow bool `json:"null_connflow,omitempty"`
	// IRule is the rule name of iRule `log` output ("Rule /Common/x <EVENT>: …").
	IRule string     `json:"irule,omitempty"`
	Addrs []Endpoint `json:"addrs,omitempty"` // every address found in the text, in order
	// BadPorts are the endpoints whose port is above 65535, as written:
	// a damaged or edited line; Addrs leaves them out.
	BadPorts []string `json:"bad_ports,omitempty"`

	Pair       *Pair        `json:"pair,omitempty"` // 01260013, 01260026, 01230140, session lines
	ConnError  *ConnError   `json:"conn_error,omitempty"`
	Cert       *CertExpiry  `json:"cert,omitempty"`
	Monitor    *PoolMonitor `json:"monitor,omitempty"`
	RSTLimit   *RSTLimit    `json:"rst_limit,omitempty"`
	ResetCause *ResetCause  `json:"reset_cause,omitempty"`
	PeerVerify *PeerVerify  `json:"peer_verify,omitempty"`
	Session    *Session     `json:"session,omitempty"`
}

// ParseLine reads one pasted /var/log/ltm line. It accepts the local file
// form ("Feb  1 08:12:14 host warning tmm1[9244]: 01260013:4: …"), the
// forwarded form with <PRI>, RFC 5424 ("<141>1 2020-04-14T… host apmd 7389
// 01490248:5: [SD] …"), ISO-8601 and tmsh "MM-DD" timestamps, "slot1/host"
// and FQDN hosts, lines without timestamp or host, a leading "…" where a
// source elided the prefix, and the bare "01260013:4: …" or message text.
// It never panics; an error says the line is empty, too long or holds no
// BIG-IP message, and the Parsed value still carries what was read.
func ParseLine(line string) (Parsed, error) {
	line = strings.TrimSpace(strings.TrimRight(line, "\r\n"))
	p := Parsed{Raw: line, PRI: -1, Sev: -1}
	if line == "" {
		return p, ErrEmptyLine
	}
	if len(line) > MaxLineLen {
		p.Raw = line[:MaxLineLen]
		return p, fmt.Errorf("%w: %d bytes (at most %d)", ErrLineTooLong, len(line), MaxLineLen)
	}
	rest := p.readPRI(line)
	if p.PRI >= 0 && strings.HasPrefix(rest, "1 ") {
		p.read5424(rest[2:])
	} else {
		p.readHeader(rest)
	}
	p.readFields()
	if p.ID == "" && p.Process == "" && p.Session == nil && p.IRule == "" {
		return p, fmt.Errorf("%w: no message ID, process or known message text in %q", ErrNotBigIP, clip(line, 80))
	}
	return p, nil
}

// clip shortens s for an error message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
