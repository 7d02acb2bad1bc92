package lab

import (
	"crypto/rand"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/faults"
	"github.com/tlsgate/tlsgate/pki"
)

// labOptions points the lab at a lab CA in a temp dir: config loads its ca.pem
// (the inspect scenarios' server_ssl ca) as tlsgate lab creates it before parsing.
func labOptions(t *testing.T) Options {
	t.Helper()
	dir := t.TempDir()
	if _, _, err := pki.LoadOrCreate(dir, time.Now, rand.Reader); err != nil {
		t.Fatal(err)
	}
	return Options{BasePort: 19400, CADir: dir, LogFormat: "json", Lang: "ja"}
}

func TestConfigWholeCatalog(t *testing.T) {
	o := labOptions(t)
	placed, err := Place(Catalog(), nil, o.BasePort)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Config(placed, o)
	if err != nil {
		t.Fatalf("%v\n%s", err, TOML(placed, o))
	}
	if cfg.Log.Format != "json" || cfg.Log.Lang != "ja" || cfg.CA.Dir != o.CADir || cfg.Admin.Listen != "" {
		t.Errorf("log/ca/admin = %+v %+v %+v", cfg.Log, cfg.CA, cfg.Admin)
	}
	if cfg.Demo.Listen != addr(DemoPort(o.BasePort)) {
		t.Errorf("demo listens on %q", cfg.Demo.Listen)
	}
	byName := map[string]int{}
	for i, l := range cfg.Listeners {
		byName[l.Name] = i
	}
	if _, ok := byName[OriginName]; !ok {
		t.Errorf("no %s listener although inspect scenarios need it", OriginName)
	}
	for _, p := range placed {
		i, ok := byName[p.Name]
		if !ok {
			t.Errorf("%s: no listener", p.Name)
			continue
		}
		l := cfg.Listeners[i]
		if l.Listen != addr(p.Port) || string(l.Mode) != p.Listener.Mode {
			t.Errorf("%s: listener %s mode %s, want %s mode %s", p.Name, l.Listen, l.Mode, addr(p.Port), p.Listener.Mode)
		}
		wantBackend := addr(DemoPort(o.BasePort))
		if p.Listener.Backend == BackendOrigin {
			wantBackend = addr(OriginPort(o.BasePort))
		}
		if l.Backend != wantBackend {
			t.Errorf("%s: backend %s, want %s", p.Name, l.Backend, wantBackend)
		}
		if p.Listener.VerifyOrigin && (l.ServerSSL == nil || !l.ServerSSL.Verify || l.ServerSSL.CAFile != o.CAFile()) {
			t.Errorf("%s: server_ssl %+v, want verified against %s", p.Name, l.ServerSSL, o.CAFile())
		}
		if c := p.Listener.ClientSSL; c != nil && (l.ClientSSL == nil || l.ClientSSL.SNIRequire != c.SNIRequire ||
			l.ClientSSL.ClientCert != c.ClientCert || len(l.ClientSSL.Ciphers) != len(c.Ciphers)) {
			t.Errorf("%s: client_ssl %+v, want %+v", p.Name, l.ClientSSL, c)
		}
	}
	// Every rule survives the trip through TOML and config unchanged,
	// apart from the listener the lab scopes it to.
	want := map[string]string{}
	for _, p := range placed {
		for _, r := range p.Faults {
			r.Listener = p.Name
			want[r.Name] = ruleJSON(t, r)
		}
	}
	for _, r := range cfg.Faults {
		if r.Name == originHSTS {
			continue
		}
		w, ok := want[r.Name]
		if !ok {
			t.Errorf("unexpected rule %q", r.Name)
			continue
		}
		if got := ruleJSON(t, r); got != w {
			t.Errorf("rule %s after TOML:\n got %s\nwant %s", r.Name, got, w)
		}
		delete(want, r.Name)
	}
	for name := range want {
		t.Errorf("rule %q lost on the way through TOML", name)
	}
}

func ruleJSON(t *testing.T, r faults.Rule) string {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestConfigSubset(t *testing.T) {
	tests := []struct {
		only       []string
		wantOrigin bool
		wantPorts  []int
	}{
		{[]string{"expired"}, false, []int{19400 + index(t, "expired")}},
		{[]string{"rewriting-proxy", "clock-ahead"}, true, []int{19400, 19400 + index(t, "rewriting-proxy")}},
		{[]string{"security-software-interception"}, true, []int{19400 + index(t, "security-software-interception")}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.only, ","), func(t *testing.T) {
			o := labOptions(t)
			placed, err := Place(Catalog(), tt.only, o.BasePort)
			if err != nil {
				t.Fatal(err)
			}
			var ports []int
			for _, p := range placed {
				ports = append(ports, p.Port)
			}
			if !equalInts(ports, tt.wantPorts) {
				t.Errorf("ports %v, want %v (a scenario keeps its catalog port)", ports, tt.wantPorts)
			}
			cfg, err := Config(placed, o)
			if err != nil {
				t.Fatal(err)
			}
			hasOrigin := false
			for _, l := range cfg.Listeners {
				hasOrigin = hasOrigin || l.Name == OriginName
			}
			if hasOrigin != tt.wantOrigin || len(cfg.Listeners) != len(placed)+boolInt(tt.wantOrigin) {
				t.Errorf("%d listeners, origin %v; want %d, origin %v", len(cfg.Listeners), hasOrigin, len(placed)+boolInt(tt.wantOrigin), tt.wantOrigin)
			}
		})
	}
}

func index(t *testing.T, name string) int {
	t.Helper()
	for i, s := range Catalog() {
		if s.Name == name {
			return i
		}
	}
	t.Fatalf("no scenario %q", name)
	return -1
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestPlaceRejects(t *testing.T) {
	tests := []struct {
		name string
		only []string
		base int
		want string
	}{
		{"unknown scenario", []string{"expired", "nope"}, 9400, `no scenario "nope"`},
		{"lists the known ones", []string{"nope"}, 9400, "clock-ahead"},
		{"base zero", nil, 0, "base port 0"},
		{"base too high", nil, 65500, "base port 65500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Place(Catalog(), tt.only, tt.base)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestTOMLQuoting: strings with quotes, backslashes and non-ASCII reach
// config unchanged.
func TestTOMLQuoting(t *testing.T) {
	tests := []string{`X-Note: plain`, `X-Note: "quoted"`, `X-Note: back\slash`, "X-Note: 日本語", `X-Note: tab	here`}
	for _, h := range tests {
		t.Run(h, func(t *testing.T) {
			s := Scenario{Name: "q", Family: FamilyNetwork, Listener: Listener{Mode: "terminate"},
				Faults: []faults.Rule{{Name: "q-rule", Action: faults.ActBlockPage, HeadersAdd: []string{h}}}}
			o := labOptions(t)
			cfg, err := Config([]Placed{{Scenario: s, Port: o.BasePort}}, o)
			if err != nil {
				if strings.Contains(h, "\t") && strings.Contains(err.Error(), "headers_add") {
					return // a tab is a control character the rule itself refuses
				}
				t.Fatal(err)
			}
			if got := cfg.Faults[0].HeadersAdd; len(got) != 1 || got[0] != h {
				t.Errorf("headers_add = %q, want %q", got, h)
			}
		})
	}
}

// TestConfigNotesNameTheScenario: a note about a scenario's settings names
// the scenario, not a line of the lab.toml that exists only in memory.
func TestConfigNotesNameTheScenario(t *testing.T) {
	o := labOptions(t)
	placed, err := Place(Catalog(), []string{"no-shared-cipher"}, o.BasePort)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Config(placed, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Notes) == 0 {
		t.Fatal("no config note for no-shared-cipher: the test proves nothing")
	}
	for _, n := range cfg.Notes {
		if !strings.HasPrefix(n, "scenario=no-shared-cipher: listener.client_ssl.ciphers: ") || strings.Contains(n, "lab.toml") {
			t.Errorf("note %q, want it to start scenario=no-shared-cipher: listener.client_ssl.ciphers: and name no lab.toml", n)
		}
	}
}

// TestScenarioNote rewords the place of a note in the rendered TOML.
func TestScenarioNote(t *testing.T) {
	const text = "[log]\nformat = \"json\"\n\n[[listener]]\nname = \"expired\"\nlisten = \"127.0.0.1:1\"\n\n[[fault]]\nname = \"rule\"\nlistener = \"expired\"\n"
	for _, tc := range []struct{ name, note, want string }{
		{"in a listener", "/ca/lab.toml:6:1: listener.listen: words", "scenario=expired: listener.listen: words"},
		{"in its fault", "/ca/lab.toml:9:1: fault.name: words", "scenario=expired: fault.name: words"},
		{"before any listener", "/ca/lab.toml:2:1: log.format: words", "lab: log.format: words"},
		{"another file", "/other.toml:6:1: listener.listen: words", "/other.toml:6:1: listener.listen: words"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := scenarioNote(text, "/ca/lab.toml", tc.note); got != tc.want {
				t.Errorf("scenarioNote = %q, want %q", got, tc.want)
			}
		})
	}
}
