package ui

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// pollEvery is how often a page condition is re-checked: a timer, not
// animation frames, which a browser may hold back for a tab in the background.
const pollEvery = 50 * time.Millisecond

// TestLiveView loads the admin server's page in headless Chromium and
// follows one lesson: a failing connection appears with its diagnosis, its
// details show the BIG-IP lines and the first bytes exactly as logged, a
// fault fires, is switched off from the page, and then no longer fires.
func TestLiveView(t *testing.T) {
	exe := needChromium(t)
	curl := needTool(t, "curl", "curl")
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("hello, class\n"))
	}))
	t.Cleanup(backend.Close)
	g := startGate(t, strings.TrimPrefix(backend.URL, "http://"))
	b := startBrowser(t, exe)

	// Without the token the page still loads, and says how to add it.
	b.otherTab(t, "open the page without the token",
		chromedp.Navigate("http://"+g.admin+"/"),
		chromedp.Poll[chromedp.Void](`(document.getElementById("banner").textContent || "").includes("/?token=")`,
			chromedp.WithPollingInterval(pollEvery), chromedp.WithPollingTimeout(waitLimit)))

	// The token travels in the page's address: EventSource cannot send headers.
	b.do(t, "load the page", chromedp.Navigate("http://"+g.admin+"/?token="+adminToken))
	b.do(t, "wait for the stream and the fault switch",
		chromedp.WaitVisible(chromedp.CSS(`#stream-state[data-state="live"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.fault[data-name="`+faultName+`"][data-enabled="true"]`)))
	if q := eval[string](t, b, "location.search"); q != "" {
		t.Errorf("the token stays in the address bar (%q): a projector would show it", q)
	}

	t.Run("page helpers", func(t *testing.T) { checkHelpers(t, b) })

	// 1. A classic mistake: plain HTTP to the TLS port.
	cmd := exec.Command(curl, "-sS", "--max-time", "10", "http://"+g.web+"/")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("curl http:// to the TLS port should fail, got err=%v:\n%s", err, out)
	}
	ev := g.event(t, "plaintext_on_tls", func(c connEvent) bool { return c.Diagnosis == "plaintext_on_tls" })
	row := fmt.Sprintf(`li.conn[data-id="%d"]`, ev.ID)
	b.do(t, "see the failing connection", chromedp.WaitVisible(chromedp.CSS(row+`[data-diagnosis="plaintext_on_tls"][data-class="fail"]`)))
	if got := b.text(t, row+" .diag"); got != "plaintext_on_tls" {
		t.Errorf("row diagnosis %q, want plaintext_on_tls", got)
	}

	// 2. Open it: BIG-IP lines exactly as logged, first bytes as a hex dump.
	b.do(t, "expand the row",
		chromedp.Click(chromedp.CSS(row+" .conn-head")),
		chromedp.WaitVisible(chromedp.CSS(row+" pre.bigip")),
		chromedp.WaitVisible(chromedp.CSS(row+" pre.hexdump")))
	if len(ev.BigIP) == 0 {
		t.Fatalf("the plaintext_on_tls event has no BIG-IP lines: %+v", ev)
	}
	if got, want := b.text(t, row+" pre.bigip"), strings.Join(ev.BigIP, "\n"); got != want {
		t.Errorf("BIG-IP lines on the page:\n%s\nwant, as logged:\n%s", got, want)
	}
	if got, want := b.text(t, row+" pre.hexdump"), wantHexdump(t, ev.FirstBytes); got != want {
		t.Errorf("hex dump on the page:\n%s\nwant:\n%s", got, want)
	}
	if !strings.Contains(b.text(t, row+" pre.hexdump"), "|GET / HTTP/1.1..|") {
		t.Errorf("the hex dump's ASCII column does not show the request line")
	}
	timeline := b.text(t, row+" .timeline")
	for _, step := range []string{"Plaintext HTTP", "GET / HTTP/1.1", "TCP reset (RST)"} {
		if !strings.Contains(timeline, step) {
			t.Errorf("timeline lacks %q:\n%s", step, timeline)
		}
	}
	if strings.Contains(timeline, "ClientHello") {
		t.Errorf("timeline shows a ClientHello the client never sent:\n%s", timeline)
	}

	// 3. The fault fires for its SNI and the row is purple.
	local, err := g.tlsGet(t, blockedSNI)
	if err == nil {
		t.Fatalf("a connection with SNI %s got through while %s was on", blockedSNI, faultName)
	}
	b.do(t, "see the faulted connection",
		chromedp.WaitVisible(chromedp.CSS(`li.conn[data-client="`+local+`"][data-class="fault"]`)),
		chromedp.Poll[chromedp.Void](`document.querySelector('.fault[data-name="`+faultName+`"] .fault-fires')?.textContent.startsWith("fired 1×")`,
			chromedp.WithPollingInterval(pollEvery), chromedp.WithPollingTimeout(waitLimit)))
	if st := g.fault(t, faultName); st.Fires != 1 {
		t.Fatalf("%s fired %d times, want 1", faultName, st.Fires)
	}
	faulted := `li.conn[data-client="` + local + `"]`
	b.do(t, "expand the faulted connection",
		chromedp.Click(chromedp.CSS(faulted+" .conn-head")),
		chromedp.WaitVisible(chromedp.CSS(faulted+" .fault-card")))
	if got := b.text(t, faulted+" .fault-card"); !strings.Contains(got, faultName) || !strings.Contains(got, "reset at client_hello") {
		t.Errorf("the faulted connection's fault card does not name the rule and its action:\n%s", got)
	}
	if got := b.text(t, faulted+" .timeline"); !strings.Contains(got, "Fault fired: "+faultName) || !strings.Contains(got, "TCP reset (RST)") {
		t.Errorf("the faulted connection's timeline lacks the firing or the reset:\n%s", got)
	}

	// 4. Switch it off from the page; the API confirms.
	b.do(t, "toggle the fault off",
		chromedp.Click(chromedp.CSS(`.fault[data-name="`+faultName+`"] .switch`)),
		chromedp.WaitVisible(chromedp.CSS(`.fault[data-name="`+faultName+`"][data-enabled="false"]`)))
	if st := g.fault(t, faultName); st.Enabled {
		t.Fatalf("GET /faults: %s is still enabled after the switch was turned off", faultName)
	}

	// 5. The same connection now goes through, and the rule did not fire.
	local, err = g.tlsGet(t, blockedSNI)
	if err != nil {
		t.Fatalf("with %s off, a connection with SNI %s failed: %v", faultName, blockedSNI, err)
	}
	okEv := g.event(t, "the connection after the switch", func(c connEvent) bool { return c.Client == local })
	if len(okEv.Faults) != 0 || !okEv.OK {
		t.Errorf("after the switch: ok=%v faults=%v, want ok and none", okEv.OK, okEv.Faults)
	}
	b.do(t, "see the connection go through", chromedp.WaitVisible(chromedp.CSS(`li.conn[data-client="`+local+`"][data-class="ok"]`)))
	if st := g.fault(t, faultName); st.Fires != 1 {
		t.Errorf("%s fired %d times after it was switched off, want still 1", faultName, st.Fires)
	}
	b.do(t, "expand the good connection",
		chromedp.Click(chromedp.CSS(`li.conn[data-client="`+local+`"] .conn-head`)),
		chromedp.WaitVisible(chromedp.CSS(`li.conn[data-client="`+local+`"] .timeline`)))
	good := b.text(t, `li.conn[data-client="`+local+`"] .timeline`)
	for _, step := range []string{"ClientHello", "SNI " + blockedSNI, "Handshake done", "GET /lesson", "200"} {
		if !strings.Contains(good, step) {
			t.Errorf("the good connection's timeline lacks %q:\n%s", step, good)
		}
	}

	// 6. The trainer's controls: show only the problems, then freeze the list.
	goodRow := `li.conn[data-client="` + local + `"]`
	b.do(t, "show problems only",
		chromedp.Click(chromedp.CSS("#problems-only")),
		chromedp.WaitNotVisible(chromedp.CSS(goodRow)),
		chromedp.WaitVisible(chromedp.CSS(row)))
	b.do(t, "show every connection again",
		chromedp.Click(chromedp.CSS("#problems-only")),
		chromedp.WaitVisible(chromedp.CSS(goodRow)))
	b.do(t, "pause", chromedp.Click(chromedp.CSS("#pause")))
	paused, err := g.tlsGet(t, "paused.test")
	if err != nil {
		t.Fatalf("connection while paused: %v", err)
	}
	b.do(t, "see the event held back",
		chromedp.Poll[chromedp.Void](`document.getElementById("pause").textContent === "Resume (1 new)"`, chromedp.WithPollingInterval(pollEvery), chromedp.WithPollingTimeout(waitLimit)))
	if shown := eval[bool](t, b, `document.querySelector('li.conn[data-client="`+paused+`"]') !== null`); shown {
		t.Errorf("a paused list showed the new connection %s", paused)
	}
	b.do(t, "resume", chromedp.Click(chromedp.CSS("#pause")), chromedp.WaitVisible(chromedp.CSS(`li.conn[data-client="`+paused+`"][data-class="ok"]`)))

	// 7. A refuse rule takes the listener down: no connection arrives to
	// show it, so the page shows the listener's own event, and the rule's
	// switch says it holds the listener down; removing it brings the
	// listener up, with an event of its own.
	if st, body := g.sendAPI("POST", "/faults", `{"name":"port-closed","listener":"`+webListener+`","action":"refuse"}`); st != http.StatusCreated {
		t.Fatalf("POST /faults port-closed: %d %s", st, body)
	}
	downRow := `li.conn[data-event="listener_down"][data-listener="` + webListener + `"][data-rule="port-closed"]`
	b.do(t, "see the listener go down",
		chromedp.WaitVisible(chromedp.CSS(downRow+`.cls-down`)),
		chromedp.WaitVisible(chromedp.CSS(`.fault[data-name="port-closed"][data-holding="`+webListener+`"] .fault-state.holding`)))
	if got := b.text(t, `.fault[data-name="port-closed"] .fault-state`); !strings.Contains(got, "holding "+webListener+" down") {
		t.Errorf("the refuse rule's switch says %q, want it holding %s down", got, webListener)
	}
	b.do(t, "expand the down event",
		chromedp.Click(chromedp.CSS(downRow+" .conn-head")),
		chromedp.WaitVisible(chromedp.CSS(downRow+" .lev-card")))
	card := b.text(t, downRow+" .lev-card")
	for _, w := range []string{g.web, "port-closed", "when every rule holding it is removed or disabled", "curl (7)", "tlsgate fault rm --admin http://" + g.admin} {
		if !strings.Contains(card, w) {
			t.Errorf("the down event's card lacks %q:\n%s", w, card)
		}
	}
	if st, body := g.tryAPI("DELETE", "/faults/port-closed"); st != http.StatusOK && st != http.StatusNoContent {
		t.Fatalf("DELETE /faults/port-closed: %d %s", st, body)
	}
	b.do(t, "see the listener come up",
		chromedp.WaitVisible(chromedp.CSS(`li.conn[data-event="listener_up"][data-listener="`+webListener+`"].cls-up`)))
	if got := b.text(t, "#counts"); strings.Contains(got, "NaN") {
		t.Errorf("the counts read %q after listener events", got)
	}

	b.screenshot(t, "live-view.png")
	if p := b.problems(); len(p) > 0 {
		t.Errorf("the page logged errors:\n%s", strings.Join(p, "\n"))
	}
	g.stop(t)
}

// wantHexdump is the dump the page must show for hexStr: offset, sixteen
// bytes in two groups of eight, and their printable ASCII.
func wantHexdump(t *testing.T, hexStr string) string {
	t.Helper()
	raw, err := hex.DecodeString(hexStr)
	if err != nil || len(raw) == 0 {
		t.Fatalf("event first_bytes %q is not hex: %v", hexStr, err)
	}
	var lines []string
	for off := 0; off < len(raw); off += 16 {
		var h, a strings.Builder
		for i := range 16 {
			if i == 8 {
				h.WriteByte(' ')
			}
			if off+i >= len(raw) {
				h.WriteString("   ")
				continue
			}
			c := raw[off+i]
			fmt.Fprintf(&h, "%02x ", c)
			if c >= 0x20 && c < 0x7f {
				a.WriteByte(c)
			} else {
				a.WriteByte('.')
			}
		}
		lines = append(lines, fmt.Sprintf("%04x  %s |%s|", off, h.String(), a.String()))
	}
	return strings.Join(lines, "\n")
}

// checkHelpers runs the page's own pure functions on hand-made events.
func checkHelpers(t *testing.T, b *browser) {
	tests := []struct {
		name, expr, want string
	}{
		{"ok is green", `tlsgateView.classify({ok: true, warnings: [], faults: []})`, "ok"},
		{"warnings are amber", `tlsgateView.classify({ok: true, warnings: ["verify off"], faults: []})`, "warn"},
		{"failure is red", `tlsgateView.classify({ok: false, warnings: [], faults: []})`, "fail"},
		{"a fired fault wins", `tlsgateView.classify({ok: true, warnings: [], faults: ["waf"]})`, "fault"},
		{"a firing object too", `tlsgateView.classify({ok: false, warnings: [], faults: [{rule: "waf", action: "reset"}]})`, "fault"},
		{"fault timeline", `tlsgateView.timeline({kind: "tls", sni: "b.test", route: "fault_reset", client_tls: {alert_sent: -1, alert_recv: -1},
			backend: {tls: {}}, faults: [{rule: "waf", action: "reset", stage: "client_hello", draw: 0.5, probability: 0.6}]}).map(s => s.label + (s.lane === "t" ? " [" + s.detail + "]" : "")).join(" | ")`,
			"TCP connect | ClientHello | Fault fired: waf [reset at client_hello · draw 0.50] | TCP reset (RST) | Closed [↑ 0 B from client · ↓ 0 B to client]"},
		// Without a probability the draw decided nothing: it is not shown.
		{"fault timeline, no probability", `tlsgateView.timeline({kind: "tls", sni: "b.test", route: "fault_reset", client_tls: {alert_sent: -1, alert_recv: -1},
			backend: {tls: {}}, faults: [{rule: "waf", action: "reset", stage: "client_hello", draw: 0.5}]}).map(s => s.label + (s.lane === "t" ? " [" + s.detail + "]" : "")).join(" | ")`,
			"TCP connect | ClientHello | Fault fired: waf [reset at client_hello] | TCP reset (RST) | Closed [↑ 0 B from client · ↓ 0 B to client]"},
		// A fault goes where it acted, not where it was armed: a reset at
		// the response comes after the handshake and the request, and the
		// reset it sent after the note that explains it.
		{"fault after the handshake", `tlsgateView.timeline({kind: "tls", sni: "b.test", mode: "terminate", route: "fault_reset",
			client_tls: {attempted: true, done: true, alert_sent: -1, alert_recv: -1},
			backend: {addr: "127.0.0.1:8080", remote: "127.0.0.1:8080", tls: {}},
			http: [{method: "GET", target: "/", host: "b.test", proto: "HTTP/1.1"}],
			faults: [{rule: "rst-resp", action: "reset", stage: "response", acted: "response"}]}).map(s => s.label).join(" | ")`,
			"TCP connect | ClientHello | ServerHello, certificate | Handshake done | TCP connect | GET / | GET / | No response seen | " +
				"Fault fired: rst-resp | TCP reset (RST) | Closed"},
		// The backend's 200 that the reset kept from the client is drawn
		// from the backend, never as reaching the client.
		{"response not delivered", `tlsgateView.timeline({kind: "tls", sni: "b.test", mode: "terminate", route: "fault_reset",
			client_tls: {attempted: true, done: true, alert_sent: -1, alert_recv: -1},
			backend: {addr: "127.0.0.1:8080", remote: "127.0.0.1:8080", tls: {}},
			http: [{method: "GET", target: "/", host: "b.test", proto: "HTTP/1.1", status: 200, resp_bytes: 124, undelivered: true}],
			faults: [{rule: "rst-resp", action: "reset", stage: "response", acted: "response"}]}).map(s => s.lane + ":" + s.label).join(" | ")`,
			"ct:TCP connect | ct:ClientHello | ct:ServerHello, certificate | ct:Handshake done | tb:TCP connect | ct:GET / | tb:GET / | tb:200 | " +
				"t:Not delivered | t:Fault fired: rst-resp | ct:TCP reset (RST) | t:Closed"},
		// An MTU rule armed at server_flight that stalled the response acted
		// after the handshake; a rule that ended nothing stays "during".
		{"mtu acted after the handshake", `tlsgateView.timeline({kind: "tls", sni: "b.test", mode: "terminate", route: "fault_mtu",
			client_tls: {attempted: true, done: true, alert_sent: -1, alert_recv: -1},
			backend: {addr: "127.0.0.1:8080", remote: "127.0.0.1:8080", tls: {}},
			faults: [{rule: "slow", action: "latency", stage: "accept"}, {rule: "pmtu", action: "mtu", stage: "server_flight", acted: "response"}]}).map(s => s.label + (s.lane === "t" ? " [" + s.detail + "]" : "")).join(" | ")`,
			"TCP connect | ClientHello | ServerHello, certificate | Handshake done | TCP connect | Fault fired: pmtu [mtu at server_flight] | " +
				"Fault fired: slow [latency at accept] | Closed [↑ 0 B from client · ↓ 0 B to client]"},
		// Plaintext: the request, its relay, then the reset at the response.
		{"plaintext fault at the response", `tlsgateView.timeline({kind: "http", first_bytes: "474554202f20", mode: "plaintext", route: "fault_reset",
			client_tls: {alert_sent: -1, alert_recv: -1}, backend: {addr: "127.0.0.1:8080", remote: "127.0.0.1:8080", tls: {}},
			faults: [{rule: "rst-resp", action: "reset", stage: "response", acted: "response"}]}).map(s => s.label).join(" | ")`,
			"TCP connect | Plaintext HTTP | TCP connect | Fault fired: rst-resp | TCP reset (RST) | Closed"},
		{"fault at accept", `tlsgateView.timeline({kind: "empty", route: "fault_reset", client_tls: {alert_sent: -1, alert_recv: -1},
			backend: {tls: {}}, faults: [{rule: "conn-limit", action: "reset", stage: "accept", acted: "accept"}]}).map(s => s.label).join(" | ")`,
			"TCP connect | Fault fired: conn-limit | Client sent nothing | TCP reset (RST) | Closed"},
		{"alert name", `tlsgateView.alertName(48)`, "48 unknown_ca"},
		{"listener down, held until removed", `tlsgateView.listenerView({event: "listener_down", holding: [{rule: "a"}]}).ends`,
			"when every rule holding it is removed or disabled"},
		{"listener up has no end", `tlsgateView.listenerView({event: "listener_up", holding: []}).cls + "|" + tlsgateView.listenerView({event: "listener_up"}).ends`, "up|"},
		{"refuse rule holding", `tlsgateView.faultState({enabled: true, holding_down: ["web", "api"]})`, "⏻ holding web, api down: new connections refused"},
		{"refuse rule ended", `tlsgateView.faultState({enabled: true, schedule: "ended"})`, "ended: its duration ran out"},
		{"disabled rule has no state", `tlsgateView.faultState({enabled: false, holding_down: ["web"]})`, ""},
		{"short dump", `tlsgateView.hexdump("16030100")`, "0000  16 03 01 00" + strings.Repeat(" ", 3*12+1+1) + " |....|"},
		{"no bytes", `tlsgateView.hexdump("")`, ""},
		{"odd hex is cut", `tlsgateView.hexdump("414")`, "0000  41" + strings.Repeat(" ", 1+3*15+1) + " |A|"},
		// Honesty: a TLS hello rejected by an alert shows no certificate flight.
		{"alert without flight", `tlsgateView.timeline({kind: "tls", ja4: "t13", sni: "a.test", route: "terminate",
			client_tls: {attempted: true, done: false, alert_sent: 70, alert_recv: -1, server_flight_sent: false, err: "protocol version"},
			backend: {tls: {}}, http: []}).map(s => s.label).join(" | ")`,
			"TCP connect | ClientHello | Alert 70 protocol_version | Client handshake failed | Closed"},
		// An inspecting listener verifies the real server before it answers the client.
		{"inspect order", `tlsgateView.timeline({kind: "tls", ja4: "t13", mode: "inspect", route: "inspect",
			client_tls: {attempted: true, done: true, alert_sent: -1, alert_recv: -1},
			backend: {addr: "real.test:443", remote: "192.0.2.1:443", tls: {attempted: true, done: true, alert_sent: -1, alert_recv: -1}},
			http: []}).map(s => s.lane + ":" + s.label).join(" | ")`,
			"ct:TCP connect | ct:ClientHello | tb:TCP connect | tb:ClientHello | tb:ServerHello, certificate | tb:Handshake done | " +
				"ct:ServerHello, certificate | ct:Handshake done | t:Closed"},
		{"silent client", `tlsgateView.timeline({kind: "empty", route: "closed", client_tls: {alert_sent: -1, alert_recv: -1},
			backend: {tls: {}}}).map(s => s.label).join(" | ")`, "TCP connect | Client sent nothing | Closed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := eval[string](t, b, tt.expr); got != tt.want {
				t.Errorf("%s\n got %q\nwant %q", tt.expr, got, tt.want)
			}
		})
	}
}
