package faults

import (
	"net/netip"
	"slices"
	"strings"
)

// matcher is a rule's selectors compiled once, when the rule is added, so a
// plan only compares values.
type matcher struct {
	listener   string
	sni        string // lower-cased glob; "" = any
	sniNone    bool   // matches only a hello without SNI
	client     netip.Prefix
	hasClient  bool
	ja3, ja4   prefixMatch
	alpn       string
	maxOffered uint16
	helloMin   int
	multiSeg   bool
	// spansSegments is large_hello's default selector: a hello larger than
	// one full-size segment, or one that arrived in more than one read.
	spansSegments bool
	first         uint64
	every         uint64
	after         uint64
	needHello     bool
	// readsHello: a selector needs the hello's content, which a
	// fail-open large_hello keeps from the rule.
	readsHello bool
	// intolerantAbove is a version_intolerance's trigger: a hello whose
	// highest offered version is above it (0: none).
	intolerantAbove uint16
}

// prefixMatch is an exact string, or a prefix when written with a trailing '*'.
type prefixMatch struct {
	s      string
	prefix bool
}

func newPrefixMatch(s string) prefixMatch {
	if p, ok := strings.CutSuffix(s, "*"); ok {
		return prefixMatch{s: p, prefix: true}
	}
	return prefixMatch{s: s}
}

func (p prefixMatch) match(v string) bool {
	if p.prefix {
		return strings.HasPrefix(v, p.s)
	}
	return p.s == "" || v == p.s
}

// compileMatcher builds the matcher of a validated, normalized rule.
func compileMatcher(r *Rule) matcher {
	m := matcher{
		listener:   r.Listener,
		ja3:        newPrefixMatch(r.JA3),
		ja4:        newPrefixMatch(r.JA4),
		alpn:       r.ALPN,
		maxOffered: uint16(r.MaxOfferedVersion),
		helloMin:   r.HelloMinSize,
		multiSeg:   r.HelloMultiSegment,
		first:      r.ConnFirst,
		every:      r.ConnEvery,
		after:      r.ConnAfter,
		needHello:  r.UsesHello(),
		readsHello: r.readsHello(),
	}
	if r.SNI == SNINone {
		m.sniNone = true
	} else {
		m.sni = strings.ToLower(r.SNI)
	}
	if r.Client != "" {
		if p, err := parseClient(r.Client); err == nil {
			m.client, m.hasClient = p, true
		}
	}
	// large_hello without a size selector means what the catalog means by it:
	// a hello that spans more than one segment on a real path.
	if r.Action == ActLargeHello && r.HelloMinSize == 0 && !r.HelloMultiSegment {
		m.spansSegments, m.needHello = true, true
	}
	// version_intolerance judges the versions the hello offers: its
	// content, which a fail-open large_hello keeps from it as from a
	// max_offered_version selector.
	if r.closesOnVersion() {
		m.intolerantAbove, m.needHello, m.readsHello = uint16(r.IntolerantAbove), true, true
	}
	return m
}

// connView is what a plan compares: ConnInfo with the SNI lower-cased and
// the client address unmapped once per connection, not once per rule.
type connView struct {
	ci     *ConnInfo
	sni    string
	client netip.Addr
}

func newConnView(ci *ConnInfo) connView {
	v := connView{ci: ci, client: ci.Client.Addr().Unmap().WithZone("")}
	if ci.Hello != nil {
		v.sni = strings.ToLower(ci.Hello.ServerName)
	}
	return v
}

// match reports whether every selector holds. Cheap integer tests run first.
func (m *matcher) match(v *connView) bool {
	ci := v.ci
	if m.first != 0 && ci.Index > m.first {
		return false
	}
	if m.after != 0 && ci.Index <= m.after {
		return false
	}
	if m.every != 0 && ci.Index%m.every != 0 {
		return false
	}
	if m.listener != "" && m.listener != ci.Listener {
		return false
	}
	if m.hasClient && !m.client.Contains(v.client) {
		return false
	}
	if !m.needHello {
		return true
	}
	h := ci.Hello
	if h == nil {
		return false
	}
	switch {
	case m.sniNone && h.ServerName != "":
		return false
	case m.sni != "" && !globMatch(m.sni, v.sni):
		return false
	case !m.ja3.match(ci.JA3), !m.ja4.match(ci.JA4):
		return false
	case m.alpn != "" && !slices.Contains(h.ALPN, m.alpn):
		return false
	case m.maxOffered != 0 && h.MaxVersion() > m.maxOffered:
		return false
	case m.intolerantAbove != 0 && h.MaxVersion() <= m.intolerantAbove:
		// The highest version it offers (supported_versions without
		// GREASE, else legacy_version) is one the device tolerates.
		return false
	case m.helloMin != 0 && h.WireLen < m.helloMin:
		return false
	case m.multiSeg && ci.HelloSegments <= 1:
		return false
	case m.spansSegments && ci.HelloSegments <= 1 && h.WireLen <= FullSegment:
		return false
	}
	return true
}

// FullSegment is the payload of one full-size TCP segment on a 1,500-byte
// Ethernet path: 1,500 − 20 IP − 20 TCP − 12 bytes of timestamp option
// (the figure probe's step 9 uses too). A ClientHello larger than this
// always spans two segments on such a path, even where it arrives in one
// read: loopback's MTU is 65,536, so there a 1.5 KB post-quantum hello is
// a single segment, and counting reads alone would never see it as large.
const FullSegment = 1448

// GlobMatch reports whether the host name s matches pattern, where '*'
// stands for any run of characters, dots included; both are lower-case
// already. It is how a rule's sni matches, and how an inspect listener's
// bypass globs match too: read alike, listener.RuleMisfit can tell a rule
// whose sni names only servers the bypass relays undecrypted.
func GlobMatch(pattern, s string) bool { return globMatch(pattern, s) }

// globMatch matches s against a pattern where '*' stands for any run of
// characters, dots included. Both are lower-case already. A pattern without
// '*' is an exact match, and "*.suffix" a suffix test; others backtrack over
// the last star, which is linear enough for host names.
func globMatch(pattern, s string) bool {
	star := strings.IndexByte(pattern, '*')
	if star < 0 {
		return pattern == s
	}
	if star == 0 && strings.IndexByte(pattern[1:], '*') < 0 {
		return strings.HasSuffix(s, pattern[1:])
	}
	p, i := 0, 0
	backP, backI := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			backP, backI = p, i
			p++
		case p < len(pattern) && pattern[p] == s[i]:
			p++
			i++
		case backP >= 0:
			backI++
			p, i = backP+1, backI
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
