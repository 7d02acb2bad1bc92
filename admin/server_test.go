package admin

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/listener"
)

func TestNewNeedsEngine(t *testing.T) {
	if _, err := New(Options{}); err == nil || !strings.HasPrefix(err.Error(), "admin: ") {
		t.Fatalf("New without engine: err = %v, want an admin: error", err)
	}
}

func TestHealthzAndVersion(t *testing.T) {
	a := newAPI(t, Options{Version: "1.2.3-test"})
	r := a.do("GET", "/healthz", "")
	if r.status != 200 || r.body != "ok\n" {
		t.Fatalf("healthz: %d %q", r.status, r.body)
	}
	r = a.do("GET", "/version", "")
	var v struct {
		Version string  `json:"version"`
		Uptime  float64 `json:"uptime_seconds"`
	}
	if r.status != 200 || json.Unmarshal([]byte(r.body), &v) != nil {
		t.Fatalf("version: %d %q", r.status, r.body)
	}
	if v.Version != "1.2.3-test" || v.Uptime != 0 {
		t.Fatalf("version = %+v, want 1.2.3-test with zero uptime on a fixed clock", v)
	}
}

func TestToken(t *testing.T) {
	a := newAPI(t, Options{Token: "s3cret"})
	tests := []struct {
		name, path, auth string
		want             int
		challenge        string
	}{
		{"missing", "/faults", "", 401, `Bearer realm="tlsgate"`},
		{"wrong", "/faults", "Bearer nope", 401, `Bearer realm="tlsgate", error="invalid_token"`},
		{"basic scheme", "/faults", "Basic czNjcmV0", 401, `Bearer realm="tlsgate"`},
		{"right", "/faults", "Bearer s3cret", 200, ""},
		// RFC 9110 section 11.1: the scheme is case-insensitive; curl and
		// some libraries send it in lower case.
		{"lower-case scheme", "/faults", "bearer s3cret", 200, ""},
		{"upper-case scheme", "/faults", "BEARER s3cret", 200, ""},
		{"lower-case scheme wrong", "/faults", "bearer nope", 401, `Bearer realm="tlsgate", error="invalid_token"`},
		{"scheme alone", "/faults", "Bearer", 401, `Bearer realm="tlsgate"`},
		{"metrics guarded", "/metrics", "", 401, `Bearer realm="tlsgate"`},
		{"events guarded", "/events/recent", "", 401, `Bearer realm="tlsgate"`},
		{"healthz open", "/healthz", "", 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a.token = "" // set the header by hand
			var r response
			if tt.auth != "" {
				r = a.do("GET", tt.path, "", "Authorization", tt.auth)
			} else {
				r = a.do("GET", tt.path, "")
			}
			if r.status != tt.want {
				t.Fatalf("status %d, want %d (%s)", r.status, tt.want, r.body)
			}
			if got := r.header.Get("WWW-Authenticate"); got != tt.challenge {
				t.Fatalf("WWW-Authenticate = %q, want %q", got, tt.challenge)
			}
			if tt.want == 401 && r.apiError(t).Error == "" {
				t.Fatalf("401 without an error message: %q", r.body)
			}
		})
	}
}

func TestCrossOriginRefused(t *testing.T) {
	a := newAPI(t, Options{})
	rule := `{"name":"r1","action":"reset"}`
	r := a.do("POST", "/faults", rule, "Origin", "http://evil.example")
	if r.status != 403 {
		t.Fatalf("cross-origin POST: %d %s, want 403", r.status, r.body)
	}
	if len(a.engine.List()) != 0 {
		t.Fatal("a refused cross-origin POST still added the rule")
	}
	host := strings.TrimPrefix(a.http.URL, "http://")
	if r := a.do("POST", "/faults", rule, "Origin", "http://"+host); r.status != 201 {
		t.Fatalf("same-origin POST: %d %s, want 201", r.status, r.body)
	}
	if r := a.do("GET", "/faults", "", "Origin", "http://evil.example"); r.status != 200 {
		t.Fatalf("cross-origin GET: %d, want 200 (reads change nothing)", r.status)
	}
}

// TestTokenlessAnswersLoopbackNamesOnly: without a token, a request whose
// Host is not a loopback name is refused, reads included. A page could
// otherwise reach the API through DNS rebinding: its own name, resolving
// to 127.0.0.1, with an Origin that matches its Host.
func TestTokenlessAnswersLoopbackNamesOnly(t *testing.T) {
	a := newAPI(t, Options{})
	port := a.http.URL[strings.LastIndex(a.http.URL, ":")+1:]
	rule := `{"name":"evil","action":"reset","stage":"accept"}`
	for _, host := range []string{"rebind.test:" + port, "10.0.0.1:" + port, "rebind.test"} {
		r := a.do("POST", "/faults", rule, "Host", host, "Origin", "http://"+host)
		if r.status != 421 || !strings.Contains(r.apiError(t).Error, "not a loopback name") {
			t.Errorf("POST with Host %q: %d %s, want 421", host, r.status, r.body)
		}
		if r := a.do("GET", "/events/recent", "", "Host", host); r.status != 421 {
			t.Errorf("GET with Host %q: %d, want 421", host, r.status)
		}
	}
	if len(a.engine.List()) != 0 {
		t.Fatal("a refused request still added the rule")
	}
	for _, host := range []string{"localhost:" + port, "127.0.0.1:" + port, "127.0.0.2:" + port, "[::1]:" + port, "LOCALHOST"} {
		if r := a.do("GET", "/faults", "", "Host", host); r.status != 200 {
			t.Errorf("GET with Host %q: %d %s, want 200", host, r.status, r.body)
		}
	}
	// With a token, the token is the guard: any Host may reach the API.
	b := newAPI(t, Options{Token: "s3cret"})
	if r := b.do("GET", "/faults", "", "Host", "tlsgate.lab.example:8474"); r.status != 200 {
		t.Errorf("GET with a token and a remote Host: %d %s, want 200", r.status, r.body)
	}
}

func TestUnknownPathAndMethodAreJSON(t *testing.T) {
	a := newAPI(t, Options{})
	r := a.do("GET", "/nope", "")
	if r.status != 404 || !strings.Contains(r.apiError(t).Error, "no endpoint GET /nope") {
		t.Fatalf("unknown path: %d %q", r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("unknown path Content-Type %q", ct)
	}
	r = a.do("PATCH", "/faults", `{}`)
	if r.status != 405 || r.header.Get("Allow") == "" || !strings.Contains(r.apiError(t).Error, "PATCH not allowed") {
		t.Fatalf("wrong method: %d Allow=%q %q", r.status, r.header.Get("Allow"), r.body)
	}
}

func TestStats(t *testing.T) {
	a := newAPI(t, Options{Listeners: func() []ListenerStats {
		return []ListenerStats{{Site: listener.Site{Name: "web"}, Active: 3, Refused: 7}}
	}})
	a.srv.Hub().Publish([]byte(`{"id":1}`))
	if r := a.do("POST", "/faults", `{"name":"r1","action":"reset"}`); r.status != 201 {
		t.Fatalf("add: %d %s", r.status, r.body)
	}
	r := a.do("GET", "/stats", "")
	var st Stats
	if r.status != 200 || json.Unmarshal([]byte(r.body), &st) != nil {
		t.Fatalf("stats: %d %q", r.status, r.body)
	}
	if len(st.Listeners) != 1 || !reflect.DeepEqual(st.Listeners[0], ListenerStats{Site: listener.Site{Name: "web"}, Active: 3, Refused: 7}) ||
		st.Rules != 1 || st.Events.Published != 1 || st.Events.Kept != 1 {
		t.Fatalf("stats = %+v", st)
	}
}

func TestCheckListen(t *testing.T) {
	tests := []struct {
		addr        string
		allowRemote bool
		token       string
		wantErr     string // substring; "" = accepted
	}{
		{"127.0.0.1:8474", false, "", ""},
		{"127.0.0.2:8474", false, "", ""},
		{"[::1]:8474", false, "", ""},
		{"localhost:8474", false, "", ""},
		{"0.0.0.0:8474", false, "", "not loopback"},
		{":8474", false, "", "not loopback"},
		{"192.0.2.1:8474", false, "t", "not loopback"},
		{"admin.example:8474", false, "t", "not loopback"},
		{"0.0.0.0:8474", true, "", "no token"},
		{"0.0.0.0:8474", true, "t", ""},
		{"[::]:8474", true, "t", ""},
		{"127.0.0.1", false, "", "missing port"},
	}
	for _, tt := range tests {
		err := CheckListen(tt.addr, tt.allowRemote, tt.token)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("CheckListen(%q, %v, %q) = %v, want ok", tt.addr, tt.allowRemote, tt.token, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "admin: ")):
			t.Errorf("CheckListen(%q, %v, %q) = %v, want error containing %q", tt.addr, tt.allowRemote, tt.token, err, tt.wantErr)
		}
	}
}

// TestStalledBodyTimesOut: a POST that announces a body and never sends it
// gets 408 once BodyWait passes, instead of holding its handler forever.
func TestStalledBodyTimesOut(t *testing.T) {
	a := newAPI(t, Options{BodyWait: 200 * time.Millisecond})
	c, err := net.Dial("tcp", strings.TrimPrefix(a.http.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second)) // a hang guard
	if _, err := io.WriteString(c, "POST /faults HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no answer to a stalled body: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(string(body), "within 200ms") {
		t.Errorf("stalled body: %d %s, want 408 naming the wait", resp.StatusCode, body)
	}
}

// TestListenerStatsCarriesSite: a listener's Site (what RuleMisfit judges)
// reaches the API whole, as listener.Options.Site derives it, with the
// /stats JSON names it had when ListenerStats repeated Site's fields and
// cmd/tlsgate copied them one by one (a field added to Site then stayed
// zero on the API's side). Every Site field has its own JSON name, so one
// added later shows on /stats under a chosen name.
func TestListenerStatsCarriesSite(t *testing.T) {
	o := listener.Options{Name: "web", Mode: listener.Inspect, NonSSL: listener.NonSSLAllow, Bypass: []string{"10.0.0.0/8", "*.bank.example"}}
	site := o.Site()
	l := ListenerStats{Site: site, Active: 1, Down: true, Downs: 2}
	got, err := json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"name":"web","mode":"inspect","terminates":true,"verifies_upstream":true,"server_ssl":false,"relays_plain":true,"sni_bypass":["*.bank.example"],"addr_bypass":["10.0.0.0/8"],"active":1,"refused":0,"down":true,"downs":2}`
	if string(got) != want {
		t.Errorf("ListenerStats JSON:\n got %s\nwant %s", got, want)
	}
	var back ListenerStats
	if err := json.Unmarshal(got, &back); err != nil || !reflect.DeepEqual(back, l) {
		t.Errorf("round trip: %+v, %v; want %+v", back, err, l)
	}
	st := reflect.TypeOf(listener.Site{})
	for i := range st.NumField() {
		if f := st.Field(i); f.Tag.Get("json") == "" {
			t.Errorf("listener.Site.%s has no json tag: /stats would show it as %q", f.Name, f.Name)
		}
	}
}
