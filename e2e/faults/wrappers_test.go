package faultse2e

import (
	"bufio"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// bigPath is a response of many TLS records and many TCP segments.
const bigPath = "/size/200000"

// TestWrappers covers the faults that wrap the connection's bytes. Those
// that do not fail a client (latency, bandwidth, slicer, fragment,
// slow_close, first_byte_delay, mtu with recovery) must deliver the exact
// body, and where a delay is the point, a client deadline shorter than the
// delay shows it happened at all. Those that cut the response (reset,
// close, truncate, limit_data at stage response; mtu without recovery;
// idle_timeout) must show the class of error the catalog gives.
func TestWrappers(t *testing.T) {
	t.Parallel()
	runCases(t, []faultCase{
		// Keep-alive clients, and clients whose backend closes right after
		// the response (Connection: close): the queued response must still
		// arrive after crypto/tls's close_notify sets its write deadline.
		{name: "latency", symptom: "slow, no error", rule: "action = \"latency\"\nlatency = \"20ms\"\njitter = \"10ms\"\n", checks: []check{
			curlGets(bigPath), goKeepAliveGets(bigPath), curlGets("/hello", "--http1.1"),
		}},
		{name: "latency_connection_close", rule: "action = \"latency\"\nlatency = \"20ms\"\n", checks: []check{
			goGets("/hello"), pyGets("/hello"),
		}},
		// A second of latency: a 200 ms handshake deadline cannot be met.
		{name: "latency_slow", symptom: "slow, no error", rule: "action = \"latency\"\nlatency = \"1s\"\n", checks: []check{
			goMissesDeadline(200 * time.Millisecond), curlGets("/hello"),
		}},
		{name: "bandwidth", symptom: "slow, no error", rule: "action = \"bandwidth\"\nrate = 400\n", checks: []check{
			curlGets(bigPath), goGets("/size/100000"),
		}},
		// 1 KB/s: the server flight alone takes most of a second.
		{name: "bandwidth_slow", symptom: "slow, no error", rule: "action = \"bandwidth\"\nrate = 1\n", checks: []check{
			goMissesDeadline(200 * time.Millisecond),
		}},
		{name: "slicer", symptom: "no error expected", rule: "action = \"slicer\"\naverage_size = 500\nsize_variation = 250\ndelay = \"1ms\"\n", checks: []check{
			curlGets("/size/100000"), goGets("/size/100000"), pyGets("/size/30000"),
		}},
		{name: "slicer_c2s", symptom: "no error expected", rule: "action = \"slicer\"\ndirection = \"c2s\"\naverage_size = 3\nsize_variation = 2\n", checks: []check{
			curlGets(bigPath), goGets(bigPath),
		}},
		// TLS-record fragmentation of the plaintext handshake (the
		// ServerHello in 16-byte records) and 7-byte segments.
		{name: "fragment", symptom: "no error expected", rule: "action = \"fragment\"\nrecord_size = 16\naverage_size = 7\n", checks: []check{
			goFragmented(16, "/size/20000"), curlGets("/size/20000"), pyGets("/size/20000"),
		}},
		{name: "fragment_pass", symptom: "no error expected", pass: true, rule: "action = \"fragment\"\nrecord_size = 32\n", checks: []check{
			goFragmented(32, bigPath), curlGets(bigPath),
		}},
		{name: "first_byte_delay", symptom: "slow, no error", rule: "action = \"first_byte_delay\"\ndelay = \"3s\"\n", checks: []check{
			goMissesDeadline(300 * time.Millisecond),
			curlFailsArgs([]string{"--max-time", "1"}, 28, curlHold...),
			pyFails(pyHold...),
			goGets("/hello"), curlGets("/hello"),
		}},
		{name: "slow_close", symptom: "slow, no error", rule: "action = \"slow_close\"\ndelay = \"5s\"\n", checks: []check{
			goSlowClose(), curlGets("/hello"),
		}},
		// A path MTU of 1400: curl's handshake and a small response fit,
		// the first full-size burst of a large one stalls. Go's default
		// handshake stalls already: the ServerHello answering its
		// X25519MLKEM768 share carries a 1,088-byte ciphertext, so the
		// server flight needs a full-size segment; without the
		// post-quantum group it fits.
		// A stall after the handshake ended the connection as surely as a
		// reset: the log names the rule (not ok), and the bytes down are
		// what reached curl, not the 200 kB the relay wrote. Where
		// everything fit, nothing stalled and the rule did not fire.
		{name: "mtu", symptom: "timeout", rule: "action = \"mtu\"\n", checks: []check{
			quiet(curlGets("/size/100")), withEvent(curlFailsPath(bigPath, nil, 28, curlHold...), cutStop("mtu", "pmtud black hole", 100000)),
			goFails("timeout", nil),
			quiet(goGetsWith("/size/100", classicCurves)), goGetFailsWith(bigPath, "timeout", classicCurves),
		}},
		{name: "mtu_recover", symptom: "timeout", rule: "action = \"mtu\"\nrecover_after = \"300ms\"\n", checks: []check{
			curlGets(bigPath), goGets(bigPath),
		}},
		{name: "reset_response", symptom: "connection reset", rule: "action = \"reset\"\nstage = \"response\"\n", stop: "reset", checks: []check{
			curlFails(56, curlReset...), goGetFails("/hello", "reset"),
		}},
		{name: "close_response", symptom: "connection closed (EOF)", rule: "action = \"close\"\nstage = \"response\"\n", stop: "close", checks: []check{
			curlFails(52, "Empty reply from server"), goGetFails("/hello", "EOF"),
		}},
		// Cuts after the handshake: the log names the rule as what ended
		// the connection, with the symptom the client really shows.
		{name: "truncate_response", symptom: "truncated", rule: "action = \"truncate\"\nstage = \"response\"\nbytes = 1000\nthen = \"fin\"\n", stop: "truncate",
			event: sawClient("curl (18) transfer closed"), checks: []check{
				withEvent(curlFailsPath(bigPath, nil, 18, "transfer closed with"), downAtMost(1000)), goGetFails(bigPath, "eof"),
			}},
		{name: "limit_data_response", symptom: "truncated", rule: "action = \"limit_data\"\nstage = \"response\"\nbytes = 1000\n", stop: "limit_data",
			event: sawClient("curl (18) transfer closed"), checks: []check{
				withEvent(curlFailsPath(bigPath, nil, 18, "transfer closed with"), downAtMost(1000)), goGetFails(bigPath, "eof"),
			}},
		{name: "timeout_response", symptom: "timeout", rule: "action = \"timeout\"\nstage = \"response\"\ntimeout = \"300ms\"\n", stop: "timeout",
			event: sawClient("curl (52) Empty reply from server"), checks: []check{
				curlFails(52, "Empty reply from server"), goGetFails("/hello", "EOF"),
			}},
		{name: "idle_timeout", symptom: "connection reset", rule: "action = \"idle_timeout\"\ntimeout = \"300ms\"\n", stop: "idle_timeout", checks: []check{
			goIdle("reset"),
		}},
		{name: "idle_timeout_fin", symptom: "connection closed (EOF)", rule: "action = \"idle_timeout\"\ntimeout = \"300ms\"\nthen = \"fin\"\n", stop: "idle_timeout", checks: []check{
			goIdle("eof"),
		}},
	})
}

// cutStop checks the event of a connection a byte wrapper cut after the
// handshake: recorded as the stop it was (route fault_<action>), diagnosed
// as the fault with the variant's words, not ok, and the bytes down below
// what the server sent.
func cutStop(action, phrase string, maxDown int64) func(*testing.T, *connEvent) {
	return func(t *testing.T, e *connEvent) {
		t.Helper()
		if e.Route != "fault_"+action || e.FaultApplied != action || e.Diagnosis != "fault_injected" || e.OK {
			t.Errorf("route %q fault_applied %q diagnosis %q ok %v; want the %s rule recorded as the stop: %s",
				e.Route, e.FaultApplied, e.Diagnosis, e.OK, action, e)
		}
		if !strings.Contains(strings.ToLower(e.Summary+e.Cause), phrase) {
			t.Errorf("diagnosis does not say %q: %s", phrase, e)
		}
		if e.BytesDown > maxDown {
			t.Errorf("bytes_down %d, want at most %d: what reached the client, not what the relay wrote: %s", e.BytesDown, maxDown, e)
		}
	}
}

// downAtMost checks the event's bytes down.
func downAtMost(n int64) func(*testing.T, *connEvent) {
	return func(t *testing.T, e *connEvent) {
		t.Helper()
		if e.BytesDown > n {
			t.Errorf("bytes_down %d, want at most %d: %s", e.BytesDown, n, e)
		}
	}
}

// sawClient checks the diagnosis' client hint names what the client
// really printed.
func sawClient(text string) func(*testing.T, *connEvent) {
	return func(t *testing.T, e *connEvent) {
		t.Helper()
		if !strings.Contains(e.ClientSaw, text) {
			t.Errorf("client saw %q, want it to name %q: %s", e.ClientSaw, text, e)
		}
	}
}

// classicCurves offers no post-quantum key share, so Go's ClientHello and
// the server's answer stay small.
func classicCurves(c *tls.Config) { c.CurvePreferences = []tls.CurveID{tls.X25519, tls.CurveP256} }

// goKeepAliveGets fetches path over a raw Go TLS connection with
// keep-alive and reads exactly the response, before anyone closes.
func goKeepAliveGets(path string) check {
	return check{run: func(t *testing.T, x *env) string {
		tc, local, err := goDial(t, x.addr(), x.config(labHost), clientTimeout)
		if err != nil {
			t.Fatalf("Go handshake: %v", err)
		}
		defer tc.Close()
		_ = tc.SetDeadline(time.Now().Add(clientTimeout))
		if _, err := io.WriteString(tc, httpGet(labHost, path, true)); err != nil {
			t.Fatalf("request: %v", err)
		}
		_, body, err := readResponse(bufio.NewReader(tc))
		if err != nil {
			t.Fatalf("response: %v", err)
		}
		wantBody(t, "Go", body, path)
		return local
	}}
}

// goMissesDeadline expects a Go handshake with a deadline shorter than the
// injected delay to time out: the delay happened, with no timing asserted
// beyond that.
func goMissesDeadline(deadline time.Duration) check {
	return check{run: func(t *testing.T, x *env) string {
		c, local, err := goDial(t, x.addr(), x.config(labHost), deadline)
		if c != nil {
			c.Close()
		}
		wantGo(t, err, "timeout")
		return local
	}}
}

// recordingConn keeps a copy of the first bytes read from the server.
type recordingConn struct {
	net.Conn
	mu  sync.Mutex
	got []byte
}

func (r *recordingConn) Read(p []byte) (int, error) {
	n, err := r.Conn.Read(p)
	r.mu.Lock()
	if len(r.got) < 4096 {
		r.got = append(r.got, p[:n]...)
	}
	r.mu.Unlock()
	return n, err
}

// goFragmented fetches path over a raw Go TLS connection that records what
// the server sent, and expects the leading handshake records to carry at
// most size bytes each (the ServerHello re-framed), and the body intact.
func goFragmented(size int, path string) check {
	return check{run: func(t *testing.T, x *env) string {
		raw, err := net.DialTimeout("tcp", x.addr(), 5*time.Second)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		defer raw.Close()
		_ = raw.SetDeadline(time.Now().Add(clientTimeout))
		rec := &recordingConn{Conn: raw}
		tc := tls.Client(rec, x.config(labHost))
		if _, err := io.WriteString(tc, httpGet(labHost, path, false)); err != nil {
			t.Fatalf("request: %v", err)
		}
		_, body, err := readResponse(bufio.NewReader(tc))
		if err != nil {
			t.Fatalf("response: %v", err)
		}
		wantBody(t, "Go", body, path)
		rec.mu.Lock()
		got := rec.got
		rec.mu.Unlock()
		// The ServerHello (type 2) is over 90 bytes, so re-framing at size
		// gives several leading handshake records, each no longer than size.
		n := 0
		for len(got) >= 5 && got[0] == 22 {
			l := int(got[3])<<8 | int(got[4])
			if l > size {
				t.Errorf("handshake record %d carries %d bytes, want at most %d", n+1, l, size)
				break
			}
			n++
			got = got[min(5+l, len(got)):]
		}
		if n < 2 {
			t.Errorf("%d leading handshake records of at most %d bytes, want the ServerHello split over several", n, size)
		}
		return raw.LocalAddr().String()
	}}
}

// goSlowClose fetches a response over a raw Go TLS connection, then ends
// its own side (close_notify and FIN), so tlsgate closes too. The FIN
// toward the client is what slow_close holds back: a read far shorter
// than the delay must time out, and a later one must see it.
func goSlowClose() check {
	return check{run: func(t *testing.T, x *env) string {
		raw, err := net.DialTimeout("tcp", x.addr(), 5*time.Second)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		defer raw.Close()
		_ = raw.SetDeadline(time.Now().Add(clientTimeout))
		tc := tls.Client(raw, x.config(labHost))
		if _, err := io.WriteString(tc, httpGet(labHost, "/hello", true)); err != nil {
			t.Fatalf("request: %v", err)
		}
		_, body, err := readResponse(bufio.NewReader(tc))
		if err != nil {
			t.Fatalf("response: %v", err)
		}
		wantBody(t, "Go", body, "/hello")
		if err := tc.CloseWrite(); err != nil {
			t.Fatalf("close_notify: %v", err)
		}
		if err := raw.(*net.TCPConn).CloseWrite(); err != nil {
			t.Fatalf("half-close: %v", err)
		}
		// tlsgate answers the close with its own close_notify at once;
		// read past it on the socket.
		buf := make([]byte, 4096)
		_ = raw.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		var readErr error
		for readErr == nil {
			_, readErr = raw.Read(buf)
		}
		if !errors.Is(readErr, os.ErrDeadlineExceeded) {
			t.Errorf("socket read right after both close_notifys: %v; want the FIN held back (a timeout)", readErr)
		}
		_ = raw.SetReadDeadline(time.Now().Add(clientTimeout))
		readErr = nil
		for readErr == nil {
			_, readErr = raw.Read(buf)
		}
		if !errors.Is(readErr, io.EOF) {
			t.Errorf("socket read later: %v; want the delayed FIN (EOF)", readErr)
		}
		return raw.LocalAddr().String()
	}}
}

// goIdle sends a keep-alive request, stays quiet past the idle timeout,
// then sends another: the first succeeds, the second meets the expired
// state (class: "reset" or "eof").
func goIdle(class string) check {
	return check{run: func(t *testing.T, x *env) string {
		raw, err := net.DialTimeout("tcp", x.addr(), 5*time.Second)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		defer raw.Close()
		_ = raw.SetDeadline(time.Now().Add(clientTimeout))
		tc := tls.Client(raw, x.config(labHost))
		br := bufio.NewReader(tc)
		if _, err := io.WriteString(tc, httpGet(labHost, "/hello", true)); err != nil {
			t.Fatalf("first request: %v", err)
		}
		_, body, err := readResponse(br)
		if err != nil {
			t.Fatalf("first response: %v", err)
		}
		wantBody(t, "Go", body, "/hello")
		// The quiet period is the fault's trigger, so this wait is the
		// test's input, not a stand-in for a sync: three idle timeouts.
		time.Sleep(900 * time.Millisecond)
		_, err = io.WriteString(tc, httpGet(labHost, "/hello", true))
		if err == nil {
			_, _, err = readResponse(br)
		}
		wantGo(t, err, class)
		return raw.LocalAddr().String()
	}}
}
