package bigiplog

import (
	"encoding/json"
	"strings"
	"testing"

	"go.uber.org/zap/zapcore"

	"github.com/tlsgate/tlsgate/explain"
)

const (
	testSymReset = "connection reset during the handshake: curl (35) Recv failure: Connection reset by peer; openssl s_client write:errno=104; Go read: connection reset by peer; Chrome ERR_CONNECTION_RESET"
	testSymMTU   = "timeout (PMTUD black hole): small packets pass, the first full-size burst stalls; curl (28) with curl -v stuck after Client hello (1); openssl s_client hangs; Go net/http: TLS handshake timeout; Chrome ERR_TIMED_OUT"
	testSymSlow  = "slow, no error: 300ms added per chunk; a client timeout shorter than that shows as a timeout (curl (28), Go i/o timeout)"
)

// faultStopOutcome: a WAF-style rule reset the connection right after the
// ClientHello; a latency rule had fired at accept too.
func faultStopOutcome() *explain.Outcome {
	o := okOutcome()
	o.ID, o.Route, o.FaultApplied = 11, "fault_reset", "reset"
	o.ClientTLS = explain.Leg{AlertSent: -1, AlertRecv: -1}
	o.Backend = explain.Backend{TLS: explain.Leg{AlertSent: -1, AlertRecv: -1}}
	o.BytesUp, o.BytesDown = 0, 0
	o.Faults = []string{"slow-accept", "waf-sni-block"}
	o.FaultFirings = []explain.FaultFiring{
		{Rule: "slow-accept", Action: "latency", Stage: "accept", Direction: "c2s", Draw: 0.104, Symptom: testSymSlow},
		{Rule: "waf-sni-block", Action: "reset", Stage: "client_hello", Direction: "both", Draw: 0.8137, Probability: 0.9, Symptom: testSymReset},
	}
	return o
}

// faultWrapOutcome: a PMTUD black hole stalled tlsgate's certificate
// flight; the handshake timed out, the normal diagnosis.
func faultWrapOutcome() *explain.Outcome {
	o := okOutcome()
	o.ID = 12
	o.ClientTLS = explain.Leg{Attempted: true, ServerFlightSent: true, AlertSent: -1, AlertRecv: -1,
		Err: "read tcp 10.1.10.100:443->10.1.10.50:61863: i/o timeout"}
	o.Backend = explain.Backend{TLS: explain.Leg{AlertSent: -1, AlertRecv: -1}}
	o.BytesUp, o.BytesDown = 0, 0
	o.Faults = []string{"pmtu"}
	o.FaultFirings = []explain.FaultFiring{
		{Rule: "pmtu", Action: "mtu", Stage: "server_flight", Direction: "s2c", Draw: 0.33, Symptom: testSymMTU},
	}
	return o
}

// TestFaultLines: one line of ours per firing, before the connection's
// BIG-IP group and explanation, all at the failure's severity (warning).
func TestFaultLines(t *testing.T) {
	lines := strings.Split(strings.TrimSuffix(encodeAll(t, "bigip"), "\n"), "\n")
	var conn11, conn12 []string
	for _, l := range lines {
		switch {
		case strings.Contains(l, "[conn 11 "):
			conn11 = append(conn11, l)
		case strings.Contains(l, "[conn 12 ") || strings.Contains(l, "-> 10.1.10.100:443") && strings.Contains(l, " tmm["):
			conn12 = append(conn12, l)
		}
	}
	prefix := "Feb  1 08:12:16 lab-bigip warning tlsgate[9244]: "
	want11 := []string{
		// No probability on slow-accept: its draw decided nothing, so
		// the line does not show it.
		prefix + "[conn 11 fault] rule slow-accept fired: latency at accept; the client should see: " + testSymSlow,
		prefix + "[conn 11 fault] rule waf-sni-block fired: reset at client_hello (draw 0.81); the client should see: " + testSymReset,
		prefix + "[conn 11 fault_injected] summary: injected by rule waf-sni-block: reset after ClientHello",
	}
	if len(conn11) < len(want11) {
		t.Fatalf("conn 11 lines: %q", conn11)
	}
	for i, w := range want11 {
		if conn11[i] != w {
			t.Errorf("conn 11 line %d\n got %q\nwant %q", i, conn11[i], w)
		}
	}
	// A stop by a device in the path has no BIG-IP line.
	for _, l := range conn11 {
		if strings.Contains(l, " tmm") {
			t.Errorf("BIG-IP line for a fault stop: %q", l)
		}
	}
	want12 := []string{
		prefix + "[conn 12 fault] rule pmtu fired: mtu at server_flight; the client should see: " + testSymMTU,
		"Feb  1 08:12:16 lab-bigip warning tmm[9244]: 01260013:4: SSL Handshake failed for TCP 10.1.10.50:61863 -> 10.1.10.100:443",
		prefix + "[conn 12 handshake_timeout] summary: TLS handshake with client 10.1.10.50:61863 timed out; injected by rule pmtu (mtu at server_flight)",
	}
	if len(conn12) < len(want12) {
		t.Fatalf("conn 12 lines: %q", conn12)
	}
	for i, w := range want12 {
		if conn12[i] != w {
			t.Errorf("conn 12 line %d\n got %q\nwant %q", i, conn12[i], w)
		}
	}
	if !strings.Contains(strings.Join(conn12, "\n"), "[conn 12 handshake_timeout] evidence fault: pmtu mtu at server_flight expect=timeout (PMTUD black hole)") {
		t.Errorf("conn 12 has no fault evidence line: %q", conn12)
	}
}

// TestJSONFaults: every firing as an object with the raw draw, the stop,
// and both keys present (empty) on connections no fault touched.
func TestJSONFaults(t *testing.T) {
	var conns []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(encodeAll(t, "json")), "\n") {
		var rec struct {
			Conn map[string]any `json:"conn"`
		}
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatal(err)
		}
		if rec.Conn != nil {
			conns = append(conns, rec.Conn)
		}
	}
	byID := map[float64]map[string]any{}
	for _, c := range conns {
		byID[c["id"].(float64)] = c
		if _, ok := c["fault_applied"]; !ok {
			t.Errorf("conn %v lacks fault_applied", c["id"])
		}
		if f, ok := c["faults"].([]any); !ok || f == nil {
			t.Errorf("conn %v: faults = %#v, want an array", c["id"], c["faults"])
		}
	}
	stop := byID[11]
	if stop["fault_applied"] != "reset" || stop["diagnosis"] != "fault_injected" || stop["route"] != "fault_reset" {
		t.Errorf("stop conn: %v", stop)
	}
	fs, _ := stop["faults"].([]any)
	if len(fs) != 2 {
		t.Fatalf("faults = %v", stop["faults"])
	}
	second, _ := fs[1].(map[string]any)
	want := map[string]any{"rule": "waf-sni-block", "action": "reset", "stage": "client_hello", "direction": "both",
		"draw": 0.8137, "probability": 0.9, "symptom": testSymReset}
	for k, v := range want {
		if second[k] != v {
			t.Errorf("faults[1].%s = %#v, want %#v", k, second[k], v)
		}
	}
	// A rule without a probability keeps its raw draw, for replaying, and
	// says it has no probability with 0 (a rule of probability 0 never
	// fires, so no firing has it).
	if first, _ := fs[0].(map[string]any); first["draw"] != 0.104 || first["probability"] != 0.0 {
		t.Errorf("faults[0] = %v, want draw 0.104 and probability 0", first)
	}
	if byID[12]["fault_applied"] != "" || byID[12]["diagnosis"] != "handshake_timeout" {
		t.Errorf("wrapper conn: %v", byID[12])
	}
}

// TestFiringsFromNames: a rule named without details still shows, once.
func TestFiringsFromNames(t *testing.T) {
	o := &explain.Outcome{ID: 3, Faults: []string{"a", "b"},
		FaultFirings: []explain.FaultFiring{{Rule: "a", Action: "reset", Stage: "accept", Draw: 0.5, Probability: 0.6}}}
	got := faultLines(o, explain.LangEN)
	want := []string{"[conn 3 fault] rule a fired: reset at accept (draw 0.50)", "[conn 3 fault] rule b fired"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("faultLines = %q, want %q", got, want)
	}
	if n := len(faultLines(&explain.Outcome{}, explain.LangEN)); n != 0 {
		t.Errorf("%d fault lines for a connection without faults", n)
	}
}

// TestFaultActed: a rule that acted elsewhere than its stage (an MTU rule
// of server_flight whose stall hit the response) says so in its line and
// in the event, which the live view orders its timeline by; one that
// acted at its own stage, or did not end the connection, says nothing
// more.
func TestFaultActed(t *testing.T) {
	o := &explain.Outcome{ID: 4, Faults: []string{"pmtu", "waf", "slow"},
		FaultFirings: []explain.FaultFiring{
			{Rule: "pmtu", Action: "mtu", Stage: "server_flight", Acted: "response", Symptom: "timeout (PMTUD black hole) after the handshake"},
			{Rule: "waf", Action: "reset", Stage: "request", Acted: "request"},
			{Rule: "slow", Action: "latency", Stage: "accept"},
		}}
	got := faultLines(o, explain.LangEN)
	want := []string{
		"[conn 4 fault] rule pmtu fired: mtu at server_flight, acted at response; the client should see: timeout (PMTUD black hole) after the handshake",
		"[conn 4 fault] rule waf fired: reset at request",
		"[conn 4 fault] rule slow fired: latency at accept",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("faultLines =\n%q\nwant\n%q", got, want)
	}
	if ja := faultLines(o, explain.LangJA); !strings.Contains(ja[0], "response 段階") {
		t.Errorf("Japanese line %q does not say where the rule acted", ja[0])
	}
	var objs []map[string]any
	for _, f := range o.FaultFirings {
		enc := zapcore.NewMapObjectEncoder()
		if err := faultObject(f).MarshalLogObject(enc); err != nil {
			t.Fatal(err)
		}
		objs = append(objs, enc.Fields)
	}
	if objs[0]["acted"] != "response" || objs[1]["acted"] != "request" {
		t.Errorf("acted = %v, %v; want response and request", objs[0]["acted"], objs[1]["acted"])
	}
	if got, ok := objs[2]["acted"]; !ok || got != "" {
		t.Errorf("a firing that ended nothing has acted = %v (present %v), want \"\"", got, ok)
	}
}

// TestFaultDateEdit: an http_date firing's event says what the rule did
// to the Date and what the origin sent; a firing that added one, where
// the origin sent none, has an empty origin_date, and other firings both
// keys empty.
func TestFaultDateEdit(t *testing.T) {
	tests := []struct {
		f            explain.FaultFiring
		edit, origin any
	}{
		{explain.FaultFiring{Rule: "d", Action: "http_date", DateEdit: "shifted", OriginDate: "Sat, 28 Nov 2026 08:00:00 GMT"}, "shifted", "Sat, 28 Nov 2026 08:00:00 GMT"},
		{explain.FaultFiring{Rule: "d", Action: "http_date", DateEdit: "replaced", OriginDate: "yesterday"}, "replaced", "yesterday"},
		{explain.FaultFiring{Rule: "d", Action: "http_date", DateEdit: "added"}, "added", ""},
		{explain.FaultFiring{Rule: "slow", Action: "latency"}, "", ""},
	}
	for _, tt := range tests {
		enc := zapcore.NewMapObjectEncoder()
		if err := faultObject(tt.f).MarshalLogObject(enc); err != nil {
			t.Fatal(err)
		}
		if enc.Fields["date_edit"] != tt.edit || enc.Fields["origin_date"] != tt.origin {
			t.Errorf("%+v: date_edit %v origin_date %v; want %v, %v", tt.f, enc.Fields["date_edit"], enc.Fields["origin_date"], tt.edit, tt.origin)
		}
	}
}
