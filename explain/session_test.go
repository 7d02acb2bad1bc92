package explain

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"net/netip"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// TestSessionIDs: 16 hex digits, stable for one connection and leg,
// different across legs and connections.
func TestSessionIDs(t *testing.T) {
	hex16 := regexp.MustCompile(`^[0-9a-f]{16}$`)
	seen := map[string]bool{}
	for _, id := range []uint64{0, 1, 42, 1 << 63} {
		for _, entity := range []string{entityClient, entityServer} {
			sid := sessionID(id, 0, entity)
			if !hex16.MatchString(sid) {
				t.Errorf("sessionID(%d, %s) = %q", id, entity, sid)
			}
			if sid != sessionID(id, 0, entity) {
				t.Errorf("sessionID(%d, %s) is not stable", id, entity)
			}
			if seen[sid] {
				t.Errorf("sessionID(%d, %s) = %s collides", id, entity, sid)
			}
			seen[sid] = true
		}
	}
}

// TestSessionIDsSalted: IDs restart at 1 in every process, so the SIDs of
// connection 1 used to repeat after each restart. Each process's salt
// (Outcome.SessionSalt) now makes them its own, the same for every line of
// that process.
func TestSessionIDsSalted(t *testing.T) {
	o := inspectedOK(modernHello(), tls.VersionTLS13, tls.TLS_AES_128_GCM_SHA256)
	o.ID = 1
	sids := func(salt uint64) []string {
		o.SessionSalt = salt
		var out []string
		for _, l := range sessionLines(&facts{o: o}) {
			_, rest, _ := strings.Cut(l.Text, " SID: ")
			sid, _, _ := strings.Cut(rest, " ")
			out = append(out, sid)
		}
		if len(out) != 2 {
			t.Fatalf("salt %x: %d session lines, want the client's and the server's", salt, len(out))
		}
		return out
	}
	run1, again, run2 := sids(0x9e3779b97f4a7c15), sids(0x9e3779b97f4a7c15), sids(0x2545f4914f6cdd1d)
	for i := range run1 {
		if run1[i] != again[i] {
			t.Errorf("leg %d: SID %s, then %s within one process", i, run1[i], again[i])
		}
		if run1[i] == run2[i] {
			t.Errorf("leg %d: connection 1 has SID %s in two processes", i, run1[i])
		}
	}
	if run1[0] == run1[1] {
		t.Errorf("both legs have SID %s", run1[0])
	}
}

// TestSessionLineShape checks one line field by field against the 17.1
// template of bigip-log.md §2, and IPv6 endpoints in the ip.port form.
func TestSessionLineShape(t *testing.T) {
	o := inspectedOK(modernHello(), tls.VersionTLS13, tls.TLS_CHACHA20_POLY1305_SHA256)
	o.Client = netip.MustParseAddrPort("[2001:db8::86]:32962")
	o.OrigDst = netip.MustParseAddrPort("[2001:db8::443]:443")
	o.ClientTLS.Mutual = true
	lines := sessionLines(deriveFacts(o))
	if len(lines) != 2 {
		t.Fatalf("%d lines: %+v", len(lines), lines)
	}
	want := "SSL Handshake details for TCP 2001:db8::86.32962 -> 2001:db8::443.443 entity: client SID: " + sessionID(42, 0, "client") +
		" version: TLSv1.3 cipher-suite: TLS_CHACHA20_POLY1305_SHA256 key-exchange: X25519MLKEM768 mutual-authentication: true"
	if lines[0].Text != want || lines[0].ID != "" || lines[0].Sev != SevInfo {
		t.Errorf("client line\n got %+v\nwant text %q", lines[0], want)
	}
	if !strings.Contains(lines[1].Text, "for TCP 10.0.0.2:40112 -> 93.184.216.34:443 entity: server ") {
		t.Errorf("server line %q", lines[1].Text)
	}

	// No session lines when the client leg did not complete, nor for
	// legs whose endpoints are unknown.
	o.ClientTLS.Done = false
	if l := sessionLines(deriveFacts(o)); l != nil {
		t.Errorf("lines for an incomplete leg: %+v", l)
	}
	o.ClientTLS.Done = true
	o.Backend.TLS.Done = false
	if l := sessionLines(deriveFacts(o)); len(l) != 1 {
		t.Errorf("want only the client line: %+v", l)
	}
}

// TestOpenSSLNames: every suite crypto/tls implements has an OpenSSL name,
// and when an openssl binary is at hand, its -stdname table agrees.
func TestOpenSSLNames(t *testing.T) {
	all := append(tls.CipherSuites(), tls.InsecureCipherSuites()...)
	for _, s := range all {
		name := OpenSSLCipherName(s.ID)
		tls13 := len(s.SupportedVersions) == 1 && s.SupportedVersions[0] == tls.VersionTLS13
		if tls13 != (name == s.Name) || strings.HasPrefix(name, "0x") {
			t.Errorf("%s -> %q", s.Name, name)
		}
	}
	if got := OpenSSLCipherName(0x1234); got != "0x1234" {
		t.Errorf("unknown suite: %q", got)
	}
	if got := OpenSSLCipherName(0); got != "none" {
		t.Errorf("no suite: %q", got)
	}
	for v, want := range map[uint16]string{0x0300: "SSLv3", tls.VersionTLS10: "TLSv1", tls.VersionTLS11: "TLSv1.1",
		tls.VersionTLS12: "TLSv1.2", tls.VersionTLS13: "TLSv1.3", 0: "none"} {
		if got := OpenSSLVersionName(v); got != want {
			t.Errorf("OpenSSLVersionName(%#04x) = %q, want %q", v, got, want)
		}
	}

	out, err := exec.Command("openssl", "ciphers", "-stdname", "ALL:COMPLEMENTOFALL:@SECLEVEL=0").Output()
	if err != nil {
		t.Fatalf("openssl is needed to check the cipher name table (apt-get install openssl): %v", err)
	}
	theirs := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) >= 3 && f[1] == "-" {
			theirs[f[0]] = f[2]
		}
	}
	compared := 0
	for _, s := range all {
		if n, ok := theirs[s.Name]; ok {
			compared++
			if got := OpenSSLCipherName(s.ID); got != n {
				t.Errorf("%s: ours %q, openssl %q", s.Name, got, n)
			}
		}
	}
	if compared < 15 {
		t.Errorf("only %d suites compared with openssl", compared)
	}
}

func TestSuiteRank(t *testing.T) {
	tests := map[uint16]int{
		tls.TLS_AES_256_GCM_SHA384:                        rankTLS13,
		tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: rankECDHEAEAD,
		tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:         rankECDHEAEAD,
		tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA:            rankECDHECBC,
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256:       rankECDHECBC,
		tls.TLS_RSA_WITH_AES_128_GCM_SHA256:               rankStaticRSA,
		tls.TLS_RSA_WITH_AES_256_CBC_SHA:                  rankStaticRSA,
		tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA:                 rankLegacy,
		tls.TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA:           rankLegacy,
		tls.TLS_ECDHE_ECDSA_WITH_RC4_128_SHA:              rankLegacy,
		0x0a0a:                                            rankUnknown,
	}
	for id, want := range tests {
		if got := suiteRank(id); got != want {
			t.Errorf("suiteRank(%s) = %d, want %d", tls.CipherSuiteName(id), got, want)
		}
	}
}

// TestWarningsOnlyForInspect: a terminate listener with server_ssl and
// verification off is the operator's own backend, not interception.
func TestWarningsOnlyForInspect(t *testing.T) {
	o := inspectedOK(modernHello(), tls.VersionTLS13, tls.TLS_AES_128_GCM_SHA256)
	o.Backend.TLS.VerifySkipped = true
	if d := Diagnose(o); len(d.Warnings) != 1 {
		t.Fatalf("inspect: %q", d.Warnings)
	}
	o.Mode, o.Route = "terminate", "terminate"
	if d := Diagnose(o); len(d.Warnings) != 0 || d.Code != CodeOK {
		t.Errorf("terminate: %s %q", d.Code, d.Warnings)
	}
}

func TestExchangeText(t *testing.T) {
	tests := []struct {
		x    HTTPExchange
		want string
	}{
		{HTTPExchange{Method: "GET", Target: "/path", Host: "lab.test", Status: 200, RespBytes: 1234}, "GET lab.test/path → 200 (req 0 B, resp 1234 B)"},
		{HTTPExchange{Method: "GET", Target: "http://lab.test/x", Host: "lab.test", Status: 404}, "GET http://lab.test/x → 404 (req 0 B, resp 0 B)"},
		{HTTPExchange{Method: "OPTIONS", Target: "*", Host: "lab.test", Status: 204}, "OPTIONS * → 204 (req 0 B, resp 0 B)"},
		{HTTPExchange{Method: "PUT", Target: "/up", ReqBytes: 10}, "PUT /up → no response (req 10 B, resp 0 B)"},
		{HTTPExchange{Method: "CONNECT", Target: "lab.test:443", Status: 200, Upgraded: true}, "CONNECT lab.test:443 → 200 (req 0 B, resp 0 B) upgraded"},
		// The backend's 200, which a fault kept from the client.
		{HTTPExchange{Method: "GET", Target: "/", Host: "lab.test", Status: 200, RespBytes: 2, Undelivered: true}, "GET lab.test/ → 200 not delivered (req 0 B, resp 2 B)"},
	}
	for _, tc := range tests {
		if got := ExchangeText(tc.x); got != tc.want {
			t.Errorf("\n got %q\nwant %q", got, tc.want)
		}
	}
}
