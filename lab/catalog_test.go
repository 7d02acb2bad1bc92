package lab

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/faults"
	"github.com/tlsgate/tlsgate/probe"
)

// knownCodes are explain's diagnosis codes; a scenario expecting anything
// else has a typo no end-to-end run would forgive.
func knownCodes() []string {
	return []string{
		explain.CodeOK, explain.CodePlaintextOnTLS, explain.CodePlaintextAllowed, explain.CodeTLSOnPlaintext,
		explain.CodeVersionTooOld, explain.CodeVersionTooNew, explain.CodeNoSharedCipher, explain.CodeNoSharedGroup, explain.CodeSNIMissing,
		explain.CodeClientSilent, explain.CodeClientClosedEarly, explain.CodeClientResetEarly, explain.CodeClientAlert,
		explain.CodeHandshakeFailed, explain.CodeHandshakeTimeout, explain.CodeHelloMalformed,
		explain.CodeBackendRefused, explain.CodeBackendTimeout, explain.CodeBackendError,
		explain.CodeBackendTLSFailed, explain.CodeBackendTLSVerify, explain.CodeClientRejectedSilently,
		explain.CodeClientCertMissing, explain.CodeClientCertRejected, explain.CodeBackendRejectedHello, explain.CodeFaultInjected,
	}
}

// verifiedIDs are the BIG-IP message IDs whose SSL templates bigip-log.md
// marks verified; the catalog never invents one.
func verifiedIDs() []string { return []string{"01260013", "01260009", "01260026"} }

var ltmID = regexp.MustCompile(`^([0-9a-f]{8}):[0-7]: `)

func TestCatalogEntries(t *testing.T) {
	catalog := Catalog()
	if len(catalog) > MaxScenarios {
		t.Fatalf("%d scenarios, max %d", len(catalog), MaxScenarios)
	}
	seen := map[string]bool{OriginName: true}
	faultNames := map[string]string{originHSTS: OriginName}
	for _, s := range catalog {
		t.Run(s.Name, func(t *testing.T) {
			if !regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`).MatchString(s.Name) {
				t.Errorf("name %q: want lower-case words joined by hyphens (it is a listener name and a CLI argument)", s.Name)
			}
			if seen[s.Name] {
				t.Errorf("duplicate name %q", s.Name)
			}
			seen[s.Name] = true
			if !slices.Contains(Families(), s.Family) {
				t.Errorf("family %q", s.Family)
			}
			if s.Try == "" || s.ExpectClient == "" {
				t.Errorf("Try %q and ExpectClient %q are both required", s.Try, s.ExpectClient)
			}
			// "Client shows" is printed as is: a pattern that stops at a
			// header's name ("… Date: ") reads as a cut-off page.
			if strings.HasSuffix(strings.TrimSpace(s.ExpectClient), ":") {
				t.Errorf("ExpectClient %q ends at a label without its value; show what the client prints there (… for what varies)", s.ExpectClient)
			}
			switch {
			case s.ExpectDown:
				// A refused port logs no connection: no code to expect, a
				// refuse rule that holds the listener down, and curl's
				// refusal.
				// refused at once (7), or a SYN dropped: timed out (28).
				refuses := slices.ContainsFunc(s.Faults, func(r faults.Rule) bool { return r.Action == faults.ActRefuse })
				want := 7
				if slices.ContainsFunc(s.Faults, func(r faults.Rule) bool { return r.Mode == faults.ModeSynDrop }) {
					want = 28
					if !strings.Contains(s.Try, "--connect-timeout") {
						t.Errorf("Try %q: a dropped SYN waits out curl's connect timeout; give it --connect-timeout", s.Try)
					}
				}
				if code, ok := s.ExpectExit(); s.ExpectCode != "" || !refuses || !ok || code != want || s.Compare != "" {
					t.Errorf("ExpectDown: want no ExpectCode (got %q), a refuse rule (%t), curl: (%d) (got %d, %t) and no Compare (got %q)",
						s.ExpectCode, refuses, want, code, ok, s.Compare)
				}
			case !slices.Contains(knownCodes(), s.ExpectCode):
				t.Errorf("ExpectCode %q is not an explain diagnosis code", s.ExpectCode)
			}
			if !probe.KnownCode(s.ExpectProbe) || s.ExpectProbe == "skipped" || s.ExpectProbe == "ok" {
				t.Errorf("ExpectProbe %q is not a step code of tlsgate probe", s.ExpectProbe)
			}
			if cmd := s.ProbeCommand(); !strings.HasPrefix(cmd, "tlsgate probe 127.0.0.1:{port}") || strings.Contains(cmd, "--json") {
				t.Errorf("probe command %q: want tlsgate probe 127.0.0.1:{port} … without --json (the test adds it)", cmd)
			}
			if (s.ProbeNote.EN == "") != (s.ProbeNote.JA == "") {
				t.Errorf("ProbeNote has one language only: %+v", s.ProbeNote)
			}
			if (s.Compare == "") != (s.CompareExpect == "") {
				t.Errorf("Compare %q and CompareExpect %q go together", s.Compare, s.CompareExpect)
			}
			for _, cmd := range []string{s.Try, s.Compare, s.ProbeCommand()} {
				if left := Expand(cmd, Vars{Port: 1, Origin: 2, CA: "ca.pem"}); strings.ContainsAny(left, "{}") {
					t.Errorf("command %q keeps a placeholder after expansion: %q", cmd, left)
				}
			}
			if !slices.Contains([]string{"passthrough", "terminate", "plaintext", "auto", "inspect"}, s.Listener.Mode) {
				t.Errorf("listener mode %q", s.Listener.Mode)
			}
			if s.Listener.Backend != "" && s.Listener.Backend != BackendDemo && s.Listener.Backend != BackendOrigin {
				t.Errorf("backend %q", s.Listener.Backend)
			}
			for _, r := range s.Faults {
				if prev, dup := faultNames[r.Name]; dup {
					t.Errorf("fault name %q also used by %s; the lab runs every rule in one engine", r.Name, prev)
				}
				faultNames[r.Name] = s.Name
				if r.Listener != "" {
					t.Errorf("fault %q names listener %q; the lab scopes rules itself", r.Name, r.Listener)
				}
				if err := r.Validate(); err != nil {
					t.Errorf("fault %q: %v", r.Name, err)
				}
			}
			for _, l := range s.BigIP {
				m := ltmID.FindStringSubmatch(l)
				if m == nil || !slices.Contains(verifiedIDs(), m[1]) {
					t.Errorf("BIG-IP line %q: want one of the verified message IDs %v", l, verifiedIDs())
				}
			}
			// In inspect mode tlsgate is the interceptor: when the client
			// fails, tlsgate logs 01260013 for its client leg while the
			// real server logs nothing, and the page must say whose line
			// the trainee is reading (it once just said "None").
			if s.Listener.Mode == "inspect" && s.ExpectCode != "ok" && len(s.BigIP) == 0 && s.BigIPNote == (Text{}) {
				t.Errorf("inspect scenario with a client failure and no server lines needs a BigIPNote about tlsgate's own 01260013 line")
			}
			if n := len(s.BigIP); n > 0 && !strings.HasPrefix(s.BigIP[n-1], "01260013:") {
				t.Errorf("BIG-IP group %q: the 01260013 summary comes last", s.BigIP)
			}
		})
	}
}

// TestCatalogBothLanguages: every text a trainee reads exists in English
// and in Japanese, and the Japanese one is Japanese.
func TestCatalogBothLanguages(t *testing.T) {
	for _, s := range Catalog() {
		for _, f := range []struct {
			field string
			text  Text
		}{{"Title", s.Title}, {"Reproduces", s.Reproduces}, {"Fix", s.Fix}, {"ProbeNote", s.ProbeNote}, {"BigIPNote", s.BigIPNote}} {
			if (f.field == "ProbeNote" || f.field == "BigIPNote") && f.text == (Text{}) {
				continue // optional: only where the probe cannot see the cause, or tlsgate's log is not the server's
			}
			if strings.TrimSpace(f.text.EN) == "" {
				t.Errorf("%s: %s has no English text", s.Name, f.field)
			}
			if !hasJapanese(f.text.JA) {
				t.Errorf("%s: %s has no Japanese text (got %q)", s.Name, f.field, f.text.JA)
			}
			if f.text.In("ja") != f.text.JA || f.text.In("en") != f.text.EN || f.text.In("") != f.text.EN {
				t.Errorf("%s: %s: In picks the wrong language", s.Name, f.field)
			}
		}
	}
}

func hasJapanese(s string) bool {
	for _, r := range s {
		if unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Han) {
			return true
		}
	}
	return false
}

// TestCatalogCoversIssue maps each failure issue 5 asks the catalog for to
// the scenario that reproduces it, with the cause it must name.
func TestCatalogCoversIssue(t *testing.T) {
	tests := []struct {
		need     string
		scenario string
		family   Family
		action   string // a fault action, or "" when the listener alone does it
		code     string
	}{
		{"client clock ahead", "clock-ahead", FamilyClient, "chain", explain.CodeClientAlert},
		{"client clock behind", "clock-behind", FamilyClient, "chain", explain.CodeClientAlert},
		{"old client, TLS 1.0 only", "old-client-tls10", FamilyClient, "", explain.CodeVersionTooOld},
		{"interception by security software", "security-software-interception", FamilyClient, "", explain.CodeClientAlert},
		{"downgraded retry with TLS_FALLBACK_SCSV", "fallback-scsv", FamilyClient, "", explain.CodeHandshakeFailed},
		{"server too old", "server-tls10-only", FamilyServer, "version", explain.CodeClientAlert},
		{"server too new", "server-tls13-only", FamilyServer, "version", explain.CodeVersionTooOld},
		{"no shared cipher", "no-shared-cipher", FamilyServer, "", explain.CodeNoSharedCipher},
		{"expired", "expired", FamilyServer, "chain", explain.CodeClientAlert},
		{"not yet valid", "not-yet-valid", FamilyServer, "chain", explain.CodeClientAlert},
		{"wrong host", "wrong-host", FamilyServer, "chain", explain.CodeClientRejectedSilently},
		{"self-signed", "self-signed", FamilyServer, "chain", explain.CodeClientAlert},
		{"untrusted root", "untrusted-root", FamilyServer, "chain", explain.CodeClientAlert},
		{"incomplete chain", "incomplete-chain", FamilyServer, "chain", explain.CodeClientAlert},
		{"SNI required", "sni-required", FamilyServer, "", explain.CodeSNIMissing},
		{"wrong default certificate without SNI", "default-cert-no-sni", FamilyServer, "chain", explain.CodeClientRejectedSilently},
		{"mTLS required", "mtls-required", FamilyServer, "", explain.CodeClientCertMissing},
		{"SSLv3 hello", "sslv3-server", FamilyServer, "ssl3_server_hello", explain.CodeFaultInjected},
		{"WAF reset after ClientHello", "waf-sni-reset", FamilyNetwork, "reset", explain.CodeFaultInjected},
		{"silent drop", "silent-drop", FamilyNetwork, "blackhole", explain.CodeFaultInjected},
		{"block page", "waf-block-page", FamilyNetwork, "block_page", explain.CodeOK},
		{"PMTUD black hole", "pmtud-blackhole", FamilyNetwork, "mtu", explain.CodeClientClosedEarly},
		{"large ClientHello intolerance", "large-client-hello", FamilyNetwork, "large_hello", explain.CodeFaultInjected},
		{"plaintext HTTP on the TLS port", "http-to-tls-port", FamilyNetwork, "", explain.CodePlaintextOnTLS},
		{"TLS on the plaintext port", "tls-to-plain-port", FamilyNetwork, "", explain.CodeTLSOnPlaintext},
		{"a proxy that rewrites and re-signs", "rewriting-proxy", FamilyNetwork, "rewrite", explain.CodeOK},
	}
	catalog := Catalog()
	for _, tt := range tests {
		s, err := Find(catalog, tt.scenario)
		if err != nil {
			t.Errorf("%s: %v", tt.need, err)
			continue
		}
		if s.Family != tt.family || s.ExpectCode != tt.code {
			t.Errorf("%s: %s is family %q code %q, want %q %q", tt.need, s.Name, s.Family, s.ExpectCode, tt.family, tt.code)
		}
		if tt.action != "" && !slices.ContainsFunc(s.Faults, func(r faults.Rule) bool { return string(r.Action) == tt.action }) {
			t.Errorf("%s: %s has no %s fault", tt.need, s.Name, tt.action)
		}
	}
	if s, _ := Find(catalog, "security-software-interception"); s.Listener.Mode != "inspect" {
		t.Errorf("interception must re-sign with an inspect listener, got mode %q", s.Listener.Mode)
	}
}

// TestCatalogServerClocks: the server clock faults each have a scenario
// that loads the rule with the skew's sign that makes it, and expects the
// probe to name that clock (not a symptom), since the probe reads the
// staple's times and the Date itself.
func TestCatalogServerClocks(t *testing.T) {
	tests := []struct {
		scenario string
		action   faults.Action
		ahead    bool // the skew's sign: a clock ahead (true) or behind
		code     string
		probe    string
	}{
		{"ocsp-expired", faults.ActOCSPTimes, false, explain.CodeClientRejectedSilently, "ocsp_expired"},
		{"ocsp-not-yet-valid", faults.ActOCSPTimes, true, explain.CodeClientRejectedSilently, "ocsp_not_yet_valid"},
		{"http-date-skew", faults.ActHTTPDate, false, explain.CodeOK, "http_date_skew"},
	}
	catalog := Catalog()
	for _, tt := range tests {
		s, err := Find(catalog, tt.scenario)
		if err != nil {
			t.Error(err)
			continue
		}
		if len(s.Faults) != 1 || s.Faults[0].Action != tt.action || (s.Faults[0].Skew > 0) != tt.ahead || s.Faults[0].Skew == 0 {
			t.Errorf("%s: faults %+v, want one %s rule with a skew %s", s.Name, s.Faults, tt.action, map[bool]string{true: "ahead", false: "behind"}[tt.ahead])
		}
		if s.Family != FamilyServer || s.Listener.Mode != "terminate" || s.ExpectCode != tt.code || s.ExpectProbe != tt.probe || s.ProbeNote != (Text{}) {
			t.Errorf("%s: family %s, mode %s, code %q, probe %q, probe note %q; want server, terminate, %q, %q and no note (the probe sees this cause)",
				s.Name, s.Family, s.Listener.Mode, s.ExpectCode, s.ExpectProbe, s.ProbeNote.EN, tt.code, tt.probe)
		}
	}
}

// TestProxyClockSkewNamesTheOriginsLine: the origin behind the proxy does
// log the handshake the proxy refused, as a client_alert 42 whose generic
// checks include trusting the lab CA. The scenario said the origin logs
// no failure, which left the trainee with that line and the wrong advice:
// its text must name the line and point at the proxy's clock.
func TestProxyClockSkewNamesTheOriginsLine(t *testing.T) {
	s, err := Find(Catalog(), "proxy-clock-skew")
	if err != nil {
		t.Fatal(err)
	}
	for lang, note := range map[string]string{"en": s.BigIPNote.EN, "ja": s.BigIPNote.JA} {
		for _, want := range []string{"client_alert", "42 bad_certificate", "01260013"} {
			if !strings.Contains(note, want) {
				t.Errorf("%s: the BIG-IP note does not name %q:\n%s", lang, want, note)
			}
		}
		for _, wrong := range []string{"logs no failure", "失敗のログは出ない"} {
			if strings.Contains(note, wrong) {
				t.Errorf("%s: the BIG-IP note still says %q:\n%s", lang, wrong, note)
			}
		}
	}
	if !strings.Contains(s.BigIPNote.EN, "only the clock applies") || !strings.Contains(s.BigIPNote.EN, "explanation names the cause") {
		t.Errorf("the note does not say the origin's explanation names the clock:\n%s", s.BigIPNote.EN)
	}
}

// fieldTemplate is a stand-in a reader must replace before a command runs:
// a field host or port (host:443, ip:443, :PORT), a name or host in words.
var fieldTemplate = regexp.MustCompile(`\bhost:443\b|\b(ip|IP):443\b|-servername (name|名前)\b|\bhost 443\b|:PORT\b|:ポート|ホスト\x60|\{[a-z]+\}`)

// TestFixCommandsAreFilled: the commands of a Fix text run as the lab's
// Try commands do, on the scenario's own address, name and CA, and
// openssl s_client ones end their input: they used to keep field templates
// (`host:443`, `-servername name`) and bare options (`openssl s_client
// -showcerts`, `curl -sv`).
func TestFixCommandsAreFilled(t *testing.T) {
	quoted := regexp.MustCompile("`([^`]*)`")
	vars := Vars{Port: 9408, Origin: 9499, CA: "/lab/ca.pem"}
	for _, s := range Catalog() {
		for _, lang := range []string{"en", "ja"} {
			fix := Expand(s.Fix.In(lang), vars)
			if m := fieldTemplate.FindString(fix); m != "" {
				t.Errorf("%s (%s): Fix keeps the template %q:\n%s", s.Name, lang, m, fix)
			}
			for _, q := range quoted.FindAllStringSubmatch(fix, -1) {
				cmd := q[1]
				switch {
				case strings.HasPrefix(cmd, "openssl s_client"):
					first, _, _ := strings.Cut(cmd, " | ")
					if !strings.Contains(first, "-connect 127.0.0.1:") || !strings.HasSuffix(first, " </dev/null") {
						t.Errorf("%s (%s): %q is not a whole s_client command on the lab's address", s.Name, lang, cmd)
					}
				case strings.HasPrefix(cmd, "curl ") && !strings.Contains(cmd, "://localhost:"):
					t.Errorf("%s (%s): %q names no lab URL", s.Name, lang, cmd)
				}
			}
		}
	}
}
