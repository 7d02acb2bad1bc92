package config

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/faults"
)

func TestFaultRulesDecode(t *testing.T) {
	cfg, err := Parse([]byte(web+`
[[fault]]
name = "waf-sni-block"
listener = "web"
sni = "*.blocked.test"
stage = "client_hello"
action = "reset"

[[fault]]
name = "slow"
action = "latency"
latency = "150ms"
probability = 0.5
seed = 7

[[fault]]
name = "expired"
action = "chain"
chain = "expired"
skew = "-48h"
`), "faults.toml")
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Faults) != 3 {
		t.Fatalf("got %d rules", len(cfg.Faults))
	}
	r := cfg.Faults[0]
	if r.Name != "waf-sni-block" || r.Action != faults.ActReset || r.SNI != "*.blocked.test" || r.Listener != "web" {
		t.Errorf("rule 0 = %+v", r)
	}
	if cfg.Faults[1].Latency.D() != 150*time.Millisecond || *cfg.Faults[1].Probability != 0.5 || cfg.Faults[1].Seed != 7 {
		t.Errorf("rule 1 = %+v", cfg.Faults[1])
	}
	if cfg.Faults[2].Chain != "expired" || cfg.Faults[2].Skew.D() != -48*time.Hour {
		t.Errorf("rule 2 = %+v", cfg.Faults[2])
	}
	e := faults.NewEngine(time.Now)
	if err := e.Set(cfg.Faults); err != nil {
		t.Fatalf("decoded rules do not load into an engine: %v", err)
	}
}

// TestFaultClientAuthDecode: accept_cas files are relative to the config
// file, as every path in it is; "lab" and "none" stay words.
func TestFaultClientAuthDecode(t *testing.T) {
	dir := t.TempDir()
	writePEMs(t, dir)
	cfg, err := Parse([]byte(web+`
[[fault]]
name = "mtls"
action = "client_auth"
require = true
accept_cas = ["lab", "ca.pem"]
reject_with = "access_denied"
`), filepath.Join(dir, "tlsgate.toml"))
	if err != nil {
		t.Fatal(err)
	}
	r := cfg.Faults[0]
	if !slices.Equal(r.AcceptCAs, []string{"lab", filepath.Join(dir, "ca.pem")}) || r.Require == nil || !*r.Require || r.RejectWith == nil || *r.RejectWith != 49 {
		t.Errorf("rule = %+v (accept_cas %q)", r, r.AcceptCAs)
	}
	if err := faults.NewEngine(time.Now).Set(cfg.Faults); err != nil {
		t.Fatal(err)
	}
}

// A record_corrupt rule reads the handshake's end from the records, so
// its handshake_done stage needs no terminating listener: on passthrough
// it breaks the session between the client and the real server.
func TestRecordCorruptOnPassthrough(t *testing.T) {
	pt := strings.Replace(web, `mode = "terminate"`, `mode = "passthrough"`, 1)
	cfg, err := Parse([]byte(pt+`
[[fault]]
name = "bitflip"
action = "record_corrupt"
stage = "handshake_done"
direction = "c2s"
probability = 0.25
`), "faults.toml")
	if err != nil {
		t.Fatal(err)
	}
	r := cfg.Faults[0]
	if r.Action != faults.ActRecordCorrupt || r.Direction != faults.C2S || *r.Probability != 0.25 {
		t.Errorf("rule = %+v", r)
	}
	_, err = Parse([]byte(pt+`
[[fault]]
name = "bitflip"
action = "record_corrupt"
stage = "response"
`), "faults.toml")
	if err == nil || !strings.Contains(err.Error(), `action "record_corrupt" cannot act at stage "response" (want handshake_done)`) {
		t.Errorf("stage response: %v", err)
	}
}

// A proxy_skew rule needs a listener that verifies a server certificate of
// its own: inspect, or server_ssl with verify on. Anywhere else it would
// never fire, and config says so at the rule.
func TestProxySkewNeedsUpstreamTLS(t *testing.T) {
	const rule = "\n[[fault]]\nname = \"clock\"\naction = \"proxy_skew\"\nskew = \"720h\"\n"
	ok := []string{
		strings.Replace(web, `mode = "terminate"`, `mode = "inspect"`, 1),
		web + "[listener.server_ssl]\nverify = true\n",
	}
	for _, cfg := range ok {
		if _, err := Parse([]byte(cfg+rule), "faults.toml"); err != nil {
			t.Errorf("%v\n%s", err, cfg)
		}
	}
	bad := []struct{ cfg, want string }{
		{web, "no listener verifies a server certificate"},
		{web + "[listener.server_ssl]\nverify = false\n" + rule + "listener = \"web\"\n", `[listener.server_ssl] verify = false`},
		{strings.Replace(web, `mode = "terminate"`, `mode = "passthrough"`, 1) + rule + "listener = \"web\"\n", `mode = "passthrough" (no TLS terminated)`},
	}
	for _, b := range bad {
		cfg := b.cfg
		if !strings.Contains(cfg, "[[fault]]") {
			cfg += rule
		}
		_, err := Parse([]byte(cfg), "faults.toml")
		if err == nil || !strings.Contains(err.Error(), b.want) || !strings.Contains(err.Error(), "would never fire") {
			t.Errorf("got %v, want an error with %q", err, b.want)
		}
	}
	_, err := Parse([]byte(web+"[listener.server_ssl]\nverify = true\n\n[[fault]]\nname = \"clock\"\naction = \"proxy_skew\"\n"), "faults.toml")
	if err == nil || !strings.Contains(err.Error(), "missing: proxy_skew needs the shift") {
		t.Errorf("no skew: %v", err)
	}
}

// An alpn_downgrade rule changes ALPN in a handshake tlsgate runs: aimed
// at a passthrough listener it would never fire. Its downgrade_to is
// checked, and defaults to http/1.1.
func TestALPNDowngradeConfig(t *testing.T) {
	cfg, err := Parse([]byte(web+"\n[[fault]]\nname = \"h11\"\naction = \"alpn_downgrade\"\n"), "faults.toml")
	if err != nil {
		t.Fatal(err)
	}
	if r := cfg.Faults[0]; r.Action != faults.ActALPNDowngrade || r.DowngradeTo != "" {
		t.Errorf("rule = %+v", r)
	}
	pt := strings.ReplaceAll(strings.Replace(web, `mode = "terminate"`, `mode = "passthrough"`, 1), `"web"`, `"pt"`)
	for _, b := range []struct{ cfg, want string }{
		{pt + "\n[[fault]]\nname = \"h11\"\naction = \"alpn_downgrade\"\nlistener = \"pt\"\n",
			`fault[0] changes the ALPN of a handshake tlsgate runs on listener "pt", which has mode = "passthrough" and terminates no TLS`},
		{web + "\n[[fault]]\nname = \"h11\"\naction = \"alpn_downgrade\"\ndowngrade_to = \"h2\"\n", "h2 is what the downgrade strips"},
		{web + "\n[[fault]]\nname = \"h11\"\naction = \"alpn_downgrade\"\ndowngrade_to = \"http/1.1, h2\"\n", "no spaces or commas"},
	} {
		if _, err := Parse([]byte(b.cfg), "faults.toml"); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("got %v, want %q", err, b.want)
		}
	}
}

// An sni_policy with host_mismatch reads the Host header inside TLS: it
// needs a listener that terminates it.
func TestHostMismatchConfig(t *testing.T) {
	const rule = "\n[[fault]]\nname = \"sni-host\"\naction = \"sni_policy\"\nhost_mismatch = 421\n"
	cfg, err := Parse([]byte(web+rule), "faults.toml")
	if err != nil {
		t.Fatal(err)
	}
	if r := cfg.Faults[0]; r.HostMismatch != 421 || r.Stage != "" {
		t.Errorf("rule = %+v", r)
	}
	pt := strings.Replace(web, `mode = "terminate"`, `mode = "passthrough"`, 1)
	for _, b := range []struct{ cfg, want string }{
		{pt + rule, "fault.host_mismatch: fault[0] compares the HTTP Host inside TLS with the SNI, but no listener terminates TLS"},
		{web + rule + "stage = \"client_hello\"\n", "want stage request"},
		{web + "\n[[fault]]\nname = \"sni-host\"\naction = \"sni_policy\"\nhost_mismatch = 404\n", "404: want 421"},
	} {
		if _, err := Parse([]byte(b.cfg), "faults.toml"); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("got %v, want %q", err, b.want)
		}
	}
}

// A refuse rule loads from the config file with its mode and schedule, so
// a listener can start refusing; a mode or selector it cannot use is
// refused at its line (TestBadConfigs).
func TestRefuseConfig(t *testing.T) {
	for _, mode := range []faults.Mode{faults.ModeListenerDown, faults.ModeSynDrop} {
		cfg, err := Parse([]byte(web+"\n[[fault]]\nname = \"port-closed\"\naction = \"refuse\"\nmode = \""+string(mode)+"\"\nlistener = \"web\"\nduration = \"30s\"\n"), "faults.toml")
		if err != nil {
			t.Fatal(err)
		}
		if r := cfg.Faults[0]; r.Action != faults.ActRefuse || r.Mode != mode || r.Listener != "web" || r.Duration.D() != 30*time.Second {
			t.Errorf("rule = %+v", r)
		}
	}
}

// An ocsp_times rule without its skew is refused at the rule, naming what
// the skew means; with one it loads on a terminating listener.
func TestOCSPTimesNeedsSkew(t *testing.T) {
	const rule = "\n[[fault]]\nname = \"ocsp\"\naction = \"ocsp_times\"\n"
	if _, err := Parse([]byte(web+rule+"skew = \"2h\"\n"), "faults.toml"); err != nil {
		t.Errorf("with a skew: %v", err)
	}
	_, err := Parse([]byte(web+rule), "faults.toml")
	if err == nil || !strings.Contains(err.Error(), "missing: ocsp_times needs the shift of the stapled OCSP response's times") {
		t.Errorf("no skew: %v", err)
	}
	// Within curl's (OpenSSL's) 300 s of leeway the staple passes every
	// client: config check refuses it instead of loading a rule that
	// logs rejections nobody sees.
	_, err = Parse([]byte(web+rule+"skew = \"1m\"\n"), "faults.toml")
	if err == nil || !strings.Contains(err.Error(), `field "skew": 1m0s is within the 5m0s of leeway`) || !strings.Contains(err.Error(), "OCSP_check_validity") {
		t.Errorf("skew 1m: %v", err)
	}
}

// An http_date rule loads on a listener that reads HTTP, terminating or
// plaintext, and needs its skew.
func TestHTTPDateListeners(t *testing.T) {
	const rule = "\n[[fault]]\nname = \"date\"\naction = \"http_date\"\n"
	for _, cfg := range []string{web, strings.Replace(web, `mode = "terminate"`, `mode = "plaintext"`, 1)} {
		if _, err := Parse([]byte(cfg+rule+"skew = \"-2h\"\n"), "faults.toml"); err != nil {
			t.Errorf("%v\n%s", err, cfg)
		}
	}
	_, err := Parse([]byte(web+rule), "faults.toml")
	if err == nil || !strings.Contains(err.Error(), "missing: http_date needs the shift of the response's Date header") {
		t.Errorf("no skew: %v", err)
	}
}

// An ocsp_times or revocation-chain rule whose sni names only servers an
// inspect listener's bypass relays undecrypted never fires, and config
// refuses it at sni (TestBadConfigs); one whose sni may name a server the
// bypass leaves to decryption is taken, as is the same rule where another
// listener decrypts those names.
func TestBypassedSNIRuleTakenWhereItCanFire(t *testing.T) {
	insp := strings.Replace(web, `mode = "terminate"`, `mode = "inspect"`, 1) + "bypass = [\"*.bank.example\", \"10.0.0.0/8\"]\n"
	term := strings.ReplaceAll(strings.Replace(web, "9443", "9446", 1), `"web"`, `"term"`)
	const rule = "\n[[fault]]\nname = \"x\"\naction = \"chain\"\nchain = \"revoked\"\n"
	for _, cfg := range []string{
		insp + rule + "sni = \"*.example\"\n",
		insp + rule + "sni = \"bank.example\"\n",
		insp + term + rule + "sni = \"www.bank.example\"\n",
	} {
		if _, err := Parse([]byte(cfg), "faults.toml"); err != nil {
			t.Errorf("%v\n%s", err, cfg)
		}
	}
	_, err := Parse([]byte(insp+rule+"sni = \"www.bank.example\"\nlistener = \"web\"\n"), "faults.toml")
	if err == nil || !strings.Contains(err.Error(), `fault.sni: fault[0] serves a bad certificate chain on listener "web", but its sni "www.bank.example" names only servers that listener relays undecrypted (bypass "*.bank.example")`) {
		t.Errorf("got %v, want the rule refused at sni", err)
	}
}
