package sniff

import (
	"fmt"

	"golang.org/x/crypto/cryptobyte"
)

// Extension types the parser reads (IANA TLS ExtensionType registry).
const (
	extServerName          uint16 = 0  // RFC 6066 §3
	extSupportedGroups     uint16 = 10 // RFC 8446 §4.2.7
	extECPointFormats      uint16 = 11 // RFC 8422 §5.1.2
	extSignatureAlgorithms uint16 = 13 // RFC 8446 §4.2.3
	extALPN                uint16 = 16 // RFC 7301 §3.1
	extSupportedVersions   uint16 = 43 // RFC 8446 §4.2.1
	extKeyShare            uint16 = 51 // RFC 8446 §4.2.8
)

// helloParser walks a reassembled ClientHello body. Every cryptobyte.String
// it handles is a subslice of one buffer whose capacity is base, so the
// position of any string in the message is base-cap(s); frags then turn that
// into a stream offset for the error.
type helloParser struct {
	h     *ClientHello
	frags []fragment
	base  int
}

// fail builds a HelloError located at the start of s.
func (p *helloParser) fail(s cryptobyte.String, field string, ext int, reason string) error {
	return &HelloError{
		Offset:    streamOffset(p.frags, p.base-cap(s)),
		Field:     field,
		Extension: ext,
		Reason:    reason,
	}
}

// parse reads the ClientHello body (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2).
func (p *helloParser) parse(s cryptobyte.String) error {
	h := p.h
	if !s.ReadUint16(&h.LegacyVersion) {
		return p.fail(s, "legacy_version", -1, "truncated")
	}
	var random []byte
	if !s.ReadBytes(&random, 32) {
		return p.fail(s, "random", -1, fmt.Sprintf("truncated: %d of 32 bytes", len(s)))
	}
	var sid cryptobyte.String
	if at := s; !s.ReadUint8LengthPrefixed(&sid) {
		return p.fail(at, "legacy_session_id", -1, "length overruns message")
	} else if len(sid) > 32 {
		return p.fail(at, "legacy_session_id", -1, fmt.Sprintf("length %d exceeds 32", len(sid)))
	}
	if err := p.ciphers(&s); err != nil {
		return err
	}
	var comp cryptobyte.String
	if at := s; !s.ReadUint8LengthPrefixed(&comp) {
		return p.fail(at, "legacy_compression_methods", -1, "length overruns message")
	} else if len(comp) == 0 {
		return p.fail(at, "legacy_compression_methods", -1, "is empty")
	}
	h.Compression = append([]uint8(nil), comp...)
	// Hellos from before extensions existed simply end here.
	if s.Empty() {
		return nil
	}
	var exts cryptobyte.String
	at := s
	if !s.ReadUint16LengthPrefixed(&exts) {
		return p.fail(at, "extensions", -1, "length overruns message")
	}
	if !s.Empty() {
		return p.fail(s, "extensions", -1, fmt.Sprintf("followed by %d stray bytes", len(s)))
	}
	for !exts.Empty() {
		if err := p.extension(&exts); err != nil {
			return err
		}
	}
	return nil
}

func (p *helloParser) ciphers(s *cryptobyte.String) error {
	var cs cryptobyte.String
	at := *s
	switch {
	case !s.ReadUint16LengthPrefixed(&cs):
		return p.fail(at, "cipher_suites", -1, "length overruns message")
	case len(cs) == 0:
		return p.fail(at, "cipher_suites", -1, "is empty")
	case len(cs)%2 != 0:
		return p.fail(at, "cipher_suites", -1, fmt.Sprintf("length %d is odd", len(cs)))
	}
	p.h.CipherSuites = p.u16s(cs)
	return nil
}

// u16s decodes a list of uint16 whose length is already known to be even,
// noting GREASE values as it goes.
func (p *helloParser) u16s(s cryptobyte.String) []uint16 {
	out := make([]uint16, 0, len(s)/2)
	var v uint16
	for s.ReadUint16(&v) {
		p.h.GREASE = p.h.GREASE || IsGREASE(v)
		out = append(out, v)
	}
	return out
}

// extension reads one extension and the body of those tlsgate cares about.
func (p *helloParser) extension(exts *cryptobyte.String) error {
	var typ uint16
	var body cryptobyte.String
	at := *exts
	if !exts.ReadUint16(&typ) {
		return p.fail(at, "extensions", -1, fmt.Sprintf("end with %d stray bytes", len(at)))
	}
	if !exts.ReadUint16LengthPrefixed(&body) {
		return p.fail(at, extField(typ), int(typ), "length overruns extensions block")
	}
	h := p.h
	for _, seen := range h.Extensions {
		if seen == typ {
			// RFC 8446 §4.2: at most one extension of each type.
			return p.fail(at, extField(typ), int(typ), "is repeated")
		}
	}
	h.Extensions = append(h.Extensions, typ)
	h.GREASE = h.GREASE || IsGREASE(typ)
	start := body
	var reason string
	switch typ {
	case extServerName:
		reason = p.serverName(&body)
	case extALPN:
		reason = p.alpn(&body)
	case extSupportedGroups:
		h.SupportedGroups, reason = p.u16List(&body)
	case extSignatureAlgorithms:
		h.SignatureAlgorithms, reason = p.u16List(&body)
	case extSupportedVersions:
		h.SupportedVersions, reason = p.versions(&body)
	case extKeyShare:
		reason = p.keyShare(&body)
	case extECPointFormats:
		var l cryptobyte.String
		if !body.ReadUint8LengthPrefixed(&l) || len(l) == 0 {
			reason = "ec_point_format_list is empty or overruns the extension"
		} else {
			h.ECPointFormats = append([]uint8(nil), l...)
		}
	default:
		body = nil // opaque to us
	}
	if reason != "" {
		return p.fail(start, extField(typ), int(typ), reason)
	}
	if !body.Empty() {
		return p.fail(body, extField(typ), int(typ), fmt.Sprintf("has %d stray bytes after its content", len(body)))
	}
	return nil
}

// extField names an extension for a HelloError; built only on failure so
// the happy path does not allocate it.
func extField(typ uint16) string { return fmt.Sprintf("extension 0x%04x", typ) }

// u16List reads a uint16-length-prefixed list of uint16 values.
func (p *helloParser) u16List(body *cryptobyte.String) ([]uint16, string) {
	var l cryptobyte.String
	switch {
	case !body.ReadUint16LengthPrefixed(&l):
		return nil, "list length overruns the extension"
	case len(l)%2 != 0:
		return nil, fmt.Sprintf("list length %d is odd", len(l))
	case len(l) == 0:
		return nil, "list is empty"
	}
	return p.u16s(l), ""
}

// versions reads the ClientHello form of supported_versions: a
// uint8-length-prefixed list of uint16.
func (p *helloParser) versions(body *cryptobyte.String) ([]uint16, string) {
	var l cryptobyte.String
	switch {
	case !body.ReadUint8LengthPrefixed(&l):
		return nil, "list length overruns the extension"
	case len(l) == 0 || len(l)%2 != 0:
		return nil, fmt.Sprintf("list length %d is empty or odd", len(l))
	}
	return p.u16s(l), ""
}

// serverName keeps the first host_name entry (RFC 6066 §3).
func (p *helloParser) serverName(body *cryptobyte.String) string {
	var list cryptobyte.String
	if !body.ReadUint16LengthPrefixed(&list) || list.Empty() {
		return "server_name_list is empty or overruns the extension"
	}
	seenHost := false
	for !list.Empty() {
		var nameType uint8
		var name cryptobyte.String
		if !list.ReadUint8(&nameType) || !list.ReadUint16LengthPrefixed(&name) {
			return "server_name entry overruns the list"
		}
		if nameType != 0 {
			continue
		}
		if seenHost {
			return "has two host_name entries"
		}
		if len(name) == 0 {
			return "host_name is empty"
		}
		seenHost = true
		p.h.ServerName = string(name)
	}
	return ""
}

// alpn reads the protocol name list (RFC 7301 §3.1); names are never empty.
func (p *helloParser) alpn(body *cryptobyte.String) string {
	var list cryptobyte.String
	if !body.ReadUint16LengthPrefixed(&list) || list.Empty() {
		return "protocol_name_list is empty or overruns the extension"
	}
	for !list.Empty() {
		var proto cryptobyte.String
		if !list.ReadUint8LengthPrefixed(&proto) || proto.Empty() {
			return "protocol name is empty or overruns the list"
		}
		p.h.ALPN = append(p.h.ALPN, string(proto))
	}
	return ""
}

// keyShare records the group of each KeyShareEntry (RFC 8446 §4.2.8). An
// empty client_shares list is legal: the client waits for a
// HelloRetryRequest to learn the group.
func (p *helloParser) keyShare(body *cryptobyte.String) string {
	var list cryptobyte.String
	if !body.ReadUint16LengthPrefixed(&list) {
		return "client_shares length overruns the extension"
	}
	groups := []uint16{}
	for !list.Empty() {
		var group uint16
		var key cryptobyte.String
		if !list.ReadUint16(&group) || !list.ReadUint16LengthPrefixed(&key) {
			return "key share entry overruns client_shares"
		}
		if key.Empty() {
			return fmt.Sprintf("key share for group 0x%04x is empty", group)
		}
		p.h.GREASE = p.h.GREASE || IsGREASE(group)
		groups = append(groups, group)
	}
	p.h.KeyShareGroups = groups
	return ""
}
