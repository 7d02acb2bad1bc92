package admin

import (
	"strings"
	"testing"

	"github.com/tlsgate/tlsgate/listener"
)

// TestHTTPRuleMisfitRefusedAsConfigDoes: a block_page, a rewrite and an
// abort aimed at a listener that shows no HTTP (passthrough without
// non_ssl = "allow"), and a record_corrupt or a late alert aimed at a
// plaintext listener, are refused on POST and PUT with the config file's
// words, naming the rule, the listener and its mode. They used to be
// added and stay at 0 fires. Where they can act they are taken.
func TestHTTPRuleMisfitRefusedAsConfigDoes(t *testing.T) {
	ls := []ListenerStats{
		{Site: listener.Site{Name: "p", Mode: listener.Passthrough}},
		{Site: listener.Site{Name: "allow", Mode: listener.Passthrough, RelaysPlain: true}},
		{Site: listener.Site{Name: "plain", Mode: listener.Plaintext, RelaysPlain: true}},
		{Site: listener.Site{Name: "web", Mode: listener.Terminate, Terminates: true}},
	}
	a := newAPI(t, Options{Listeners: func() []ListenerStats { return ls }})
	const pass = ` on listener "p", which has mode = "passthrough" without non_ssl = "allow": it passes TLS through undecrypted and relays no plain HTTP, so it sees none; this rule would never fire (it needs mode = "terminate", "inspect", "plaintext" or "auto", or non_ssl = "allow" for plain HTTP)`
	const plain = ` on listener "plain", which has mode = "plaintext" and resets a TLS client after its ClientHello; this rule would never fire (it needs mode = "passthrough", "terminate", "inspect" or "auto")`
	for _, tc := range []struct{ body, field, want string }{
		{`{"name":"waf","listener":"p","action":"block_page"}`, "action", `rule "waf" answers an HTTP request with a block page` + pass},
		{`{"name":"hsts","listener":"p","action":"rewrite","headers_strip":["Strict-Transport-Security"]}`, "action", `rule "hsts" rewrites HTTP responses` + pass},
		{`{"name":"503","listener":"p","action":"abort","status":503}`, "action", `rule "503" answers HTTP requests in place of the backend` + pass},
		{`{"name":"flip","listener":"plain","action":"record_corrupt","stage":"handshake_done"}`, "action", `rule "flip" flips a bit in a TLS record after the handshake` + plain},
		{`{"name":"late","listener":"plain","action":"alert","alert":40,"stage":"response"}`, "stage", `rule "late" sends a TLS alert inside a TLS connection` + plain},
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
		`{"name":"t1","listener":"web","action":"block_page"}`,
		`{"name":"t2","listener":"allow","action":"block_page"}`,
		`{"name":"t3","listener":"plain","action":"rewrite","headers_add":["Via: 1.1 lab"]}`,
		`{"name":"t4","listener":"allow","action":"abort","status":503}`,
		`{"name":"t5","action":"abort","status":502}`,
		`{"name":"t6","listener":"p","action":"record_corrupt","stage":"handshake_done"}`,
		`{"name":"t7","listener":"p","action":"alert","alert":40,"stage":"response"}`,
		`{"name":"t8","listener":"plain","action":"alert","alert":40}`,
	} {
		if r := a.do("POST", "/faults", body); r.status != 201 {
			t.Errorf("POST %s: %d %s, want 201", body, r.status, r.body)
		}
	}

	// With no listener showing HTTP, a block page for any listener is
	// refused too.
	b := newAPI(t, Options{Listeners: func() []ListenerStats { return ls[:1] }})
	r := b.do("POST", "/faults", `{"name":"any","action":"block_page"}`)
	if e := r.apiError(t); r.status != 400 || e.Field != "action" ||
		!strings.Contains(e.Error, `rule "any" answers an HTTP request with a block page, but no listener decrypts TLS or relays plain HTTP; this rule would never fire`) {
		t.Errorf("POST for any listener: %d %s, want 400 on field action", r.status, r.body)
	}
}

// TestBypassedSNIRuleRefusedAsConfigDoes: an ocsp_times or revoked-chain
// rule whose sni names only servers an inspect listener's bypass relays
// undecrypted never fires there; POST and PUT refuse it at sni with the
// config file's words (the running listener's Site carries its bypass
// globs). A name outside the bypass is taken.
func TestBypassedSNIRuleRefusedAsConfigDoes(t *testing.T) {
	insp := listener.Options{Name: "insp", Mode: listener.Inspect, Bypass: []string{"*.bank.example", "10.0.0.0/8"}}
	ls := []ListenerStats{{Site: insp.Site()}}
	a := newAPI(t, Options{Listeners: func() []ListenerStats { return ls }})
	for _, tc := range []struct{ body, want string }{
		{`{"name":"stale","listener":"insp","action":"ocsp_times","skew":"-2h","sni":"www.bank.example"}`,
			`rule "stale" staples an OCSP response to the certificate of a handshake tlsgate runs on listener "insp", but its sni "www.bank.example" names only servers that listener relays undecrypted (bypass "*.bank.example"); this rule would never fire`},
		{`{"name":"rev","action":"chain","chain":"revoked","sni":"api-*.bank.example"}`,
			`rule "rev" serves a bad certificate chain, but its sni "api-*.bank.example" names only servers that listener "insp" (bypass "*.bank.example") relays undecrypted`},
	} {
		r := a.do("POST", "/faults", tc.body)
		if e := r.apiError(t); r.status != 400 || e.Field != "sni" || !strings.Contains(e.Error, tc.want) {
			t.Errorf("POST %s: %d %s, want 400 on field sni containing %q", tc.body, r.status, r.body, tc.want)
		}
		r = a.do("PUT", "/faults", `[{"name":"ok","action":"reset"},`+tc.body+`]`)
		if e := r.apiError(t); r.status != 400 || e.Field != "sni" || e.Index == nil || *e.Index != 1 {
			t.Errorf("PUT [ok, %s]: %d %s, want 400 on rule [1]'s sni", tc.body, r.status, r.body)
		}
	}
	if len(a.engine.List()) != 0 {
		t.Error("a refused request changed the rules")
	}
	if r := a.do("POST", "/faults", `{"name":"shop","action":"ocsp_times","skew":"-2h","sni":"www.shop.example"}`); r.status != 201 {
		t.Errorf("a name outside the bypass: %d %s, want 201", r.status, r.body)
	}
}

// TestBypassedClientRuleRefusedAsConfigDoes: a rule that needs
// decryption whose client range lies wholly inside an inspect listener's
// bypass addresses never fires there; POST and PUT refuse it at client
// with the config file's words (the running listener's Site carries its
// bypass addresses). A range that only overlaps the bypass is taken.
func TestBypassedClientRuleRefusedAsConfigDoes(t *testing.T) {
	insp := listener.Options{Name: "insp", Mode: listener.Inspect, Bypass: []string{"*.bank.example", "10.0.0.0/8"}}
	ls := []ListenerStats{{Site: insp.Site()}}
	a := newAPI(t, Options{Listeners: func() []ListenerStats { return ls }})
	body := `{"name":"stale","listener":"insp","action":"ocsp_times","skew":"-2h","client":"10.4.0.0/16"}`
	want := `rule "stale" staples an OCSP response to the certificate of a handshake tlsgate runs on listener "insp", but its client "10.4.0.0/16" lies wholly inside that listener's bypass "10.0.0.0/8", whose clients it relays undecrypted; this rule would never fire`
	r := a.do("POST", "/faults", body)
	if e := r.apiError(t); r.status != 400 || e.Field != "client" || !strings.Contains(e.Error, want) {
		t.Errorf("POST %s: %d %s, want 400 on field client containing %q", body, r.status, r.body, want)
	}
	r = a.do("PUT", "/faults", `[{"name":"ok","action":"reset"},`+body+`]`)
	if e := r.apiError(t); r.status != 400 || e.Field != "client" || e.Index == nil || *e.Index != 1 {
		t.Errorf("PUT [ok, %s]: %d %s, want 400 on rule [1]'s client", body, r.status, r.body)
	}
	if len(a.engine.List()) != 0 {
		t.Error("a refused request changed the rules")
	}
	if r := a.do("POST", "/faults", `{"name":"wide","action":"ocsp_times","skew":"-2h","client":"10.0.0.0/7"}`); r.status != 201 {
		t.Errorf("a range that only overlaps the bypass: %d %s, want 201", r.status, r.body)
	}
}
