package admin

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/listener"
)

// TestMetricsLint: every series follows Prometheus's naming conventions
// as promlint checks them (counters end in _total, base units, HELP
// present, no camel case), with every metric family populated.
func TestMetricsLint(t *testing.T) {
	a := newAPI(t, Options{Listeners: func() []ListenerStats {
		return []ListenerStats{{Site: listener.Site{Name: "web"}, Active: 1, Refused: 1, Downs: 1}}
	}})
	if r := a.do("POST", "/faults", `{"name":"waf","action":"reset","stage":"client_hello"}`); r.status != 201 {
		t.Fatal(r.body)
	}
	a.srv.Observe(&explain.Outcome{Listener: "web", BytesUp: 1, BytesDown: 1, Faults: []string{"waf"},
		ClientTLS: explain.Leg{Attempted: true, Done: true, Duration: time.Millisecond}}, &explain.Diagnosis{Code: "ok", OK: true})
	problems, err := testutil.GatherAndLint(a.srv.metrics.reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("%s: %s", p.Metric, p.Text)
	}
}

// TestMetricsSyslogDropped: the log lines syslog forwarding dropped are a
// counter, so an alert can fire on a gap in what the SIEM receives; before,
// the count showed only in the local log. Without forwarding it is 0.
func TestMetricsSyslogDropped(t *testing.T) {
	var dropped atomic.Uint64
	a := newAPI(t, Options{SyslogDropped: dropped.Load})
	dropped.Store(30646)
	r := a.do("GET", "/metrics", "")
	for _, w := range []string{
		"# TYPE tlsgate_syslog_dropped_lines_total counter",
		"tlsgate_syslog_dropped_lines_total 30646",
	} {
		if !strings.Contains(r.body, w) {
			t.Errorf("metrics lack %q", w)
		}
	}
	if r := newAPI(t, Options{}).do("GET", "/metrics", ""); !strings.Contains(r.body, "tlsgate_syslog_dropped_lines_total 0") {
		t.Error("without forwarding the counter is missing or not 0")
	}
}
