package explain

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/faults"
	"github.com/tlsgate/tlsgate/sniff"
)

// This file imports faults in tests only: explain itself depends on sniff
// alone, but its fault words must keep up with the actions faults has.

// stopActions are the values the listener writes to Outcome.FaultApplied.
func stopActions() []string {
	return []string{"reset", "close", "blackhole", "alert", "sni_policy", "alpn_refuse", "plaintext_reply",
		"ssl3_server_hello", "unoffered_cipher", "large_hello", "version_intolerance", "tls_policy", "connect_policy",
		// Byte wrappers that cut or stalled the stream.
		"truncate", "limit_data", "timeout", "idle_timeout", "mtu"}
}

// TestFaultVariantsComplete: every stop has its own explanation (per stage
// for reset, close and blackhole) with a real-world cause, checks that
// include switching the rule off, and a client hint.
func TestFaultVariantsComplete(t *testing.T) {
	table := knowledge()
	var keys []string
	for _, a := range stopActions() {
		if slices.Contains(stagedStops(), a) {
			for _, st := range stopStages() {
				keys = append(keys, a+"_"+st)
			}
			continue
		}
		keys = append(keys, a)
		if _, ok := faultWhat()[a]; !ok {
			t.Errorf("faultWhat has no words for %q", a)
		}
	}
	keys = append(keys, "tls_policy_version", "tls_policy_cipher", "tls_policy_group", "alert_in_clear", "alert_idle", "mtu_data",
		"record_corrupt_s2c", "record_corrupt_c2s", "proxy_skew_ahead", "proxy_skew_behind", "alpn_downgrade")
	if _, ok := faultWhat()["record_corrupt"]; !ok {
		t.Errorf("faultWhat has no words for %q", "record_corrupt")
	}
	for _, k := range keys {
		e, ok := table[CodeFaultInjected+"/"+k]
		switch {
		case !ok:
			t.Errorf("no variant %s/%s", CodeFaultInjected, k)
			continue
		case !strings.HasPrefix(e.cause, "On a real network"):
			t.Errorf("%s: cause does not start with what a real network shows: %q", k, e.cause)
		case e.clientSaw == "" || len(e.checks) == 0:
			t.Errorf("%s: no client hint or checks of its own", k)
		case !slices.Contains(e.checks, checkFaultOff):
			t.Errorf("%s: checks do not say how to switch the rule off", k)
		}
	}
	if !strings.Contains(table[CodeFaultInjected].tail, "injected by rule {fault_rule}") {
		t.Errorf("the code's tail does not name the rule")
	}
}

// TestFaultWordsCoverActions keeps the word tables in step with faults.
func TestFaultWordsCoverActions(t *testing.T) {
	all := faults.Actions()
	for _, a := range all {
		if _, ok := faultReal()[string(a)]; !ok {
			t.Errorf("faultReal has no words for action %q", a)
		}
	}
	for _, a := range stopActions() {
		if a != "tls_policy" && !slices.Contains(all, faults.Action(a)) {
			t.Errorf("stop %q is not a faults action", a)
		}
	}
	for _, st := range faults.Stages() {
		if _, ok := faultStagePhrase()[string(st)]; !ok {
			t.Errorf("no phrase for stage %q", st)
		}
	}
}

// TestSymptomFixtures checks the symptom texts the cases copy are what
// faults says today, so the goldens show real log text.
func TestSymptomFixtures(t *testing.T) {
	alert := func(n uint8) *faults.Alert { a := faults.Alert(n); return &a }
	tests := []struct {
		action, stage string
		r             *faults.Rule
		want          string
	}{
		{"reset", "client_hello", nil, symResetHS},
		{"reset", "response", nil, symResetStream},
		{"close", "accept", nil, symEOFHS},
		{"close", "handshake_done", nil, symEOFStream},
		{"truncate", "server_flight", &faults.Rule{Then: faults.ThenFIN}, symEOFFlight},
		{"blackhole", "client_hello", nil, symTimeoutHS},
		{"blackhole", "handshake_done", nil, symTimeoutData},
		{"plaintext_reply", "client_hello", nil, symPlain},
		{"ssl3_server_hello", "client_hello", nil, symSSL3},
		{"unoffered_cipher", "client_hello", nil, symUnoffered},
		{"large_hello", "client_hello", nil, symLarge},
		{"version_intolerance", "client_hello", &faults.Rule{IntolerantAbove: faults.VersionTLS12, Then: faults.ThenRST}, symIntolRST},
		{"version_intolerance", "client_hello", &faults.Rule{IntolerantAbove: faults.VersionTLS12, Then: faults.ThenFIN}, symIntolFIN},
		{"version", "client_hello", nil, symVersion},
		{"cipher", "client_hello", nil, symCipher},
		{"mtu", "server_flight", &faults.Rule{MTU: 1400}, symMTU},
		{"latency", "response", &faults.Rule{Latency: faults.Duration(300e6)}, symLatency},
		{"block_page", "request", &faults.Rule{Status: 403}, symBlock},
		{"slicer", "server_flight", nil, symSlicer},
		{"fragment", "server_flight", nil, symFragment},
		{"idle_timeout", "idle", &faults.Rule{Then: faults.ThenRST}, symIdleRST},
		{"alert", "client_hello", &faults.Rule{Alert: alert(49)}, symAlert49},
		{"sni_policy", "client_hello", nil, symSNI112},
		{"alpn_refuse", "client_hello", nil, symALPN120},
		{"alert", "handshake_done", &faults.Rule{Alert: alert(40)}, symClearDone},
		{"alert", "request", &faults.Rule{Alert: alert(49)}, symClearReq},
		{"alert", "response", &faults.Rule{Alert: alert(80)}, symClearResp},
		{"alert", "idle", &faults.Rule{Alert: alert(40), Timeout: faults.Duration(5 * time.Minute)}, symClearIdle},
		{"chain", "client_hello", &faults.Rule{Chain: faults.ChainExpired}, symChainExp},
		{"chain", "client_hello", &faults.Rule{Chain: faults.ChainSelfSigned}, symChainSelf},
		{"client_auth", "client_hello", nil, symAuthDefault},
		{"large_hello", "client_hello", &faults.Rule{Then: faults.ThenFailOpen}, symFailOpen},
		{"abort", "request", &faults.Rule{Status: 429, GRPCStatus: func() *int { g := 14; return &g }()}, symAbortGRPC},
		{"rewrite", "response", &faults.Rule{HeadersAdd: []string{"Via: 1.1 corp-proxy"}, BodyFind: "Welcome", BodyReplace: "You have been hijacked"}, symRewriteBody},
		{"client_auth", "client_hello", &faults.Rule{RejectWith: alert(49)}, symAuth49},
	}
	for _, tc := range tests {
		if got := faults.Symptom(tc.action, tc.stage, tc.r); got != tc.want {
			t.Errorf("%s at %s:\n got %q\nwant %q", tc.action, tc.stage, got, tc.want)
		}
	}
	// The MTU symptoms the listener records once it knows where the stall bit.
	pmtu := &faults.Rule{Action: faults.ActMTU, Stage: faults.StageServerFlight, Direction: faults.S2C, MTU: 1400}
	acted := []struct {
		stage faults.Stage
		plain bool
		want  string
	}{
		{faults.StageServerFlight, false, symMTUFlight},
		{faults.StageResponse, false, symMTUData},
		{faults.StageResponse, true, symMTUPlain},
	}
	for _, tc := range acted {
		if got := faults.ActedSymptom(pmtu, tc.stage, tc.plain); got != tc.want {
			t.Errorf("mtu acted at %s (plain %v):\n got %q\nwant %q", tc.stage, tc.plain, got, tc.want)
		}
	}
	for _, q := range quietSymptoms() {
		if !strings.HasPrefix(symLatency, q) && !strings.HasPrefix(symSlicer, q) {
			t.Errorf("quiet class %q starts no quiet symptom", q)
		}
	}
	if faults.ClassSlow != quietSymptoms()[0] || faults.ClassNone != quietSymptoms()[1] {
		t.Errorf("quiet classes %q differ from faults' %q, %q", quietSymptoms(), faults.ClassSlow, faults.ClassNone)
	}
}

func TestStopFiring(t *testing.T) {
	tests := []struct {
		name    string
		applied string
		fs      []FaultFiring
		want    int
	}{
		{"none applied", "", []FaultFiring{{Action: "reset", Stage: "accept"}}, -1},
		{"no firings", "reset", nil, -1},
		{"earliest stage wins", "reset", []FaultFiring{
			{Rule: "b", Action: "reset", Stage: "client_hello"}, {Rule: "a", Action: "reset", Stage: "accept"}}, 1},
		{"one-way blackhole is a wrapper", "blackhole", []FaultFiring{
			{Action: "blackhole", Stage: "accept", Direction: "s2c"}, {Action: "blackhole", Stage: "client_hello", Direction: "both"}}, 1},
		{"policy comes from version or cipher", "tls_policy", []FaultFiring{
			{Action: "chain", Stage: "client_hello"}, {Action: "cipher", Stage: "client_hello"}}, 1},
		{"odd stage still found", "reset", []FaultFiring{{Action: "latency", Stage: "accept"}, {Action: "reset", Stage: "request"}}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := &Outcome{FaultApplied: tc.applied, FaultFirings: tc.fs}
			if got := stopFiring(o); got != tc.want {
				t.Errorf("stopFiring = %d, want %d", got, tc.want)
			}
		})
	}
}

// TestFaultEvidenceAndSummary: every firing gets one evidence line, and a
// diagnosis the fault did not end names every rule in its summary.
func TestFaultEvidenceAndSummary(t *testing.T) {
	for _, tc := range faultCases() {
		d := Diagnose(tc.o)
		var lines []string
		for _, e := range d.Evidence {
			if e.Key == "fault" {
				lines = append(lines, e.Value)
			}
		}
		if len(lines) != len(tc.o.FaultFirings) {
			t.Errorf("%s: %d fault evidence lines for %d firings", tc.name, len(lines), len(tc.o.FaultFirings))
		}
		for i, fr := range tc.o.FaultFirings {
			// The draw shows only for a rule with a probability.
			next := " expect="
			if fr.Probability > 0 {
				next = " draw="
			}
			if i < len(lines) && !strings.HasPrefix(lines[i], fr.Rule+" "+fr.Action+" at "+fr.Stage+next) {
				t.Errorf("%s: evidence %q does not start with the firing", tc.name, lines[i])
			}
			if d.Code != CodeFaultInjected && !strings.Contains(d.Summary, "injected by rule "+fr.Rule+" (") {
				t.Errorf("%s: summary %q does not name rule %s", tc.name, d.Summary, fr.Rule)
			}
		}
		if d.Code == CodeFaultInjected && !strings.HasPrefix(d.Summary, "injected by rule ") {
			t.Errorf("%s: stop summary %q", tc.name, d.Summary)
		}
	}
}

// TestFaultsEvidenceList: the rules of a connection whose firings were not
// recorded are one "faults" evidence line, joined with ", " as every
// evidence list is and the same in every language (it was a bare ",").
// With firings recorded each has its own "fault" line and there is no
// "faults" line.
func TestFaultsEvidenceList(t *testing.T) {
	tests := []struct {
		name    string
		rules   []string
		firings []FaultFiring
		want    string // "" for no faults line
	}{
		{"one rule", []string{"old-rule"}, nil, "old-rule"},
		{"two rules", []string{"old-rule", "slow-accept"}, nil, "old-rule, slow-accept"},
		{"three rules", []string{"a", "b", "c"}, nil, "a, b, c"},
		{"firings recorded", []string{"old-rule", "slow-accept"},
			[]FaultFiring{{Rule: "old-rule", Action: "reset", Stage: "accept"}}, ""},
	}
	for _, tt := range tests {
		for _, lang := range []string{LangEN, LangJA} {
			t.Run(tt.name+"/"+lang, func(t *testing.T) {
				o := base("terminate")
				o.Kind, o.FaultApplied, o.Route = sniff.Empty, "reset", "fault_reset"
				o.Faults, o.FaultFirings = tt.rules, tt.firings
				var got []string
				for _, e := range DiagnoseLang(o, lang).Evidence {
					if e.Key == "faults" {
						got = append(got, e.Value)
					}
				}
				var want []string
				if tt.want != "" {
					want = []string{tt.want}
				}
				if !slices.Equal(got, want) {
					t.Errorf("faults evidence %q; want %q", got, want)
				}
			})
		}
	}
}

func TestDrawText(t *testing.T) {
	tests := []struct {
		d    float64
		want string
	}{{0, "0.00"}, {0.42, "0.42"}, {0.8199, "0.81"}, {0.999, "0.99"}, {math.NaN(), "NaN"}, {math.Inf(1), "+Inf"}}
	for _, tc := range tests {
		if got := DrawText(tc.d); got != tc.want {
			t.Errorf("DrawText(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestAlertSaw(t *testing.T) {
	tests := []struct {
		n    int
		want []string
	}{
		{40, []string{"sslv3 alert handshake failure", "ERR_SSL_VERSION_OR_CIPHER_MISMATCH"}},
		// curl prints OpenSSL's reason string (observed with curl 7.88.1 on
		// OpenSSL 3.0.19), not the RFC name.
		{47, []string{"`curl: (35) … sslv3 alert illegal parameter`", "ERR_SSL_PROTOCOL_ERROR"}},
		{86, []string{"`curl: (35) … tlsv1 alert inappropriate fallback`", "`remote error: tls: inappropriate fallback`"}},
		{201, []string{"`curl: (35) … SSL routines::reason(1201)`", "`remote error: tls: alert(201)`"}},
		// close_notify ends the handshake as an EOF; user_canceled and
		// no_renegotiation go at warning level, which Go skips.
		{0, []string{"`curl: (35) OpenSSL SSL_connect: SSL_ERROR_ZERO_RETURN`", "Go `EOF`"}},
		{90, []string{"curl prints nothing for the warning itself", "Go nothing for the warning itself"}},
		{100, []string{"`curl: (35) … no renegotiation`", "Go nothing for the warning itself"}},
		{48, []string{"tlsv1 alert unknown ca", "ERR_BAD_SSL_CLIENT_AUTH_CERT"}},
		{45, []string{"curl: (60) SSL certificate verification failed", "expired certificate"}},
		{112, []string{"tlsv1 unrecognized name", "ERR_SSL_UNRECOGNIZED_NAME_ALERT"}},
		{116, []string{"curl: (98)", "certificate required"}},
		{20, []string{"`curl: (35) … sslv3 alert bad record mac`", "bad record MAC", "ERR_SSL_BAD_RECORD_MAC_ALERT"}},
		{51, []string{"error decrypting message", "ERR_SSL_DECRYPT_ERROR_ALERT"}},
		{-1, []string{"curl exits 35"}},
	}
	for _, tc := range tests {
		got := (&facts{}).alertSaw(tc.n)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("alertSaw(%d) = %q, missing %q", tc.n, got, w)
			}
		}
	}
}

// FuzzDiagnoseFaults feeds arbitrary fault records (any action, stage,
// direction, draw and symptom text, stopped or not) through Diagnose: it
// must never panic, a stop must always read as fault_injected and name its
// rule, and every firing must get its evidence line.
func FuzzDiagnoseFaults(f *testing.F) {
	f.Add("reset", "client_hello", "both", 0.81, "connection reset during the handshake", true, 1, -1)
	f.Add("mtu", "server_flight", "s2c", 0.33, "timeout (PMTUD black hole)", false, 2, 40)
	f.Add("tls_policy", "client_hello", "", math.NaN(), "{sni} {fault_rule}", true, 0, 70)
	modes := []string{"passthrough", "terminate", "plaintext", "auto", "", "inspect"}
	f.Fuzz(func(t *testing.T, action, stage, dir string, draw float64, symptom string, stop bool, mode, alert int) {
		o := withHello(base(modes[(mode%len(modes)+len(modes))%len(modes)]), modernHello())
		o.ClientTLS.AlertSent, o.ClientTLS.AlertRecv = alert, alert
		fired(o, firing("r1", action, stage, dir, draw, symptom), firing("r2", "latency", "accept", "c2s", draw, symptom))
		if stop {
			o.FaultApplied = action
		}
		d := Diagnose(o)
		if d.Code == "" || d.Summary == "" || d.Cause == "" {
			t.Fatalf("incomplete diagnosis %+v", d)
		}
		if stop && action != "" && (d.Code != CodeFaultInjected || !strings.HasPrefix(d.Summary, "injected by rule ")) {
			t.Fatalf("stop %q read as %s: %q", action, d.Code, d.Summary)
		}
		n := 0
		for _, e := range d.Evidence {
			if e.Key == "fault" {
				n++
			}
		}
		if n != 2 {
			t.Fatalf("%d fault evidence lines for 2 firings", n)
		}
	})
}
