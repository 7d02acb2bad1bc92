package faults

import (
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"

	"github.com/tlsgate/tlsgate/sniff"
)

// TestIntoleranceValidate: version_intolerance needs intolerant_above of
// 1.0, 1.1 or 1.2 and takes then = fin or rst; each refusal names the
// field and the values it wants.
func TestIntoleranceValidate(t *testing.T) {
	ok := []Rule{
		{Name: "tls13-intolerant", Action: ActVersionIntolerance, IntolerantAbove: VersionTLS12},
		{Name: "fin", Action: ActVersionIntolerance, IntolerantAbove: VersionTLS12, Then: ThenFIN},
		{Name: "rst", Action: ActVersionIntolerance, IntolerantAbove: VersionTLS11, Then: ThenRST, Stage: StageClientHello},
		{Name: "old-box", Action: ActVersionIntolerance, IntolerantAbove: VersionTLS10, SNI: "*.lab.test", Probability: ptr(0.5)},
		{Name: "above-cap", Action: ActVersionIntolerance, IntolerantAbove: VersionTLS11, MaxOfferedVersion: VersionTLS12},
	}
	for _, r := range ok {
		if err := r.Validate(); err != nil {
			t.Errorf("%s: %v", r.Name, err)
		}
		if err := r.normalized().Validate(); err != nil {
			t.Errorf("%s normalized: %v", r.Name, err)
		}
	}
	if n := ok[0].normalized(); n.Then != ThenRST || n.Stage != StageClientHello || n.Direction != "" {
		t.Errorf("defaults: then %q stage %q direction %q, want rst, client_hello and none", n.Then, n.Stage, n.Direction)
	}
	const want = `want "1.0", "1.1", "1.2"`
	bad := []struct {
		name  string
		r     Rule
		field string
		msg   string
	}{
		{"missing", Rule{Action: ActVersionIntolerance}, "intolerant_above", "missing: version_intolerance needs the highest version the middlebox passes (" + want},
		{"1.3", Rule{Action: ActVersionIntolerance, IntolerantAbove: VersionTLS13}, "intolerant_above", "no TLS version above 1.3 exists"},
		{"ssl3", Rule{Action: ActVersionIntolerance, IntolerantAbove: VersionSSL30}, "intolerant_above", "every TLS client offers more than SSL 3.0"},
		{"odd version", Rule{Action: ActVersionIntolerance, IntolerantAbove: 0x0305}, "intolerant_above", "unknown version 0x0305 (" + want + ")"},
		{"hold", Rule{Action: ActVersionIntolerance, IntolerantAbove: VersionTLS12, Then: ThenHold}, "then", `want fin or rst, not "hold"`},
		{"fail_open", Rule{Action: ActVersionIntolerance, IntolerantAbove: VersionTLS12, Then: ThenFailOpen}, "then", "fail_open is large_hello's alone: a middlebox that cannot parse the hello passes it (want fin, rst)"},
		{"unknown then", Rule{Action: ActVersionIntolerance, IntolerantAbove: VersionTLS12, Then: "drop"}, "then", `unknown follow-up "drop" (want fin, rst)`},
		{"min_version", Rule{Action: ActVersionIntolerance, IntolerantAbove: VersionTLS12, MinVersion: VersionTLS12}, "min_version", `not used by action "version_intolerance" (it takes only intolerant_above, then)`},
		{"on version", Rule{Action: ActVersion, MaxVersion: VersionTLS12, IntolerantAbove: VersionTLS12}, "intolerant_above", `not used by action "version" (it takes only min_version, max_version)`},
		{"at accept", Rule{Action: ActVersionIntolerance, IntolerantAbove: VersionTLS12, Stage: StageAccept}, "stage", `cannot act at stage "accept" (want client_hello)`},
		{"at request", Rule{Action: ActVersionIntolerance, IntolerantAbove: VersionTLS12, Stage: StageRequest}, "stage", `cannot act at stage "request" (want client_hello)`},
		{"direction", Rule{Action: ActVersionIntolerance, IntolerantAbove: VersionTLS12, Direction: C2S}, "direction", "has no direction"},
		{"cap selects nothing", Rule{Action: ActVersionIntolerance, IntolerantAbove: VersionTLS12, MaxOfferedVersion: VersionTLS12}, "max_offered_version", "the rule would never fire"},
	}
	for _, tt := range bad {
		tt.r.Name = "x"
		err := tt.r.Validate()
		var re *RuleError
		if !errors.As(err, &re) {
			t.Errorf("%s: error %v, want a RuleError", tt.name, err)
			continue
		}
		if re.Field != tt.field || !strings.Contains(re.Msg, tt.msg) {
			t.Errorf("%s: field %q msg %q, want field %q containing %q", tt.name, re.Field, re.Msg, tt.field, tt.msg)
		}
	}
}

// TestIntoleranceMatch: the rule fires on a hello whose highest offered
// version (supported_versions without GREASE, else legacy_version) is
// above intolerant_above, and only there; a TLS 1.2-only hello passes a
// 1.2 rule, however it says so. It stops the connection at client_hello,
// and its firing carries the value and a symptom that names it.
func TestIntoleranceMatch(t *testing.T) {
	tls13 := &sniff.ClientHello{ServerName: "lab.test", LegacyVersion: 0x0303, SupportedVersions: []uint16{0x0a0a, 0x0304, 0x0303}}
	tls12ext := &sniff.ClientHello{ServerName: "lab.test", LegacyVersion: 0x0303, SupportedVersions: []uint16{0x0303}}
	tls12legacy := &sniff.ClientHello{ServerName: "lab.test", LegacyVersion: 0x0303}
	greaseOnly12 := &sniff.ClientHello{ServerName: "lab.test", LegacyVersion: 0x0303, SupportedVersions: []uint16{0x7a7a, 0x0303}}
	tls11 := &sniff.ClientHello{ServerName: "lab.test", LegacyVersion: 0x0302}
	tls10 := &sniff.ClientHello{ServerName: "lab.test", LegacyVersion: 0x0301}
	tests := []struct {
		name  string
		above Version
		then  Then
		ci    ConnInfo
		fires bool
	}{
		{"TLS 1.3 hello, above 1.2", VersionTLS12, "", ConnInfo{Hello: tls13}, true},
		{"TLS 1.2-only supported_versions, above 1.2", VersionTLS12, "", ConnInfo{Hello: tls12ext}, false},
		{"TLS 1.2 legacy_version only, above 1.2", VersionTLS12, "", ConnInfo{Hello: tls12legacy}, false},
		{"GREASE beside 1.2, above 1.2", VersionTLS12, "", ConnInfo{Hello: greaseOnly12}, false},
		{"TLS 1.2 hello, above 1.1", VersionTLS11, ThenFIN, ConnInfo{Hello: tls12legacy}, true},
		{"TLS 1.1 hello, above 1.1", VersionTLS11, "", ConnInfo{Hello: tls11}, false},
		{"TLS 1.1 hello, above 1.0", VersionTLS10, "", ConnInfo{Hello: tls11}, true},
		{"TLS 1.0 hello, above 1.0", VersionTLS10, "", ConnInfo{Hello: tls10}, false},
		{"TLS 1.3 hello decrypted", VersionTLS12, "", ConnInfo{Hello: tls13, Decrypted: true}, true},
		{"no hello parsed", VersionTLS12, "", ConnInfo{Decrypted: true}, false},
		{"plain HTTP", VersionTLS12, "", ConnInfo{Plain: true}, false},
		{"plaintext listener resets TLS", VersionTLS12, "", ConnInfo{Hello: tls13, ListenerEnds: true}, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewEngine(nil)
			if err := e.Set([]Rule{{Name: "mbox", Action: ActVersionIntolerance, IntolerantAbove: tt.above, Then: tt.then}}); err != nil {
				t.Fatal(err)
			}
			tt.ci.Listener, tt.ci.Index = "L", uint64(i+1)
			p := e.Plan(tt.ci)
			if got := !p.Empty(); got != tt.fires {
				t.Fatalf("fired %v, want %v", got, tt.fires)
			}
			if !tt.fires {
				return
			}
			stop := p.Stop(StageClientHello)
			if stop == nil || stop.Name != "mbox" {
				t.Fatalf("Stop(client_hello) = %v, want rule mbox", stop)
			}
			if ws := p.Wrappers(StageClientHello, StageServerFlight); len(ws) != 0 || !p.TLSPolicy().IsZero() {
				t.Errorf("a stop also planned as wrappers %v or policy %+v", ws, p.TLSPolicy())
			}
			f := p.Firings()[0]
			wantThen, wantClass := "rst", ClassReset
			if tt.then == ThenFIN {
				wantThen, wantClass = "fin", ClassEOF
			}
			if f.IntolerantAbove != tt.above.String() || f.Then != wantThen || f.Stage != "client_hello" {
				t.Errorf("firing %+v: want intolerant_above %s, then %s at client_hello", f, tt.above, wantThen)
			}
			if !strings.HasPrefix(f.Symptom, wantClass) || !strings.Contains(f.Symptom, "curl --tls-max "+tt.above.String()) {
				t.Errorf("symptom %q: want class %q and the curl cap --tls-max %s", f.Symptom, wantClass, tt.above)
			}
		})
	}
}

// TestIntoleranceBlindedByFailOpen: a large_hello that fails open passes
// a large hello unread, so a version_intolerance cannot judge its
// versions either; a small TLS 1.3 hello is read and closed.
func TestIntoleranceBlindedByFailOpen(t *testing.T) {
	e := NewEngine(nil)
	if err := e.Set([]Rule{
		{Name: "mbox", Action: ActVersionIntolerance, IntolerantAbove: VersionTLS12},
		{Name: "gives-up", Action: ActLargeHello, Then: ThenFailOpen},
	}); err != nil {
		t.Fatal(err)
	}
	hello := func(size int) *sniff.ClientHello {
		return &sniff.ClientHello{LegacyVersion: 0x0303, SupportedVersions: []uint16{0x0304, 0x0303}, WireLen: size}
	}
	big := e.Plan(ConnInfo{Listener: "L", Index: 1, Hello: hello(1600), HelloSegments: 1})
	if names := big.Names(); len(names) != 1 || names[0] != "gives-up" || big.Stop(StageClientHello) != nil {
		t.Errorf("large hello: fired %v, stop %v; want gives-up alone and no stop", names, big.Stop(StageClientHello))
	}
	if f := big.Firings(); len(f) == 1 && !strings.Contains(f[0].Symptom, "kept rule mbox from seeing the hello") {
		t.Errorf("fail-open symptom %q does not name the rule it kept from the hello", f[0].Symptom)
	}
	small := e.Plan(ConnInfo{Listener: "L", Index: 2, Hello: hello(517), HelloSegments: 1})
	if s := small.Stop(StageClientHello); s == nil || s.Name != "mbox" {
		t.Errorf("small hello: stop %v, want mbox", s)
	}
}

// TestIntoleranceNeed: the rule needs a hello sniff parsed on a listener
// that carries TLS past it, as a version floor does.
func TestIntoleranceNeed(t *testing.T) {
	r := Rule{Name: "x", Action: ActVersionIntolerance, IntolerantAbove: VersionTLS12}
	n := r.Need()
	if n.Kind != NeedHello || n.Field != "action" || !strings.Contains(n.What, "versions it offers") {
		t.Errorf("Need() = %+v, want NeedHello blaming the action", n)
	}
}

// TestApplyIntolerance carries the stop out on a real loopback socket: a
// Go client's TLS 1.3 handshake meets a reset (the default) or an EOF,
// and tlsgate writes nothing back.
func TestApplyIntolerance(t *testing.T) {
	tests := []struct {
		then      Then
		clientErr func(error) bool
	}{
		{"", func(err error) bool { return errors.Is(err, syscall.ECONNRESET) }},
		{ThenFIN, func(err error) bool { return errors.Is(err, io.EOF) }},
	}
	for _, tt := range tests {
		t.Run("then="+string(tt.then), func(t *testing.T) {
			r := rule(t, Rule{Action: ActVersionIntolerance, IntolerantAbove: VersionTLS12, Then: tt.then})
			addr, res := serveHello(t, func(c net.Conn, h *sniff.ClientHello) applyResult {
				a, err := Apply(c, r, h, WrapDeps{Index: 1})
				return applyResult{a, err}
			})
			if err := goHandshake(t, addr, nil); err == nil || !tt.clientErr(err) {
				t.Errorf("client error = %v", err)
			}
			got := <-res
			if got.err != nil || got.a.Sent != 0 {
				t.Errorf("Apply: sent %d bytes, err %v; want nothing sent", got.a.Sent, got.err)
			}
		})
	}
}
