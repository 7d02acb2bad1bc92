package faultse2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	tg "github.com/tlsgate/tlsgate/e2e/internal/gate"
)

// TestSelectors checks selectors end to end: an SNI glob hits its hosts
// and no other, and conn_first fires for the first connections only.
func TestSelectors(t *testing.T) {
	t.Parallel()
	runCases(t, []faultCase{
		{name: "sni_glob", symptom: "connection reset", rule: "sni = \"*.blocked.test\"\naction = \"reset\"\n", stop: "reset", checks: []check{
			curlHost("www.blocked.test", 35, curlReset...),
			quiet(curlHost(labHost, 0)),
			curlHost("deep.sub.BLOCKED.test", 35, curlReset...),
			quiet(curlHost("blocked.test", 0)), // the glob needs a label before .blocked.test
			quiet(curlHost("www.blocked.test.example", 0)),
		}},
		{name: "sni_none", symptom: "connection closed (EOF)", rule: "sni = \"<none>\"\naction = \"close\"\n", stop: "close", checks: []check{
			curlIPFails(35, curlEOF...),
			quiet(curlHost(labHost, 0)),
		}},
		{name: "conn_first", symptom: "connection reset", rule: "conn_first = 2\naction = \"reset\"\n", stop: "reset", checks: []check{
			goFails("reset", nil), goFails("reset", nil),
			quiet(goHandshakes(nil)), quiet(goHandshakes(nil)), quiet(curlGets("/hello")),
		}},
		{name: "conn_every", symptom: "connection reset", rule: "conn_every = 3\naction = \"reset\"\n", stop: "reset", checks: []check{
			quiet(goHandshakes(nil)), quiet(goHandshakes(nil)), goFails("reset", nil),
			quiet(goHandshakes(nil)), quiet(goHandshakes(nil)), goFails("reset", nil),
		}},
	})
}

// curlHost runs curl with SNI host and expects exit code exit (0: the body
// of /hello) naming one of texts.
func curlHost(host string, exit int, texts ...string) check {
	return check{run: func(t *testing.T, x *env) string {
		r := x.curl(t, clientTimeout, host, "/hello")
		r.want(t, exit, texts...)
		if exit == 0 {
			wantBody(t, "curl", r.body, "/hello")
		}
		return r.client()
	}}
}

// TestProbabilitySeed runs the same traffic twice, each time against a
// fresh tlsgate with the same rule (probability 0.5, a fixed seed), and
// expects the same connections to be hit: the draw depends on the seed and
// the connection index only. Both what the client saw and what tlsgate
// logged must agree.
func TestProbabilitySeed(t *testing.T) {
	t.Parallel()
	const conns = 16
	ruleTOML := onListener("prob", "probability = 0.5\nseed = 42\naction = \"reset\"\n")
	run := func(t *testing.T) (clientSaw, logged []bool, draws []float64) {
		be := startBackend(t, nil)
		g := startGate(t, gateConfig{
			listeners: []spec{{Name: "prob", TOML: terminate(be)}},
			faults:    []rule{{name: "coin", toml: ruleTOML}},
		})
		x := &env{g: g, lis: "prob", be: be, caFile: g.CAPEM(), pool: tg.PoolFromFile(t, g.CAPEM())}
		for i := range conns {
			c, local, err := goDial(t, x.addr(), x.config(labHost), clientTimeout)
			if c != nil {
				c.Close()
			}
			if err != nil && !isReset(err) {
				t.Fatalf("connection %d: %v, want success or a reset", i+1, err)
			}
			clientSaw = append(clientSaw, err != nil)
			e := g.nth(t, "prob", i+1)
			if e.Client != local {
				t.Fatalf("event %d is from %s, want %s", i+1, e.Client, local)
			}
			fired := slices.Contains(e.fired(), "coin")
			logged = append(logged, fired)
			if fired {
				wantFired(t, e, "coin", "reset")
			}
			for _, f := range e.firings() {
				draws = append(draws, f.Draw)
			}
		}
		g.stop(t)
		return clientSaw, logged, draws
	}
	saw1, log1, draws1 := run(t)
	saw2, log2, draws2 := run(t)
	if !slices.Equal(saw1, log1) || !slices.Equal(saw2, log2) {
		t.Errorf("clients saw resets %s but tlsgate logged firings %s (run 1), %s vs %s (run 2)",
			pattern(saw1), pattern(log1), pattern(saw2), pattern(log2))
	}
	if !slices.Equal(log1, log2) {
		t.Errorf("same seed, same traffic, different firings:\nrun 1 %s\nrun 2 %s", pattern(log1), pattern(log2))
	}
	if !slices.Equal(draws1, draws2) {
		t.Errorf("draws differ between runs: %v vs %v", draws1, draws2)
	}
	n := 0
	for _, b := range log1 {
		if b {
			n++
		}
	}
	if n == 0 || n == conns {
		t.Errorf("probability 0.5 fired %d times in %d connections (%s): the draw does not look random", n, conns, pattern(log1))
	}
	t.Logf("seed 42, probability 0.5, %d connections: %s (X fired)", conns, pattern(log1))
}

// pattern writes a firing pattern as X (fired) and . (not).
func pattern(bs []bool) string {
	var b strings.Builder
	for _, x := range bs {
		b.WriteString(map[bool]string{true: "X", false: "."}[x])
	}
	return fmt.Sprintf("[%s]", b.String())
}
