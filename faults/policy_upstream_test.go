package faults

import (
	"strings"
	"testing"
	"time"
)

// TestUpstreamPolicies: proxy_skew and alpn_downgrade are planned like TLS
// policies (never a stop, never a wrapper), fire only where they can act,
// and hand the listener their values.
func TestUpstreamPolicies(t *testing.T) {
	e := NewEngine(nil)
	if err := e.Set([]Rule{
		{Name: "clock", Action: ActProxySkew, Skew: Duration(-48 * time.Hour)},
		{Name: "h11", Action: ActALPNDowngrade},
	}); err != nil {
		t.Fatal(err)
	}
	plan := func(ci ConnInfo) *Plan {
		ci.Listener, ci.Index, ci.Hello = "l", 1, testHello()
		return e.Plan(ci)
	}
	for _, tt := range []struct {
		name string
		ci   ConnInfo
		want []string
	}{
		{"inspect", ConnInfo{Decrypted: true, VerifiesUpstream: true}, []string{"clock", "h11"}},
		{"terminate, plain backend", ConnInfo{Decrypted: true}, []string{"h11"}},
		{"passthrough", ConnInfo{}, nil},
	} {
		if got := plan(tt.ci).Names(); strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("%s: fired %v, want %v", tt.name, got, tt.want)
		}
	}
	p := plan(ConnInfo{Decrypted: true, VerifiesUpstream: true})
	for _, st := range Stages() {
		if r := p.Stop(st); r != nil {
			t.Errorf("stop at %s: %s", st, r.Name)
		}
		if ws := p.Wrappers(st); len(ws) > 0 {
			t.Errorf("wrappers at %s: %v", st, ws)
		}
	}
	if !p.TLSPolicy().IsZero() {
		t.Errorf("TLS policy %+v, want none: these act on the upstream leg and ALPN", p.TLSPolicy())
	}
	if r, skew := p.UpstreamSkew(); r == nil || r.Name != "clock" || skew != -48*time.Hour {
		t.Errorf("UpstreamSkew = %v, %s", r, skew)
	}
	if r, keep := p.ALPNDowngrade(); r == nil || r.Name != "h11" || keep != DefaultDowngrade {
		t.Errorf("ALPNDowngrade = %v, %q; want h11 keeping %s", r, keep, DefaultDowngrade)
	}
	if r, _ := (*Plan)(nil).UpstreamSkew(); r != nil {
		t.Error("nil plan has a skew")
	}
	if r, _ := (*Plan)(nil).ALPNDowngrade(); r != nil {
		t.Error("nil plan has a downgrade")
	}
}

// TestALPNDowngradeSymptom: planned, the symptom says both outcomes;
// once the rule refused a client, only the alert.
func TestALPNDowngradeSymptom(t *testing.T) {
	r := &Rule{Action: ActALPNDowngrade, Stage: StageClientHello, DowngradeTo: "http/1.1"}
	planned := Symptom(string(ActALPNDowngrade), string(StageClientHello), r)
	if !strings.HasPrefix(planned, ClassNone) || !strings.Contains(planned, "ALPN: server accepted http/1.1") || !strings.Contains(planned, "alert 120") {
		t.Errorf("planned: %s", planned)
	}
	acted := ActedSymptom(r, StageClientHello, false)
	if !strings.HasPrefix(acted, ClassAlert+" 120 no_application_protocol") || !strings.Contains(acted, "Go remote error: tls: no application protocol") {
		t.Errorf("acted: %s", acted)
	}
}
