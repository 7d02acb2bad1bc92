package config

import (
	"path/filepath"
	"slices"
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
