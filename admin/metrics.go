package admin

import (
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/faults"
)

// metrics owns a dedicated registry: nothing here touches the process-wide
// default one, so two servers (tests, a lab next to a run) never collide.
type metrics struct {
	reg         *prometheus.Registry
	connections *prometheus.CounterVec
	outcomes    *prometheus.CounterVec
	fired       *prometheus.CounterVec
	bytes       *prometheus.CounterVec
	handshake   *prometheus.HistogramVec

	engine *faults.Engine
	mu     sync.Mutex
	action map[string]string // rule name → action, rebuilt on a miss
	// firedRules are the rule labels that have a fired series, so that a
	// removed rule's series can be deleted: rule names come from API
	// callers, and series kept for every name ever used would only grow.
	firedRules map[string]struct{}

	// perListener caches each listener's counters (listener name →
	// *listenerCounters): Observe runs once per connection, and looking
	// the series up by label values (a hash and a lock per series) cost
	// more than counting.
	perListener sync.Map
}

// listenerCounters are one listener's series of the per-connection counters.
type listenerCounters struct {
	connections prometheus.Counter
	up, down    prometheus.Counter
	byCode      *prometheus.CounterVec // outcomes, curried with the listener
	outcomes    sync.Map               // diagnosis code → its series of byCode
}

// counters returns the cached series of listener ln (already a label).
func (m *metrics) counters(ln string) *listenerCounters {
	if c, ok := m.perListener.Load(ln); ok {
		return c.(*listenerCounters)
	}
	c := &listenerCounters{
		connections: m.connections.WithLabelValues(ln),
		up:          m.bytes.WithLabelValues(ln, "c2s"),
		down:        m.bytes.WithLabelValues(ln, "s2c"),
		byCode:      m.outcomes.MustCurryWith(prometheus.Labels{"listener": ln}),
	}
	got, _ := m.perListener.LoadOrStore(ln, c)
	return got.(*listenerCounters)
}

// outcome returns the series of diagnosis code (already a label).
func (lc *listenerCounters) outcome(code string) prometheus.Counter {
	if c, ok := lc.outcomes.Load(code); ok {
		return c.(prometheus.Counter)
	}
	got, _ := lc.outcomes.LoadOrStore(code, lc.byCode.WithLabelValues(code))
	return got.(prometheus.Counter)
}

func newMetrics(engine *faults.Engine, listeners func() []ListenerStats, hub *Hub, syslogDropped func() uint64) (*metrics, error) {
	m := &metrics{
		reg:    prometheus.NewRegistry(),
		engine: engine,
		connections: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tlsgate_connections_total", Help: "Connections finished, by listener.",
		}, []string{"listener"}),
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tlsgate_outcomes_total", Help: "Connections finished, by listener and diagnosis code (ok, plaintext_on_tls, …).",
		}, []string{"listener", "diagnosis"}),
		fired: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tlsgate_faults_fired_total", Help: "Fault rule firings, by rule and action.",
		}, []string{"rule", "action"}),
		bytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tlsgate_bytes_total", Help: "Bytes relayed, by listener and direction (c2s: client to server, s2c: server to client).",
		}, []string{"listener", "direction"}),
		handshake: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "tlsgate_handshake_seconds",
			Help: "Completed TLS handshake durations, by listener and leg (client: client to tlsgate, server: tlsgate to backend).",
			// 1 ms to about 16 s: loopback handshakes to ones that nearly hit
			// the 10 s handshake timeout.
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 15),
		}, []string{"listener", "leg"}),
	}
	cs := []prometheus.Collector{
		m.connections, m.outcomes, m.fired, m.bytes, m.handshake,
		newListenerCollector(listeners),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "tlsgate_events_dropped_total", Help: "Connection events lost by /events subscribers too slow to keep up.",
		}, func() float64 { return float64(hub.Dropped()) }),
		// Always present, 0 without forwarding, so one alert rule fits
		// every instance: a gap in what the SIEM received shows here, not
		// only in the local log.
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "tlsgate_syslog_dropped_lines_total",
			Help: "Log lines [log] syslog forwarding dropped: the collector was down or read too slowly while the queue (4096 lines, 4 MiB) was full, or they were still queued at exit.",
		}, func() float64 { return float64(syslogDropped()) }),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	}
	for _, c := range cs {
		if err := m.reg.Register(c); err != nil {
			return nil, fmt.Errorf("admin: metrics: %w", err)
		}
	}
	return m, nil
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Observe counts one finished connection: its listener, diagnosis, bytes,
// completed handshakes, and the fault rules that fired on it (o.Faults).
// The caller calls it once per connection; d may be nil.
func (s *Server) Observe(o *explain.Outcome, d *explain.Diagnosis) {
	if o == nil {
		return
	}
	m := s.metrics
	// The connection and outcome counts go last: a scrape that sees this
	// connection counted sees its firings, bytes and handshakes too (a
	// test, or an alert comparing them, would otherwise meet a connection
	// counted with its fault not yet).
	for _, rule := range o.Faults {
		m.fire(rule, m.actionOf(rule))
	}
	ln := label(o.Listener)
	lc := m.counters(ln)
	if o.BytesUp > 0 {
		lc.up.Add(float64(o.BytesUp))
	}
	if o.BytesDown > 0 {
		lc.down.Add(float64(o.BytesDown))
	}
	// Only completed handshakes: a failed one's duration is mostly how long
	// the client took to give up, which would drown the latency signal.
	if o.ClientTLS.Done && o.ClientTLS.Duration > 0 {
		m.handshake.WithLabelValues(ln, "client").Observe(o.ClientTLS.Duration.Seconds())
	}
	if o.Backend.TLS.Done && o.Backend.TLS.Duration > 0 {
		m.handshake.WithLabelValues(ln, "server").Observe(o.Backend.TLS.Duration.Seconds())
	}
	code := "unknown"
	if d != nil && d.Code != "" {
		code = d.Code
	}
	lc.outcome(label(code)).Inc()
	lc.connections.Inc()
}

// fire counts one firing of rule and remembers that its series exists.
func (m *metrics) fire(rule, action string) {
	r := label(rule)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.firedRules == nil {
		m.firedRules = make(map[string]struct{})
	}
	m.firedRules[r] = struct{}{}
	// Under mu: a forgetActions between recording the rule and counting
	// would delete the series and then see it come back untracked.
	m.fired.WithLabelValues(r, label(action)).Inc()
}

// ObserveFiring counts one fault firing that no Outcome reports (Observe
// already counts o.Faults; calling both for the same firing counts it twice).
func (s *Server) ObserveFiring(rule, action string) {
	if action == "" {
		action = "unknown"
	}
	s.metrics.fire(rule, action)
}

// actionOf returns the rule's action from a cache that is rebuilt from the
// engine when a name is missing, so a busy listener does not copy the whole
// rule list for every faulted connection. A rule already removed reads "unknown".
func (m *metrics) actionOf(rule string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if a, ok := m.action[rule]; ok {
		return a
	}
	m.action = make(map[string]string)
	for _, st := range m.engine.List() {
		m.action[st.Rule.Name] = string(st.Rule.Action)
	}
	if a, ok := m.action[rule]; ok {
		return a
	}
	return "unknown"
}

// forgetActions drops the cache after the API changed the rules, since a
// name can come back with another action, and deletes the fired series of
// rules that no longer exist. A connection still open when its rule went
// can count it once more; the series then comes back with that count.
func (m *metrics) forgetActions() {
	m.mu.Lock()
	// The rule list is read under mu too, so that of two overlapping API
	// changes the later one's list is what decides.
	live := make(map[string]bool)
	for _, st := range m.engine.List() {
		live[label(st.Rule.Name)] = true
	}
	m.action = nil
	for r := range m.firedRules {
		if !live[r] {
			m.fired.DeletePartialMatch(prometheus.Labels{"rule": r})
			delete(m.firedRules, r)
		}
	}
	m.mu.Unlock()
}

// label makes s safe as a label value: client_golang panics on invalid UTF-8.
func label(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }

// listenerCollector reads the injected listener stats on every scrape.
type listenerCollector struct {
	listeners       func() []ListenerStats
	active, refused *prometheus.Desc
	down, downs     *prometheus.Desc
}

func newListenerCollector(listeners func() []ListenerStats) listenerCollector {
	return listenerCollector{
		listeners: listeners,
		active:    prometheus.NewDesc("tlsgate_active_connections", "Connections open right now, by listener.", []string{"listener"}, nil),
		refused:   prometheus.NewDesc("tlsgate_refused_total", "Connections refused by max_connections, by listener.", []string{"listener"}, nil),
		// A refuse rule's refusals happen in the kernel, with no connection
		// to count: what tlsgate knows is that the listener is down.
		down:  prometheus.NewDesc("tlsgate_listener_down", "1 while a refuse rule holds the listener down (new SYNs get an RST, or go unanswered under mode syn_drop), by listener.", []string{"listener"}, nil),
		downs: prometheus.NewDesc("tlsgate_listener_downs_total", "Times a refuse rule took the listener down, by listener.", []string{"listener"}, nil),
	}
}

func (c listenerCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.active
	ch <- c.refused
	ch <- c.down
	ch <- c.downs
}

func (c listenerCollector) Collect(ch chan<- prometheus.Metric) {
	// Two entries with one name would make the whole scrape fail; add them up.
	type sums struct{ active, refused, down, downs int64 }
	by := map[string]*sums{}
	var order []string
	for _, l := range c.listeners() {
		n := label(l.Name)
		if by[n] == nil {
			by[n] = &sums{}
			order = append(order, n)
		}
		by[n].active += l.Active
		by[n].refused += l.Refused
		by[n].downs += l.Downs
		if l.Down {
			by[n].down = 1
		}
	}
	for _, n := range order {
		ch <- prometheus.MustNewConstMetric(c.active, prometheus.GaugeValue, float64(by[n].active), n)
		ch <- prometheus.MustNewConstMetric(c.refused, prometheus.CounterValue, float64(by[n].refused), n)
		ch <- prometheus.MustNewConstMetric(c.down, prometheus.GaugeValue, float64(by[n].down), n)
		ch <- prometheus.MustNewConstMetric(c.downs, prometheus.CounterValue, float64(by[n].downs), n)
	}
}
