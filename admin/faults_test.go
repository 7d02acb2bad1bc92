package admin

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tlsgate/tlsgate/faults"
	"github.com/tlsgate/tlsgate/listener"
)

func TestFaultsLifecycle(t *testing.T) {
	a := newAPI(t, Options{})
	rule := `{"name":"waf-sni-block","action":"reset","stage":"client_hello","sni":"*.example.com","probability":0.5,"seed":7}`

	r := a.do("POST", "/faults", rule)
	if r.status != 201 || r.header.Get("Location") != "/faults/waf-sni-block" {
		t.Fatalf("add: %d Location=%q %s", r.status, r.header.Get("Location"), r.body)
	}
	var st faults.RuleStatus
	if err := json.Unmarshal([]byte(r.body), &st); err != nil {
		t.Fatal(err)
	}
	if st.Rule.SNI != "*.example.com" || !st.Enabled || st.Fires != 0 || st.Seed != 7 || *st.Rule.Probability != 0.5 {
		t.Fatalf("added status = %+v", st)
	}

	r = a.do("POST", "/faults", rule)
	if e := r.apiError(t); r.status != 409 || e.Field != "name" || e.Rule != "waf-sni-block" {
		t.Fatalf("duplicate: %d %+v", r.status, e)
	}

	if r = a.do("POST", "/faults", `{"name":"slow","action":"latency","latency":"250ms"}`); r.status != 201 {
		t.Fatalf("add second: %d %s", r.status, r.body)
	}
	if got := names(a.list()); !slices.Equal(got, []string{"waf-sni-block", "slow"}) {
		t.Fatalf("list = %v", got)
	}

	r = a.do("GET", "/faults/slow", "")
	if r.status != 200 || !strings.Contains(r.body, `"latency":"250ms"`) {
		t.Fatalf("get: %d %s", r.status, r.body)
	}

	r = a.do("POST", "/faults/slow/disable", "")
	if r.status != 200 || json.Unmarshal([]byte(r.body), &st) != nil || st.Enabled {
		t.Fatalf("disable: %d %s", r.status, r.body)
	}
	if p := a.engine.Plan(faults.ConnInfo{Listener: "l", Index: 1}); slices.Contains(p.Names(), "slow") {
		t.Fatal("a disabled rule still fired")
	}
	r = a.do("POST", "/faults/slow/enable", "")
	if r.status != 200 || json.Unmarshal([]byte(r.body), &st) != nil || !st.Enabled {
		t.Fatalf("enable: %d %s", r.status, r.body)
	}

	if r = a.do("DELETE", "/faults/slow", ""); r.status != 204 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	if got := names(a.list()); !slices.Equal(got, []string{"waf-sni-block"}) {
		t.Fatalf("list after delete = %v", got)
	}

	for _, tt := range []struct{ method, path string }{
		{"DELETE", "/faults/slow"},
		{"GET", "/faults/slow"},
		{"POST", "/faults/slow/enable"},
		{"POST", "/faults/slow/disable"},
	} {
		r = a.do(tt.method, tt.path, "")
		if e := r.apiError(t); r.status != 404 || e.Rule != "slow" || !strings.Contains(e.Error, `no rule named "slow"`) {
			t.Errorf("%s %s on a removed rule: %d %+v", tt.method, tt.path, r.status, e)
		}
	}
}

func TestResetCounters(t *testing.T) {
	a := newAPI(t, Options{})
	if r := a.do("POST", "/faults", `{"name":"always","action":"reset","max_fires":2}`); r.status != 201 {
		t.Fatalf("add: %d %s", r.status, r.body)
	}
	for i := uint64(1); i <= 3; i++ {
		a.engine.Plan(faults.ConnInfo{Listener: "l", Index: i})
	}
	if st := a.list()[0]; st.Fires != 2 || st.LastFire.IsZero() {
		t.Fatalf("before reset: fires=%d last=%v, want 2 and a time", st.Fires, st.LastFire)
	}
	r := a.do("POST", "/faults/reset", "")
	var sts []faults.RuleStatus
	if r.status != 200 || json.Unmarshal([]byte(r.body), &sts) != nil || len(sts) != 1 || sts[0].Fires != 0 || !sts[0].LastFire.IsZero() {
		t.Fatalf("reset: %d %s", r.status, r.body)
	}
	// The max_fires budget is refilled too.
	if p := a.engine.Plan(faults.ConnInfo{Listener: "l", Index: 4}); !slices.Contains(p.Names(), "always") {
		t.Fatal("rule did not fire after its counters were reset")
	}
}

func TestAddBadInput(t *testing.T) {
	a := newAPI(t, Options{})
	tests := []struct {
		name, body string
		status     int
		field      string
		msg        string // substring of the error
	}{
		{"empty body", "", 400, "body", "empty"},
		{"syntax error", `{"name":"x",`, 400, "body", "invalid JSON"},
		{"bad token", `{"name": x}`, 400, "body", "invalid JSON"},
		{"array", `[{"name":"x"}]`, 400, "body", "want a JSON object, got an array"},
		{"string", `"x"`, 400, "body", "want a JSON object, got a string"},
		{"trailing", `{"name":"x","action":"reset"} {}`, 400, "body", "trailing data"},
		{"unknown field", `{"name":"x","action":"reset","colour":"red"}`, 400, "colour", "unknown field"},
		{"unknown field first", `{"bogus":1,"name":"x","action":"reset"}`, 400, "bogus", "unknown field"},
		{"wrong type", `{"name":"x","action":"reset","probability":"half"}`, 400, "probability", "want a number"},
		{"wrong type name", `{"name":5,"action":"reset"}`, 400, "name", "want a string"},
		{"sni no server name matches", `{"name":"x","action":"reset","sni":"[x"}`, 400, "sni", "not an SNI glob (character '[')"},
		{"wrong type list", `{"name":"x","action":"cipher","ciphers":"TLS_AES_128_GCM_SHA256"}`, 400, "ciphers", "want an array"},
		{"bad duration", `{"name":"x","action":"latency","latency":"soon"}`, 400, "latency", "soon"},
		{"bad alert", `{"name":"x","action":"alert","alert":"no_such_alert"}`, 400, "alert", "no_such_alert"},
		{"bad version", `{"name":"x","action":"version","min_version":"2.0"}`, 400, "min_version", "2.0"},
		{"unknown stage", `{"name":"x","action":"reset","stage":"foo"}`, 400, "stage", `unknown stage "foo"`},
		{"unknown action", `{"name":"x","action":"explode"}`, 400, "action", `unknown action "explode"`},
		{"missing action", `{"name":"x"}`, 400, "action", "missing"},
		{"missing name", `{"action":"reset"}`, 400, "name", "missing"},
		{"bad name", `{"name":"a b","action":"reset"}`, 400, "name", "not allowed"},
		{"probability out of range", `{"name":"x","action":"reset","probability":1.5}`, 400, "probability", ""},
		{"mtu then rst", `{"name":"x","action":"mtu","then":"rst"}`, 400, "then", `mtu takes only "hold"`},
		{"mtu honor_mss with recover_after", `{"name":"x","action":"mtu","honor_mss":true,"recover_after":"2s"}`, 400, "honor_mss", "nothing stalls"},
		{"honor_mss not a bool", `{"name":"x","action":"mtu","honor_mss":"yes"}`, 400, "honor_mss", "want true or false"},
		{"huge body", `{"name":"` + strings.Repeat("a", maxBody) + `"}`, 413, "body", "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := a.do("POST", "/faults", tt.body)
			e := r.apiError(t)
			if r.status != tt.status || e.Field != tt.field || !strings.Contains(e.Error, tt.msg) {
				t.Fatalf("got %d %+v, want %d field %q error containing %q", r.status, e, tt.status, tt.field, tt.msg)
			}
			if r.header.Get("Content-Type") != "application/json" {
				t.Fatalf("Content-Type %q", r.header.Get("Content-Type"))
			}
		})
	}
	if n := len(a.engine.List()); n != 0 {
		t.Fatalf("%d rules added by bad requests", n)
	}
}

func TestReplaceFaults(t *testing.T) {
	a := newAPI(t, Options{})
	if r := a.do("POST", "/faults", `{"name":"old","action":"reset"}`); r.status != 201 {
		t.Fatal(r.body)
	}
	r := a.do("PUT", "/faults", `[{"name":"a","action":"reset"},{"name":"b","action":"latency","latency":100}]`)
	if r.status != 200 {
		t.Fatalf("put: %d %s", r.status, r.body)
	}
	if got := names(a.list()); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("after put: %v", got)
	}

	bad := []struct {
		name, body string
		field      string
		index      int // -1: none
	}{
		{"not an array", `{"name":"a"}`, "body", -1},
		{"syntax", `[{"name":"a"`, "body", -1},
		{"second invalid", `[{"name":"a","action":"reset"},{"name":"c","action":"reset","stage":"foo"}]`, "stage", 1},
		{"second unknown field", `[{"name":"a","action":"reset"},{"name":"c","action":"reset","zz":1}]`, "zz", 1},
		{"duplicate", `[{"name":"a","action":"reset"},{"name":"a","action":"close"}]`, "name", 1},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			r := a.do("PUT", "/faults", tt.body)
			e := r.apiError(t)
			gotIndex := -1
			if e.Index != nil {
				gotIndex = *e.Index
			}
			if r.status != 400 || e.Field != tt.field || gotIndex != tt.index {
				t.Fatalf("got %d %+v, want 400 field %q index %d", r.status, e, tt.field, tt.index)
			}
		})
	}
	if got := names(a.list()); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("failed puts changed the rules: %v", got)
	}
	if r := a.do("PUT", "/faults", `[]`); r.status != 200 || len(a.list()) != 0 {
		t.Fatalf("put empty: %d %s", r.status, r.body)
	}
}

// TestRuleJSONRoundTrip checks that what GET returns can be posted back: the
// list is the format operators save and restore with PUT.
func TestRuleJSONRoundTrip(t *testing.T) {
	a := newAPI(t, Options{})
	rules := []string{
		`{"name":"a","action":"alert","alert":"unknown_ca","stage":"client_hello"}`,
		`{"name":"b","action":"version","min_version":"1.2","max_version":1.3}`,
		`{"name":"c","action":"mtu","mtu":1280,"recover_after":"2s","client":"127.0.0.0/8"}`,
		`{"name":"d","action":"chain","chain":"expired","skew":"-24h","enabled":false}`,
		`{"name":"e","action":"mtu","mtu":1280,"honor_mss":true}`,
		`{"name":"f","action":"mtu","then":"hold"}`,
	}
	for _, b := range rules {
		if r := a.do("POST", "/faults", b); r.status != 201 {
			t.Fatalf("add %s: %d %s", b, r.status, r.body)
		}
	}
	var saved []json.RawMessage
	for _, st := range a.list() {
		b, err := json.Marshal(st.Rule)
		if err != nil {
			t.Fatal(err)
		}
		saved = append(saved, b)
	}
	body, _ := json.Marshal(saved)
	if r := a.do("PUT", "/faults", string(body)); r.status != 200 {
		t.Fatalf("put back: %d %s", r.status, r.body)
	}
	got := a.list()
	if len(got) != 6 || got[3].Enabled || !got[4].Rule.HonorMSS || got[5].Rule.Then != faults.ThenHold || got[0].Rule.Alert.String() != "unknown_ca" || got[1].Rule.MaxVersion != faults.VersionTLS13 {
		t.Fatalf("round trip lost something: %s", fmt.Sprint(got))
	}
}

// TestRuleForMissingListenerRefused: a rule naming a listener that does not
// exist is refused, as the config file refuses it, on POST and on PUT.
func TestRuleForMissingListenerRefused(t *testing.T) {
	a := newAPI(t, Options{Listeners: func() []ListenerStats {
		return []ListenerStats{{Site: listener.Site{Name: "web"}}, {Site: listener.Site{Name: "api"}}}
	}})
	r := a.do("POST", "/faults", `{"name":"x","listener":"wbe","action":"reset"}`)
	if e := r.apiError(t); r.status != 400 || e.Field != "listener" || !strings.Contains(e.Error, `no listener named "wbe" (listeners: web, api)`) {
		t.Errorf("POST: %d %s, want 400 on field listener", r.status, r.body)
	}
	r = a.do("PUT", "/faults", `[{"name":"ok","listener":"web","action":"reset"},{"name":"x","listener":"wbe","action":"reset"}]`)
	if e := r.apiError(t); r.status != 400 || e.Field != "listener" || e.Index == nil || *e.Index != 1 {
		t.Errorf("PUT: %d %s, want 400 on rule [1]'s listener", r.status, r.body)
	}
	if len(a.engine.List()) != 0 {
		t.Error("a refused request changed the rules")
	}
	if r := a.do("POST", "/faults", `{"name":"y","listener":"web","action":"reset"}`); r.status != 201 {
		t.Errorf("POST for an existing listener: %d %s, want 201", r.status, r.body)
	}
}

// TestHandshakeRuleOnNonTerminatingListenerRefused: a chain rule, or any
// rule at handshake_done, aimed at a listener that runs no TLS handshake is
// refused as the config file refuses it (it would stay at 0 fires forever),
// naming the rule, the listener and its mode; a listener whose mode is not
// known is not second-guessed.
func TestHandshakeRuleOnNonTerminatingListenerRefused(t *testing.T) {
	ls := []ListenerStats{
		{Site: listener.Site{Name: "p", Mode: listener.Passthrough}},
		{Site: listener.Site{Name: "plain", Mode: listener.Plaintext, RelaysPlain: true}},
		{Site: listener.Site{Name: "a", Mode: listener.Auto}},
		{Site: listener.Site{Name: "web", Mode: listener.Terminate, Terminates: true}},
		{Site: listener.Site{Name: "a-ssl", Mode: listener.Auto, Terminates: true}},
		{Site: listener.Site{Name: "old"}},
	}
	a := newAPI(t, Options{Listeners: func() []ListenerStats { return ls }})
	const needs = `(it needs mode = "terminate", "inspect", or "auto" with [listener.client_ssl])`
	for _, tc := range []struct {
		body, field, want string
	}{
		{`{"name":"c","listener":"p","action":"chain","chain":"expired"}`, "action",
			`rule "c" serves a bad certificate chain on listener "p", which has mode = "passthrough" and terminates no TLS; this rule would never fire ` + needs},
		{`{"name":"c","listener":"plain","action":"chain","chain":"self_signed"}`, "action", `listener "plain", which has mode = "plaintext" and terminates no TLS`},
		{`{"name":"c","listener":"a","action":"chain","chain":"expired"}`, "action", `listener "a", which has mode = "auto" without [listener.client_ssl] and terminates no TLS`},
		{`{"name":"o","listener":"p","action":"ocsp_times","skew":"2h"}`, "action",
			`rule "o" staples an OCSP response to the certificate of a handshake tlsgate runs on listener "p", which has mode = "passthrough" and terminates no TLS; this rule would never fire ` + needs},
		{`{"name":"d","listener":"p","action":"http_date","skew":"-2h"}`, "action",
			`rule "d" rewrites the Date of HTTP responses on listener "p", which has mode = "passthrough" without non_ssl = "allow": it passes TLS through undecrypted and relays no plain HTTP, so it sees none; this rule would never fire (it needs mode = "terminate", "inspect", "plaintext" or "auto", or non_ssl = "allow" for plain HTTP)`},
		{`{"name":"m","listener":"plain","action":"client_auth"}`, "action",
			`rule "m" asks for a client certificate in a handshake on listener "plain", which has mode = "plaintext" and terminates no TLS`},
		{`{"name":"h","listener":"p","stage":"handshake_done","action":"reset"}`, "stage",
			`rule "h" acts after a handshake on listener "p", which has mode = "passthrough" and terminates no TLS`},
	} {
		r := a.do("POST", "/faults", tc.body)
		if e := r.apiError(t); r.status != 400 || e.Field != tc.field || e.Rule == "" || !strings.Contains(e.Error, tc.want) {
			t.Errorf("POST %s: %d %s, want 400 on field %s containing %q", tc.body, r.status, r.body, tc.field, tc.want)
		}
	}
	r := a.do("PUT", "/faults", `[{"name":"ok","listener":"web","action":"chain","chain":"expired"},{"name":"x","listener":"p","action":"chain","chain":"expired"}]`)
	if e := r.apiError(t); r.status != 400 || e.Field != "action" || e.Index == nil || *e.Index != 1 {
		t.Errorf("PUT: %d %s, want 400 on rule [1]'s action", r.status, r.body)
	}
	if len(a.engine.List()) != 0 {
		t.Error("a refused request changed the rules")
	}
	for i, body := range []string{
		`{"name":"t1","listener":"web","action":"chain","chain":"expired"}`,
		`{"name":"t2","listener":"a-ssl","stage":"handshake_done","action":"reset"}`,
		`{"name":"t3","listener":"old","action":"chain","chain":"expired"}`,
		`{"name":"t4","action":"chain","chain":"expired"}`,
		`{"name":"t5","listener":"p","action":"reset"}`,
		`{"name":"t6","listener":"web","action":"ocsp_times","skew":"-2h"}`,
		`{"name":"t7","listener":"plain","action":"http_date","skew":"-2h"}`,
		`{"name":"t8","listener":"old","action":"http_date","skew":"-2h"}`,
		`{"name":"t9","action":"http_date","skew":"1h"}`,
	} {
		if r := a.do("POST", "/faults", body); r.status != 201 {
			t.Errorf("POST %d %s: %d %s, want 201", i, body, r.status, r.body)
		}
	}

	// With no listener terminating TLS, a rule for any listener is refused too.
	b := newAPI(t, Options{Listeners: func() []ListenerStats { return ls[:3] }})
	r = b.do("POST", "/faults", `{"name":"any","action":"chain","chain":"expired"}`)
	if e := r.apiError(t); r.status != 400 || e.Field != "action" || !strings.Contains(e.Error, `rule "any" serves a bad certificate chain, but no listener terminates TLS`) {
		t.Errorf("POST for any listener: %d %s, want 400 on field action", r.status, r.body)
	}
	c := newAPI(t, Options{Listeners: func() []ListenerStats { return ls[:1] }})
	r = c.do("POST", "/faults", `{"name":"any-date","action":"http_date","skew":"2h"}`)
	if e := r.apiError(t); r.status != 400 || e.Field != "action" || !strings.Contains(e.Error, `rule "any-date" rewrites the Date of HTTP responses, but no listener decrypts TLS or relays plain HTTP`) {
		t.Errorf("POST http_date with only passthrough listeners: %d %s, want 400 on field action", r.status, r.body)
	}
	r = b.do("POST", "/faults", `{"name":"any-ocsp","action":"ocsp_times","skew":"2h"}`)
	if e := r.apiError(t); r.status != 400 || e.Field != "action" || !strings.Contains(e.Error, `rule "any-ocsp" staples an OCSP response to the certificate of a handshake tlsgate runs, but no listener terminates TLS`) {
		t.Errorf("POST ocsp_times for any listener: %d %s, want 400 on field action", r.status, r.body)
	}
}

// TestRuleMisfitRefusedAsConfigDoes: an alpn_downgrade, an sni_policy
// with host_mismatch and a proxy_skew aimed at listeners where they cannot
// act are refused on POST and PUT with the config file's words (one check,
// listener.RuleMisfit, serves both), naming the rule, the listener and its
// mode; they used to be added and stay at 0 fires. Where they can act they
// are taken, and so is a record_corrupt at handshake_done on a passthrough
// listener, which config takes too (it breaks TLS passed through).
func TestRuleMisfitRefusedAsConfigDoes(t *testing.T) {
	ls := []ListenerStats{
		{Site: listener.Site{Name: "p", Mode: listener.Passthrough}},
		{Site: listener.Site{Name: "web", Mode: listener.Terminate, Terminates: true}},
		{Site: listener.Site{Name: "noverify", Mode: listener.Terminate, Terminates: true, ServerSSL: true}},
		{Site: listener.Site{Name: "insp", Mode: listener.Inspect, Terminates: true, VerifiesUpstream: true}},
	}
	a := newAPI(t, Options{Listeners: func() []ListenerStats { return ls }})
	const needs = `(it needs mode = "terminate", "inspect", or "auto" with [listener.client_ssl])`
	const needsUp = `(it needs mode = "inspect", or a terminating listener with [listener.server_ssl] and verify on)`
	for _, tc := range []struct{ body, field, want string }{
		{`{"name":"h11","listener":"p","action":"alpn_downgrade"}`, "action",
			`rule "h11" changes the ALPN of a handshake tlsgate runs on listener "p", which has mode = "passthrough" and terminates no TLS; this rule would never fire ` + needs},
		{`{"name":"host","listener":"p","action":"sni_policy","host_mismatch":421}`, "host_mismatch",
			`rule "host" compares the HTTP Host inside TLS with the SNI on listener "p", which has mode = "passthrough" and terminates no TLS; this rule would never fire ` + needs},
		{`{"name":"clock","listener":"p","action":"proxy_skew","skew":"720h"}`, "action",
			`rule "clock" shifts tlsgate's clock on the upstream leg of listener "p", which has mode = "passthrough" (no TLS terminated) and verifies no server certificate; this rule would never fire ` + needsUp},
		{`{"name":"clock","listener":"web","action":"proxy_skew","skew":"720h"}`, "action",
			`listener "web", which has mode = "terminate" without [listener.server_ssl] (a plain backend) and verifies no server certificate`},
		{`{"name":"clock","listener":"noverify","action":"proxy_skew","skew":"720h"}`, "action",
			`listener "noverify", which has [listener.server_ssl] verify = false and verifies no server certificate`},
	} {
		r := a.do("POST", "/faults", tc.body)
		if e := r.apiError(t); r.status != 400 || e.Field != tc.field || e.Rule == "" || !strings.Contains(e.Error, tc.want) {
			t.Errorf("POST %s: %d %s, want 400 on field %s containing %q", tc.body, r.status, r.body, tc.field, tc.want)
		}
		r = a.do("PUT", "/faults", `[{"name":"ok","listener":"web","action":"reset"},`+tc.body+`]`)
		if e := r.apiError(t); r.status != 400 || e.Field != tc.field || e.Index == nil || *e.Index != 1 || !strings.Contains(e.Error, tc.want) {
			t.Errorf("PUT [ok, %s]: %d %s, want 400 on rule [1]'s %s", tc.body, r.status, r.body, tc.field)
		}
	}
	if len(a.engine.List()) != 0 {
		t.Error("a refused request changed the rules")
	}
	for _, body := range []string{
		`{"name":"t1","listener":"web","action":"alpn_downgrade"}`,
		`{"name":"t2","listener":"web","action":"sni_policy","host_mismatch":421}`,
		`{"name":"t3","listener":"insp","action":"proxy_skew","skew":"720h"}`,
		`{"name":"t4","action":"proxy_skew","skew":"-720h"}`,
		`{"name":"t5","listener":"p","action":"sni_policy"}`,
		`{"name":"t6","listener":"p","action":"record_corrupt","stage":"handshake_done"}`,
	} {
		if r := a.do("POST", "/faults", body); r.status != 201 {
			t.Errorf("POST %s: %d %s, want 201", body, r.status, r.body)
		}
	}

	// With no listener verifying a server certificate, a proxy_skew for
	// any listener is refused too.
	b := newAPI(t, Options{Listeners: func() []ListenerStats { return ls[:3] }})
	r := b.do("POST", "/faults", `{"name":"any","action":"proxy_skew","skew":"720h"}`)
	if e := r.apiError(t); r.status != 400 || e.Field != "action" ||
		!strings.Contains(e.Error, `rule "any" shifts tlsgate's clock on the upstream leg, but no listener verifies a server certificate; this rule would never fire (it needs a listener with mode = "inspect"`) {
		t.Errorf("POST for any listener: %d %s, want 400 on field action", r.status, r.body)
	}
}

// TestClientAuthCAFileChecked: a client_auth rule whose accept_cas file adds
// no CA is refused on POST and PUT, naming the field; "lab", "none" and a
// real bundle are taken.
func TestClientAuthCAFileChecked(t *testing.T) {
	a := newAPI(t, Options{})
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "notpem.pem")
	if err := os.WriteFile(notPEM, []byte("PEM"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{
		`{"name":"x","action":"client_auth","accept_cas":["lab","` + filepath.Join(dir, "missing.pem") + `"]}`,
		`{"name":"x","action":"client_auth","accept_cas":["` + notPEM + `"]}`,
	} {
		r := a.do("POST", "/faults", body)
		if e := r.apiError(t); r.status != 400 || e.Field != "accept_cas" || !strings.Contains(e.Error, "is not a usable CA file") {
			t.Errorf("POST %s: %d %s, want 400 on field accept_cas", body, r.status, r.body)
		}
		r = a.do("PUT", "/faults", "["+body+"]")
		if e := r.apiError(t); r.status != 400 || e.Field != "accept_cas" || e.Index == nil || *e.Index != 0 {
			t.Errorf("PUT %s: %d %s, want 400 on rule [0]'s accept_cas", body, r.status, r.body)
		}
	}
	if len(a.engine.List()) != 0 {
		t.Error("a refused request changed the rules")
	}
	if r := a.do("POST", "/faults", `{"name":"y","action":"client_auth","accept_cas":["none"],"reject_with":"access_denied","require":false}`); r.status != 201 ||
		!strings.Contains(r.body, `"reject_with":"access_denied"`) || !strings.Contains(r.body, `"require":false`) {
		t.Errorf("POST: %d %s, want 201 with the rule's parameters", r.status, r.body)
	}
}
