package admin

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/listener"
)

func TestMetricsAfterObserve(t *testing.T) {
	a := newAPI(t, Options{Listeners: func() []ListenerStats {
		return []ListenerStats{{Site: listener.Site{Name: "web"}, Active: 2, Refused: 5}, {Site: listener.Site{Name: "ssh"}, Active: 1, Down: true, Downs: 2}, {Site: listener.Site{Name: "web"}, Active: 1, Refused: 1, Downs: 1}}
	}})
	if r := a.do("POST", "/faults", `{"name":"waf-sni-block","action":"reset","stage":"client_hello"}`); r.status != 201 {
		t.Fatal(r.body)
	}
	ok := &explain.Outcome{
		Listener: "web", BytesUp: 300, BytesDown: 4000,
		ClientTLS: explain.Leg{Attempted: true, Done: true, Duration: 3 * time.Millisecond},
		Backend:   explain.Backend{TLS: explain.Leg{Attempted: true, Done: true, Duration: 20 * time.Millisecond}},
	}
	a.srv.Observe(ok, &explain.Diagnosis{Code: "ok", OK: true})
	faulted := &explain.Outcome{
		Listener:  "web",
		ClientTLS: explain.Leg{Attempted: true, Duration: time.Second, Err: "connection reset"}, // failed: not a latency sample
		Faults:    []string{"waf-sni-block", "gone-rule"},
	}
	a.srv.Observe(faulted, &explain.Diagnosis{Code: "fault_reset"})
	a.srv.Observe(&explain.Outcome{Listener: "ssh"}, nil)
	a.srv.Observe(nil, nil) // ignored
	a.srv.ObserveFiring("slow", "latency")
	a.srv.Hub().Publish([]byte(`{}`))
	slow := mustSubscribe(t, a.srv.Hub())
	defer slow.Close()
	for range DefaultBuffer + 3 {
		a.srv.Hub().Publish([]byte(`{}`))
	}

	r := a.do("GET", "/metrics", "")
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
		t.Fatalf("metrics: %d %q", r.status, r.header.Get("Content-Type"))
	}
	want := []string{
		`tlsgate_connections_total{listener="web"} 2`,
		`tlsgate_connections_total{listener="ssh"} 1`,
		`tlsgate_outcomes_total{diagnosis="ok",listener="web"} 1`,
		`tlsgate_outcomes_total{diagnosis="fault_reset",listener="web"} 1`,
		`tlsgate_outcomes_total{diagnosis="unknown",listener="ssh"} 1`,
		`tlsgate_faults_fired_total{action="reset",rule="waf-sni-block"} 1`,
		`tlsgate_faults_fired_total{action="unknown",rule="gone-rule"} 1`,
		`tlsgate_faults_fired_total{action="latency",rule="slow"} 1`,
		`tlsgate_bytes_total{direction="c2s",listener="web"} 300`,
		`tlsgate_bytes_total{direction="s2c",listener="web"} 4000`,
		`tlsgate_handshake_seconds_count{leg="client",listener="web"} 1`,
		`tlsgate_handshake_seconds_count{leg="server",listener="web"} 1`,
		`tlsgate_handshake_seconds_bucket{leg="client",listener="web",le="0.004"} 1`,
		`tlsgate_handshake_seconds_bucket{leg="server",listener="web",le="0.016"} 0`,
		`tlsgate_active_connections{listener="web"} 3`,
		`tlsgate_active_connections{listener="ssh"} 1`,
		`tlsgate_refused_total{listener="web"} 6`,
		`tlsgate_refused_total{listener="ssh"} 0`,
		`tlsgate_listener_down{listener="ssh"} 1`,
		`tlsgate_listener_down{listener="web"} 0`,
		`tlsgate_listener_downs_total{listener="ssh"} 2`,
		`tlsgate_listener_downs_total{listener="web"} 1`,
		`# TYPE tlsgate_listener_down gauge`,
		`# TYPE tlsgate_listener_downs_total counter`,
		`tlsgate_events_dropped_total 3`,
		`# TYPE tlsgate_handshake_seconds histogram`,
		`# TYPE tlsgate_active_connections gauge`,
		`# TYPE tlsgate_refused_total counter`,
		`go_goroutines `,
	}
	for _, w := range want {
		if !strings.Contains(r.body, w) {
			t.Errorf("metrics lack %q", w)
		}
	}
	if t.Failed() {
		t.Logf("metrics:\n%s", r.body)
	}
}

// TestMetricsActionAfterReplace: a rule name that comes back with another
// action is counted under the new action.
func TestMetricsActionAfterReplace(t *testing.T) {
	a := newAPI(t, Options{})
	for _, body := range []string{`{"name":"r","action":"reset"}`, `{"name":"r","action":"close"}`} {
		if r := a.do("PUT", "/faults", "["+body+"]"); r.status != 200 {
			t.Fatal(r.body)
		}
		a.srv.Observe(&explain.Outcome{Listener: "l", Faults: []string{"r"}}, nil)
	}
	body := a.do("GET", "/metrics", "").body
	for _, w := range []string{`tlsgate_faults_fired_total{action="reset",rule="r"} 1`, `tlsgate_faults_fired_total{action="close",rule="r"} 1`} {
		if !strings.Contains(body, w) {
			t.Errorf("metrics lack %q", w)
		}
	}
}

// TestMetricsRemovedRuleSeries: a rule's fired series goes with the rule,
// whether it is deleted or replaced away, so rule names do not pile up.
func TestMetricsRemovedRuleSeries(t *testing.T) {
	a := newAPI(t, Options{})
	if r := a.do("PUT", "/faults", `[{"name":"a","action":"reset"},{"name":"b","action":"close"}]`); r.status != 200 {
		t.Fatal(r.body)
	}
	a.srv.Observe(&explain.Outcome{Listener: "l", Faults: []string{"a", "b"}}, nil)
	seriesA, seriesB := `tlsgate_faults_fired_total{action="reset",rule="a"} 1`, `tlsgate_faults_fired_total{action="close",rule="b"} 1`
	steps := []struct {
		method, path, body string
		status             int
		has, lacks         []string
	}{
		{"GET", "/metrics", "", 200, []string{seriesA, seriesB}, nil},
		{"DELETE", "/faults/a", "", 204, nil, nil},
		{"GET", "/metrics", "", 200, []string{seriesB}, []string{`rule="a"`}},
		{"PUT", "/faults", "[]", 200, nil, nil},
		{"GET", "/metrics", "", 200, nil, []string{`rule="a"`, `rule="b"`}},
	}
	for _, st := range steps {
		r := a.do(st.method, st.path, st.body)
		if r.status != st.status {
			t.Fatalf("%s %s: %d %s", st.method, st.path, r.status, r.body)
		}
		for _, w := range st.has {
			if !strings.Contains(r.body, w) {
				t.Errorf("%s %s: metrics lack %q", st.method, st.path, w)
			}
		}
		for _, w := range st.lacks {
			if strings.Contains(r.body, w) {
				t.Errorf("%s %s: metrics still have %q", st.method, st.path, w)
			}
		}
	}
}

// TestMetricsFiringRacingRemoval: a firing that overlaps the removal of its
// rule must leave either no series or a tracked one, which the next
// removal deletes; never an untracked series that stays for good. The race
// is not forced, so each round only gives it a chance.
func TestMetricsFiringRacingRemoval(t *testing.T) {
	a := newAPI(t, Options{})
	m := a.srv.metrics
	for i := range 3000 {
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); m.fire("gone", "reset") }()
		go func() { defer wg.Done(); m.forgetActions() }()
		wg.Wait()
		m.forgetActions() // "gone" is no rule: this must delete whatever fire left
		if n := seriesCount(m.fired); n != 0 {
			t.Fatalf("round %d: %d fired series left for a rule that does not exist", i, n)
		}
	}
}

func TestMetricsInvalidUTF8Label(t *testing.T) {
	a := newAPI(t, Options{})
	a.srv.Observe(&explain.Outcome{Listener: "bad\xffname"}, &explain.Diagnosis{Code: "ok"})
	if body := a.do("GET", "/metrics", "").body; !strings.Contains(body, "tlsgate_connections_total{listener=\"bad\uFFFDname\"} 1") {
		t.Fatalf("invalid UTF-8 listener name not repaired:\n%s", body)
	}
}

// TestMetricsRegistryPerServer: two servers in one process do not share or
// clash over metrics.
func TestMetricsRegistryPerServer(t *testing.T) {
	a, b := newAPI(t, Options{}), newAPI(t, Options{})
	a.srv.Observe(&explain.Outcome{Listener: "only-a"}, nil)
	if strings.Contains(b.do("GET", "/metrics", "").body, "only-a") {
		t.Fatal("server b reports server a's connection")
	}
}

// seriesCount is how many series c collects.
func seriesCount(c prometheus.Collector) int {
	ch := make(chan prometheus.Metric)
	go func() { c.Collect(ch); close(ch) }()
	n := 0
	for range ch {
		n++
	}
	return n
}
