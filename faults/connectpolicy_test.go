package faults

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/tlsgate/tlsgate/sniff"
)

// TestConnectPolicyValidate: connect_policy takes a refusing status and the
// selectors a CONNECT has (its host as sni, listener, client, counters),
// and nothing that reads a ClientHello.
func TestConnectPolicyValidate(t *testing.T) {
	tests := []struct {
		name  string
		r     Rule
		field string // "": valid
		msg   string
	}{
		{"default", Rule{Name: "x", Action: ActConnectPolicy}, "", ""},
		{"407 by host and client", Rule{Name: "x", Action: ActConnectPolicy, Status: 407, SNI: "*.blocked.test", Client: "10.0.0.0/8", Listener: "proxy"}, "", ""},
		{"502", Rule{Name: "x", Action: ActConnectPolicy, Status: 502, ConnFirst: 3}, "", ""},
		{"418 allowed", Rule{Name: "x", Action: ActConnectPolicy, Status: 418}, "", ""},
		{"200 opens the tunnel", Rule{Name: "x", Action: ActConnectPolicy, Status: 200}, "status", "200 would not refuse the CONNECT (a 2xx opens the tunnel"},
		{"101", Rule{Name: "x", Action: ActConnectPolicy, Status: 101}, "status", "101 would not refuse the CONNECT"},
		{"302", Rule{Name: "x", Action: ActConnectPolicy, Status: 302}, "status", "want 403 (the proxy's ACL, the default), 407"},
		{"600", Rule{Name: "x", Action: ActConnectPolicy, Status: 600}, "status", "600 is outside 400..599"},
		{"no sni", Rule{Name: "x", Action: ActConnectPolicy, SNI: SNINone}, "sni", "a CONNECT always names a host"},
		{"ja4", Rule{Name: "x", Action: ActConnectPolicy, JA4: "t13*"}, "ja4", "before any ClientHello"},
		{"alpn", Rule{Name: "x", Action: ActConnectPolicy, ALPN: "h2"}, "alpn", "before any ClientHello"},
		{"hello size", Rule{Name: "x", Action: ActConnectPolicy, HelloMinSize: 1000}, "hello_min_size", "before any ClientHello"},
		{"stage request", Rule{Name: "x", Action: ActConnectPolicy, Stage: StageRequest}, "stage", `cannot act at stage "request"`},
		{"unused parameter", Rule{Name: "x", Action: ActConnectPolicy, Template: "f5"}, "template", "it takes only status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.r.Validate()
			var re *RuleError
			switch {
			case tt.field == "" && err != nil:
				t.Fatalf("Validate: %v", err)
			case tt.field == "":
				return
			case !errors.As(err, &re):
				t.Fatalf("Validate = %v, want a RuleError on %q", err, tt.field)
			case re.Field != tt.field || !strings.Contains(re.Msg, tt.msg):
				t.Errorf("Validate = %v, want field %q with %q", err, tt.field, tt.msg)
			}
		})
	}
}

// TestPlanConnect: connect_policy rules are planned only at a CONNECT,
// matched by the CONNECT's host as their sni, the listener, the client and
// the connection counters; the plan of the tunnel's hello never holds them.
func TestPlanConnect(t *testing.T) {
	rules := []Rule{
		{Name: "acl", Action: ActConnectPolicy, SNI: "*.blocked.test", Listener: "proxy"},
		{Name: "auth", Action: ActConnectPolicy, Status: 407, Client: "10.9.0.0/16"},
		{Name: "every-third", Action: ActConnectPolicy, Status: 502, ConnEvery: 3},
		{Name: "hello-reset", Action: ActReset, SNI: "app.blocked.test"},
	}
	e := NewEngine(nil)
	if err := e.Set(rules); err != nil {
		t.Fatal(err)
	}
	client := netip.MustParseAddrPort("192.0.2.7:40000")
	tests := []struct {
		name     string
		listener string
		client   netip.AddrPort
		index    uint64
		host     string
		want     string // the refusing rule, "" none
		status   int
	}{
		{"blocked host", "proxy", client, 1, "app.blocked.test", "acl", 403},
		{"other host", "proxy", client, 1, "lab.test", "", 0},
		{"blocked host on another listener", "edge", client, 1, "app.blocked.test", "", 0},
		{"client range", "edge", netip.MustParseAddrPort("10.9.1.2:5000"), 1, "lab.test", "auth", 407},
		{"every third", "edge", client, 6, "lab.test", "every-third", 502},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := e.PlanConnect(ConnInfo{Listener: tt.listener, Client: tt.client, Index: tt.index}, tt.host)
			r := p.ConnectRefused()
			switch {
			case tt.want == "" && r != nil:
				t.Errorf("rule %s refused, want none", r.Name)
			case tt.want != "" && (r == nil || r.Name != tt.want || r.Status != tt.status):
				t.Errorf("refused by %+v, want %s with %d", r, tt.want, tt.status)
			}
			for _, n := range p.Names() {
				if n == "hello-reset" {
					t.Errorf("the CONNECT plan holds a rule of the hello: %v", p.Names())
				}
			}
		})
	}
	// The tunnel's hello is planned without them, even where one would match.
	hello := e.Plan(ConnInfo{Listener: "proxy", Client: client, Index: 1, Hello: &sniff.ClientHello{ServerName: "app.blocked.test"}})
	if names := hello.Names(); len(names) != 1 || names[0] != "hello-reset" {
		t.Errorf("the hello's plan fired %v, want only hello-reset", names)
	}
}

// TestConnectRefusal: the answer is a proxy's, with a 407's
// Proxy-Authenticate, and the symptom quotes each client's words.
func TestConnectRefusal(t *testing.T) {
	tests := []struct {
		status int
		head   string
		auth   bool
		saw    []string
	}{
		{0, "HTTP/1.1 403 Forbidden\r\n", false, []string{"curl (56) CONNECT tunnel failed, response 403", `Get "https://…": Forbidden`, "ERR_TUNNEL_CONNECTION_FAILED",
			"<urlopen error Tunnel connection failed: 403 Forbidden>", "s_client: HTTP CONNECT failed, reason= 403 Forbidden"}},
		{407, "HTTP/1.1 407 Proxy Authentication Required\r\n", true, []string{"response 407", `Basic realm="tlsgate"`}},
		{502, "HTTP/1.1 502 Bad Gateway\r\n", false, []string{"response 502", `Get "https://…": Bad Gateway`}},
		// No standard text: the line says "Error", and Go prints the
		// line's phrase, so the symptom must quote the same.
		{460, "HTTP/1.1 460 Error\r\n", false, []string{"response 460", `Get "https://…": Error;`, "< HTTP/1.1 460 Error"}},
	}
	for _, tt := range tests {
		r := &Rule{Name: "acl", Action: ActConnectPolicy, Status: tt.status}
		got := string(ConnectRefusal(r, "app.test:443"))
		head, body, _ := strings.Cut(got, "\r\n\r\n")
		if !strings.HasPrefix(got, tt.head) || strings.Contains(head, "Proxy-Authenticate: Basic realm=\"tlsgate\"") != tt.auth ||
			!strings.Contains(head, "Connection: close") || !strings.Contains(body, "CONNECT app.test:443 refused") || !strings.Contains(body, "rule acl") {
			t.Errorf("status %d: %q", tt.status, got)
		}
		sym := Symptom(string(ActConnectPolicy), string(StageClientHello), r)
		if !strings.HasPrefix(sym, ClassHTTP) {
			t.Errorf("symptom %q does not begin with its class", sym)
		}
		for _, w := range tt.saw {
			if !strings.Contains(sym, w) {
				t.Errorf("symptom %q lacks %q", sym, w)
			}
		}
	}
}

// TestConnectPolicyNeed: the rule needs a CONNECT read by an explicit
// proxy, and a connection without one never meets it.
func TestConnectPolicyNeed(t *testing.T) {
	r := Rule{Name: "x", Action: ActConnectPolicy, SNI: "*.test"}
	if n := r.Need(); n.Kind != NeedConnect || n.Field != "action" {
		t.Errorf("Need = %+v, want NeedConnect blamed on action", n)
	}
	if r.actsOn(&ConnInfo{Plain: true}) || !r.actsOn(&ConnInfo{Plain: true, Connect: true}) {
		t.Error("actsOn: want only a connection with a CONNECT")
	}
}
