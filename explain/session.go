package explain

import (
	"crypto/tls"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"net/netip"
	"strconv"
)

// SevInfo is the severity of BIG-IP 17.1 SSL session-log events.
const SevInfo = 6

// Entities of a session-log line: the client side (client → virtual) and
// the server side (BIG-IP self/SNAT → pool member).
const (
	entityClient = "client"
	entityServer = "server"
)

// sessionLines are the BIG-IP 17.1-style "SSL Handshake details" events for
// a connection whose client leg completed: one for the client leg and one
// for the server leg when tlsgate spoke TLS to the backend. F5 documents
// these events without a message ID (bigip-log.md §2, S13), so the lines
// carry none rather than an invented one.
func sessionLines(f *facts) []Line {
	o := f.o
	if !o.ClientTLS.Done {
		return nil
	}
	var out []Line
	if vip := virtualEndpoint(o); o.Client.IsValid() && vip.IsValid() {
		out = append(out, sessionLine(o.ID, o.SessionSalt, entityClient, o.Client, vip, o.ClientTLS))
	}
	if o.Backend.TLS.Done {
		if local, remote := backendEndpoints(o); local.IsValid() && remote.IsValid() {
			out = append(out, sessionLine(o.ID, o.SessionSalt, entityServer, local, remote, o.Backend.TLS))
		}
	}
	return out
}

// sessionLine renders one "SSL Handshake details" event.
func sessionLine(id, salt uint64, entity string, left, right netip.AddrPort, l Leg) Line {
	return Line{Sev: SevInfo, Text: "SSL Handshake details for TCP " + colonEndpoint(left) + " -> " + colonEndpoint(right) +
		" entity: " + entity + " SID: " + sessionID(id, salt, entity) +
		" version: " + OpenSSLVersionName(l.Version) +
		" cipher-suite: " + OpenSSLCipherName(l.CipherSuite) +
		" key-exchange: " + keyExchange(l) +
		" mutual-authentication: " + strconv.FormatBool(l.Mutual)}
}

// sessionID stands in for the TLS session ID BIG-IP prints. crypto/tls
// exposes none (TLS 1.3 has none at all), so this is NOT a session ID: it
// is 16 hex digits hashed from the connection ID, the process's salt and
// the leg, so the lines of one connection can be matched with each other
// and with tlsgate's own lines. Connection IDs restart at 1 with every
// process; the salt, drawn once per process, keeps a restarted tlsgate
// from printing the SIDs of the last run again. XOR with the salt keeps
// the IDs of one process distinct, and salt 0 (tests, the goldens) gives
// the unsalted SIDs.
func sessionID(id, salt uint64, entity string) string {
	h := fnv.New64a()
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], id^salt)
	_, _ = h.Write(b[:])
	_, _ = h.Write([]byte(entity))
	return fmt.Sprintf("%016x", h.Sum64())
}

// keyExchange names the group as the TLS registry does (Go's CurveP256 is
// secp256r1; X25519MLKEM768 keeps its name), or the key exchange a suite
// implies when the listener recorded no group (static RSA has none).
func keyExchange(l Leg) string {
	registry := map[string]string{"CurveP256": "secp256r1", "CurveP384": "secp384r1", "CurveP521": "secp521r1"}
	switch {
	case registry[l.Group] != "":
		return registry[l.Group]
	case l.Group != "":
		return l.Group
	case suiteRank(l.CipherSuite) == rankStaticRSA:
		return "RSA"
	}
	return "unknown"
}

// OpenSSLVersionName spells a protocol version as OpenSSL (and BIG-IP's
// session log) does: "TLSv1.2", "TLSv1" for TLS 1.0, "SSLv3".
func OpenSSLVersionName(v uint16) string {
	switch v {
	case 0x0300:
		return "SSLv3"
	case tls.VersionTLS10:
		return "TLSv1"
	case tls.VersionTLS11:
		return "TLSv1.1"
	case tls.VersionTLS12:
		return "TLSv1.2"
	case tls.VersionTLS13:
		return "TLSv1.3"
	}
	return VersionName(v)
}

// openSSLNames maps the IANA suites crypto/tls implements to OpenSSL's
// names (`openssl ciphers -stdname`). TLS 1.3 suites keep their IANA names
// in OpenSSL, so they are not listed.
func openSSLNames() map[uint16]string {
	return map[uint16]string{
		tls.TLS_RSA_WITH_RC4_128_SHA:                      "RC4-SHA",
		tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA:                 "DES-CBC3-SHA",
		tls.TLS_RSA_WITH_AES_128_CBC_SHA:                  "AES128-SHA",
		tls.TLS_RSA_WITH_AES_256_CBC_SHA:                  "AES256-SHA",
		tls.TLS_RSA_WITH_AES_128_CBC_SHA256:               "AES128-SHA256",
		tls.TLS_RSA_WITH_AES_128_GCM_SHA256:               "AES128-GCM-SHA256",
		tls.TLS_RSA_WITH_AES_256_GCM_SHA384:               "AES256-GCM-SHA384",
		tls.TLS_ECDHE_ECDSA_WITH_RC4_128_SHA:              "ECDHE-ECDSA-RC4-SHA",
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA:          "ECDHE-ECDSA-AES128-SHA",
		tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA:          "ECDHE-ECDSA-AES256-SHA",
		tls.TLS_ECDHE_RSA_WITH_RC4_128_SHA:                "ECDHE-RSA-RC4-SHA",
		tls.TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA:           "ECDHE-RSA-DES-CBC3-SHA",
		tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA:            "ECDHE-RSA-AES128-SHA",
		tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA:            "ECDHE-RSA-AES256-SHA",
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256:       "ECDHE-ECDSA-AES128-SHA256",
		tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256:         "ECDHE-RSA-AES128-SHA256",
		tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:         "ECDHE-RSA-AES128-GCM-SHA256",
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:       "ECDHE-ECDSA-AES128-GCM-SHA256",
		tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384:         "ECDHE-RSA-AES256-GCM-SHA384",
		tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384:       "ECDHE-ECDSA-AES256-GCM-SHA384",
		tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256:   "ECDHE-RSA-CHACHA20-POLY1305",
		tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: "ECDHE-ECDSA-CHACHA20-POLY1305",
	}
}

// OpenSSLCipherName names suite id as OpenSSL does ("ECDHE-RSA-AES128-GCM-SHA256";
// TLS 1.3 suites as in IANA), falling back to Go's name, which is the IANA
// name or "0x…" for suites Go does not know.
func OpenSSLCipherName(id uint16) string {
	if n, ok := openSSLNames()[id]; ok {
		return n
	}
	if id == 0 {
		return "none"
	}
	return CipherName(id)
}

// listenerAddr is the listener's own address (Outcome.ListenerAddr), or
// Virtual where it was not recorded.
func listenerAddr(o *Outcome) netip.AddrPort {
	if o.ListenerAddr.IsValid() {
		return o.ListenerAddr
	}
	return o.Virtual
}

// listenerAt is the listener's own address for "listener NAME (…)", and,
// when the client connected to another address (a PROXY header's
// destination, a transparent original destination), that one too, said
// which is which: the header's 10.9.9.9:443 is the load balancer's VIP,
// not where tlsgate listens.
func (f *facts) listenerAt() string {
	own, vip := listenerAddr(f.o), virtualEndpoint(f.o)
	if !vip.IsValid() || vip == own {
		return f.addr(own)
	}
	key := "listener_at_orig"
	if f.viaProxy() {
		key = "listener_at_proxy"
	}
	return f.say(key, "{own}", f.addr(own), "{vip}", f.addr(vip))
}

// vipWhich follows client-facing advice that names the virtual address
// (a URL, a port the client uses) when that is not the listener's own,
// saying whose address it is; "" when they are the same.
func (f *facts) vipWhich() string {
	own, vip := listenerAddr(f.o), virtualEndpoint(f.o)
	if !vip.IsValid() || vip == own {
		return ""
	}
	key := "vip_which_orig"
	if f.viaProxy() {
		key = "vip_which_proxy"
	}
	return f.say(key, "{own}", f.addr(own), "{vip}", f.addr(vip), "{listener}", f.orNone(f.o.Listener))
}

// viaProxy says the virtual address came from a trusted PROXY header.
func (f *facts) viaProxy() bool {
	o := f.o
	return o.Proxy.Dst.IsValid() && o.Virtual == o.Proxy.Dst && virtualEndpoint(o) == o.Virtual
}

// virtualEndpoint is the right side of client-side BIG-IP lines. On a
// transparent listener the client dialled the real server, and BIG-IP's
// forward proxy (a wildcard virtual) logs that address, as the SSLO lab
// sample `10.1.10.50:61863 -> 93.184.216.34:443` shows (bigip-log.md §1.3).
func virtualEndpoint(o *Outcome) netip.AddrPort {
	if o.Transparent != "" && o.OrigDst.IsValid() {
		return o.OrigDst
	}
	return o.Virtual
}
