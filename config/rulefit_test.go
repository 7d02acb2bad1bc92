package config

import (
	"strings"
	"testing"
)

// TestHTTPRulesNeedHTTP: a block_page, a rewrite and an abort act on HTTP,
// which a listener shows only where it decrypts TLS or relays plaintext
// (mode plaintext or auto, or non_ssl = "allow"); a record_corrupt and an
// alert after the ClientHello need TLS carried on, which a plaintext
// listener resets. Aimed anywhere else they would never fire, and config
// says so at the rule, naming it, the listener and its mode. They used to
// be taken. Where they can act they are taken.
func TestHTTPRulesNeedHTTP(t *testing.T) {
	pt := strings.ReplaceAll(strings.Replace(strings.Replace(web, `mode = "terminate"`, `mode = "passthrough"`, 1), "9443", "9445", 1), `"web"`, `"pt"`)
	plain := strings.ReplaceAll(strings.Replace(strings.Replace(web, `mode = "terminate"`, `mode = "plaintext"`, 1), "9443", "9444", 1), `"web"`, `"plain"`)
	allow := pt + "non_ssl = \"allow\"\nplain_backend = \"127.0.0.1:9081\"\n"
	auto := strings.Replace(pt, `mode = "passthrough"`, "mode = \"auto\"\nplain_backend = \"127.0.0.1:9081\"", 1)
	const pass = `, which has mode = "passthrough" without non_ssl = "allow": it passes TLS through undecrypted and relays no plain HTTP, so it sees none; this rule would never fire (it needs mode = "terminate", "inspect", "plaintext" or "auto", or non_ssl = "allow" for plain HTTP)`
	rules := map[string]string{
		"block_page":     "action = \"block_page\"",
		"rewrite":        "action = \"rewrite\"\nheaders_add = [\"Via: 1.1 lab\"]",
		"abort":          "action = \"abort\"\nstatus = 503",
		"record_corrupt": "action = \"record_corrupt\"\nstage = \"handshake_done\"",
		"alert_request":  "action = \"alert\"\nalert = 40\nstage = \"request\"",
	}
	rule := func(name, at string) string {
		s := "\n[[fault]]\nname = \"x\"\n" + rules[name] + "\n"
		if at != "" {
			s += "listener = \"" + at + "\"\n"
		}
		return s
	}
	bad := []struct{ cfg, want string }{
		{pt + rule("block_page", "pt"), `fault.action: fault[0] answers an HTTP request with a block page on listener "pt"` + pass},
		{pt + rule("rewrite", "pt"), `fault.action: fault[0] rewrites HTTP responses on listener "pt"` + pass},
		{pt + rule("abort", "pt"), `fault.action: fault[0] answers HTTP requests in place of the backend on listener "pt"` + pass},
		{pt + web + rule("block_page", "pt"), `fault[0] answers an HTTP request with a block page on listener "pt"` + pass},
		{pt + rule("abort", ""), `fault.action: fault[0] answers HTTP requests in place of the backend, but no listener decrypts TLS or relays plain HTTP; this rule would never fire`},
		{plain + rule("record_corrupt", "plain"), `fault.action: fault[0] flips a bit in a TLS record after the handshake on listener "plain", which has mode = "plaintext" and resets a TLS client after its ClientHello; this rule would never fire (it needs mode = "passthrough", "terminate", "inspect" or "auto")`},
		{plain + rule("alert_request", ""), `fault.stage: fault[0] sends a TLS alert inside a TLS connection, but every listener has mode = "plaintext" and resets TLS; this rule would never fire`},
	}
	for _, b := range bad {
		if _, err := Parse([]byte(b.cfg), "faults.toml"); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("got %v\nwant %q", err, b.want)
		}
	}
	ok := []string{
		web + rule("block_page", "web"),
		plain + rule("rewrite", "plain"),
		allow + rule("block_page", "pt"),
		allow + rule("abort", "pt"),
		auto + rule("abort", "pt"),
		pt + web + rule("rewrite", ""),
		pt + rule("record_corrupt", "pt"),
		pt + rule("alert_request", "pt"),
		plain + "\n[[fault]]\nname = \"x\"\naction = \"alert\"\nalert = 40\n",
	}
	for _, cfg := range ok {
		if _, err := Parse([]byte(cfg), "faults.toml"); err != nil {
			t.Errorf("%v\n%s", err, cfg)
		}
	}
}

// TestHelloRulesNeedTLSThatReachesThem: a rule that selects by the
// ClientHello acts only on TLS whose hello was parsed, and a version floor
// only on TLS a listener carries on. Aimed at every listener of a config
// whose listeners are all plaintext (plain HTTP sends no hello, TLS is
// reset at its hello), config refuses them, naming the selector; a
// terminating listener beside it takes them.
func TestHelloRulesNeedTLSThatReachesThem(t *testing.T) {
	plain := strings.ReplaceAll(strings.Replace(strings.Replace(web, `mode = "terminate"`, `mode = "plaintext"`, 1), "9443", "9444", 1), `"web"`, `"plain"`)
	rules := []struct{ rule, want string }{
		{"action = \"block_page\"\nsni = \"a.test\"\n",
			`fault.sni: fault[0] selects by the ClientHello's sni, which only TLS has (plain HTTP sends none), and answers an HTTP request with a block page, but no listener terminates TLS; this rule would never fire`},
		{"action = \"latency\"\nlatency = \"10ms\"\nstage = \"response\"\nmax_offered_version = \"1.2\"\n",
			`fault.max_offered_version: fault[0] selects by the ClientHello's max_offered_version, which only TLS has (plain HTTP sends none), and acts at stage response, but every listener has mode = "plaintext" and resets TLS; this rule would never fire`},
		{"action = \"cipher\"\ngroups = [\"P-384\"]\n",
			`fault.action: fault[0] limits the TLS versions or ciphers a handshake accepts, but every listener has mode = "plaintext" and resets TLS; this rule would never fire`},
	}
	for _, r := range rules {
		rule := "\n[[fault]]\nname = \"x\"\n" + r.rule
		if _, err := Parse([]byte(plain+rule), "faults.toml"); err == nil || !strings.Contains(err.Error(), r.want) {
			t.Errorf("got %v\nwant %q", err, r.want)
		}
		if _, err := Parse([]byte(plain+web+rule), "faults.toml"); err != nil {
			t.Errorf("beside a terminating listener: %v", err)
		}
	}
}
