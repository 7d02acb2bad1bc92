package bigiplog

import (
	"crypto/tls"
	"encoding/json"
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zapcore"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/sniff"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

var testOptions = Options{Host: "lab-bigip", PID: 9244, TMMs: 2}

func plaintextOutcome() *explain.Outcome {
	return &explain.Outcome{
		ID: 43, Listener: "web", Mode: "terminate", NonSSL: "reset", Route: "non_ssl_reset",
		Client:  netip.MustParseAddrPort("192.168.99.86:32963"),
		Virtual: netip.MustParseAddrPort("192.168.20.230:443"),
		Kind:    sniff.HTTP1, FirstBytes: []byte("GET / HTTP/1.1\r\nHost: lab.test\r\n\r\n"),
		HTTP:      &sniff.HTTPRequest{Method: "GET", Target: "/", Proto: "HTTP/1.1", Host: "lab.test"},
		ClientTLS: explain.Leg{AlertSent: -1, AlertRecv: -1},
		Backend:   explain.Backend{TLS: explain.Leg{AlertSent: -1, AlertRecv: -1}},
		Duration:  3 * time.Millisecond,
	}
}

func okOutcome() *explain.Outcome {
	return &explain.Outcome{
		ID: 7, Listener: "web", Mode: "terminate", Route: "terminate",
		Client:  netip.MustParseAddrPort("10.1.10.50:61863"),
		Virtual: netip.MustParseAddrPort("10.1.10.100:443"),
		Kind:    sniff.TLSHandshake, FirstBytes: []byte{0x16, 0x03, 0x01, 0x06, 0x80},
		Hello: &sniff.ClientHello{RecordVersion: 0x0301, LegacyVersion: 0x0303,
			SupportedVersions: []uint16{0x1a1a, 0x0304, 0x0303},
			CipherSuites:      []uint16{0x1a1a, tls.TLS_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256},
			ServerName:        "lab.test", ALPN: []string{"h2", "http/1.1"}},
		JA3: "cd08e31494f9531f560d64c695473da9", JA4: "t13d1516h2_8daaf6152771_02713d6af862",
		ClientTLS: explain.Leg{Attempted: true, Done: true, Version: tls.VersionTLS13,
			CipherSuite: tls.TLS_AES_128_GCM_SHA256, ALPN: "h2", ServerName: "lab.test", AlertSent: -1, AlertRecv: -1},
		Backend: explain.Backend{Addr: "10.1.20.5:8080", Attempted: true,
			Local:  netip.MustParseAddrPort("10.1.20.1:40000"),
			Remote: netip.MustParseAddrPort("10.1.20.5:8080"),
			TLS:    explain.Leg{AlertSent: -1, AlertRecv: -1}},
		BytesUp: 517, BytesDown: 8192, Duration: 42 * time.Millisecond,
		// The client ended first (its FIN, then the backend's).
		FirstFIN: explain.SideClient, FirstFINAfter: 40 * time.Millisecond,
	}
}

func backendVerifyOutcome() *explain.Outcome {
	o := okOutcome()
	o.ID = 8
	o.BytesUp, o.BytesDown = 0, 0
	o.Backend.TLS = explain.Leg{Attempted: true, AlertSent: 42, AlertRecv: -1,
		Local: netip.MustParseAddrPort("10.1.20.1:40001"), Remote: netip.MustParseAddrPort("10.1.20.5:8443"),
		Err:    "tls: failed to verify certificate: x509: certificate signed by unknown authority",
		Verify: "x509: certificate signed by unknown authority"}
	o.Backend.Addr = "10.1.20.5:8443"
	return o
}

// inspectOutcome is a transparently intercepted connection that worked
// but is weaker than it looks: verification off and TLS 1.2 upstream.
func inspectOutcome() *explain.Outcome {
	o := okOutcome()
	o.ID, o.Mode, o.Route, o.Listener = 9, "inspect", "inspect", "mitm"
	o.Virtual = netip.MustParseAddrPort("10.1.10.1:8443")
	o.Transparent, o.OrigDst, o.Mimicked = "redirect", netip.MustParseAddrPort("93.184.216.34:443"), true
	o.ClientTLS.ALPN, o.ClientTLS.Group = "http/1.1", "X25519MLKEM768"
	o.Backend = explain.Backend{Addr: "93.184.216.34:443", Attempted: true,
		Local: netip.MustParseAddrPort("10.1.20.1:40002"), Remote: netip.MustParseAddrPort("93.184.216.34:443"),
		TLS: explain.Leg{Attempted: true, Done: true, Version: tls.VersionTLS12, CipherSuite: tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
			ALPN: "http/1.1", ServerName: "lab.test", Group: "X25519", VerifySkipped: true, AlertSent: -1, AlertRecv: -1,
			Local: netip.MustParseAddrPort("10.1.20.1:40002"), Remote: netip.MustParseAddrPort("93.184.216.34:443"),
			PeerCert: []string{`subject="CN=lab.test" issuer="CN=Lab Issuing CA" not_after=2026-06-01T00:00:00Z`}}}
	o.HTTP1 = []explain.HTTPExchange{
		{Method: "GET", Target: "/", Host: "lab.test", Proto: "HTTP/1.1", Status: 200, RespBytes: 1234},
		{Method: "POST", Target: "/login", Host: "lab.test", Proto: "HTTP/1.1", Status: 302, ReqBytes: 48},
	}
	o.HTTPDropped = 1
	return o
}

// silentOutcome: a pinned app hung up on the lab certificate, the third
// time in a row.
func silentOutcome() *explain.Outcome {
	o := inspectOutcome()
	o.ID, o.Mimicked, o.HTTP1, o.HTTPDropped = 10, false, nil, 0
	o.BytesUp, o.BytesDown = 0, 0
	o.ClientTLS = explain.Leg{Attempted: true, Err: "EOF", ServerFlightSent: true, AlertSent: -1, AlertRecv: -1}
	o.FailStreak = 3
	return o
}

type goldenEntry struct {
	ent    zapcore.Entry
	fields []zapcore.Field
}

// goldenEntries: three connections (a three-line group on tmm, a two-line
// group on tmm1, a success with its session line), a server-side failure
// passed by pointer with a precomputed diagnosis, an inspected success with
// warnings and HTTP, a silent rejection, a connection a fault rule reset,
// one a fault stalled into a timeout, and two plain messages.
func goldenEntries() []goldenEntry {
	at := func(sec int) time.Time { return testTime.Add(time.Duration(sec) * time.Second) }
	bv := backendVerifyOutcome()
	bvd := explain.Diagnose(bv)
	// conn logs ev at the level the listener gives it (Level of its
	// diagnosis), so every format shows the same level for a connection.
	conn := func(sec int, ev Event, f zapcore.Field) goldenEntry {
		d := explain.Diagnose(ev.Outcome)
		if ev.Diagnosis != nil {
			d = *ev.Diagnosis
		}
		return goldenEntry{zapcore.Entry{Level: Level(d), Time: at(sec), Message: "conn"}, []zapcore.Field{f}}
	}
	field := func(ev Event) zapcore.Field { return Field(ev) }
	no := Event{Outcome: noCipherOutcome("192.168.99.86:32962", "192.168.20.230:636")}
	pt := Event{Outcome: plaintextOutcome()}
	ok := Event{Outcome: okOutcome()}
	bvEv := Event{Outcome: bv, Diagnosis: &bvd}
	insp := Event{Outcome: inspectOutcome()}
	sil := Event{Outcome: silentOutcome()}
	fstop := Event{Outcome: faultStopOutcome()}
	fwrap := Event{Outcome: faultWrapOutcome()}
	return []goldenEntry{
		{zapcore.Entry{Level: zapcore.InfoLevel, Time: at(-1), Message: "listening"},
			[]zapcore.Field{{Key: "listener", Type: zapcore.StringType, String: "web"},
				{Key: "addr", Type: zapcore.StringType, String: "192.168.20.230:443"},
				{Key: "mode", Type: zapcore.StringType, String: "terminate"}}},
		conn(0, no, field(no)),
		conn(0, pt, field(pt)),
		conn(1, ok, field(ok)),
		conn(2, bvEv, zapcore.Field{Key: EventKey, Type: zapcore.ObjectMarshalerType, Interface: &bvEv}),
		conn(2, insp, field(insp)),
		conn(2, sil, field(sil)),
		conn(2, fstop, field(fstop)),
		conn(2, fwrap, field(fwrap)),
		{zapcore.Entry{Level: zapcore.WarnLevel, Time: at(3), Message: "max connections reached; refusing"},
			[]zapcore.Field{{Key: "refused", Type: zapcore.Int64Type, Integer: 17}}},
	}
}

func encodeAll(t *testing.T, format string) string {
	t.Helper()
	o := testOptions
	o.Format = format
	enc, err := NewEncoder(o)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for _, ge := range goldenEntries() {
		buf, err := enc.EncodeEntry(ge.ent, ge.fields)
		if err != nil {
			t.Fatal(err)
		}
		out.Write(buf.Bytes())
		buf.Free()
	}
	return out.String()
}

func TestEncoderGolden(t *testing.T) {
	for _, format := range []string{"bigip", "json", "console"} {
		t.Run(format, func(t *testing.T) {
			got := encodeAll(t, format)
			path := filepath.Join("testdata", format+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if got != string(want) {
				t.Errorf("%s mismatch:\n--- got\n%s\n--- want\n%s", path, got, want)
			}
		})
	}
}

// TestBigIPEncoderGroup checks the rules of bigip-log.md §6 on the output:
// one group per connection, same second, same tmm, one PID, reason first,
// summary last, and our lines carrying no BIG-IP ID.
func TestBigIPEncoderGroup(t *testing.T) {
	lines := strings.Split(strings.TrimSuffix(encodeAll(t, "bigip"), "\n"), "\n")
	var group, own []string
	for _, l := range lines {
		switch {
		case strings.Contains(l, " tmm[") || strings.Contains(l, " tmm1["):
			group = append(group, l)
		case strings.Contains(l, " info tlsgate[9244]: ") || strings.Contains(l, " warning tlsgate[9244]: "):
			own = append(own, l)
		default:
			t.Errorf("line from unknown process: %q", l)
		}
	}
	sid := func(id uint64, entity string) string { return sessionIDOf(t, id, entity) }
	wantGroup := []string{
		"Feb  1 08:12:14 lab-bigip warning tmm[9244]: 01260009:4: Connection error: ssl_select_suite:8181: no shared ciphers (40)",
		"Feb  1 08:12:14 lab-bigip warning tmm[9244]: 01260026:4: No shared ciphers between SSL peers 192.168.99.86.32962:192.168.20.230.636.",
		"Feb  1 08:12:14 lab-bigip warning tmm[9244]: 01260013:4: SSL Handshake failed for TCP 192.168.99.86:32962 -> 192.168.20.230:636",
		"Feb  1 08:12:14 lab-bigip warning tmm1[9244]: 01260009:4: Connection error: ssl_passthru:5234: not SSL (40)",
		"Feb  1 08:12:14 lab-bigip warning tmm1[9244]: 01260013:4: SSL Handshake failed for TCP 192.168.99.86:32963 -> 192.168.20.230:443",
		"Feb  1 08:12:15 lab-bigip info tmm1[9244]: SSL Handshake details for TCP 10.1.10.50:61863 -> 10.1.10.100:443 entity: client SID: " + sid(7, "client") +
			" version: TLSv1.3 cipher-suite: TLS_AES_128_GCM_SHA256 key-exchange: unknown mutual-authentication: false",
		"Feb  1 08:12:16 lab-bigip warning tmm[9244]: 01260013:4: SSL Handshake failed for TCP 10.1.20.1:40001 -> 10.1.20.5:8443",
		"Feb  1 08:12:16 lab-bigip info tmm1[9244]: SSL Handshake details for TCP 10.1.10.50:61863 -> 93.184.216.34:443 entity: client SID: " + sid(9, "client") +
			" version: TLSv1.3 cipher-suite: TLS_AES_128_GCM_SHA256 key-exchange: X25519MLKEM768 mutual-authentication: false",
		"Feb  1 08:12:16 lab-bigip info tmm1[9244]: SSL Handshake details for TCP 10.1.20.1:40002 -> 93.184.216.34:443 entity: server SID: " + sid(9, "server") +
			" version: TLSv1.2 cipher-suite: ECDHE-RSA-AES128-GCM-SHA256 key-exchange: X25519 mutual-authentication: false",
		"Feb  1 08:12:16 lab-bigip warning tmm[9244]: 01260013:4: SSL Handshake failed for TCP 10.1.10.50:61863 -> 93.184.216.34:443",
		// conn 11, reset by a fault rule, has none; conn 12 timed out.
		"Feb  1 08:12:16 lab-bigip warning tmm[9244]: 01260013:4: SSL Handshake failed for TCP 10.1.10.50:61863 -> 10.1.10.100:443",
	}
	if strings.Join(group, "\n") != strings.Join(wantGroup, "\n") {
		t.Errorf("tmm lines:\n%s\nwant\n%s", strings.Join(group, "\n"), strings.Join(wantGroup, "\n"))
	}
	for _, l := range own {
		_, text, _ := strings.Cut(l, "]: ")
		if len(text) > 9 && text[8] == ':' && strings.Trim(text[:8], "0123456789abcdef") == "" {
			t.Errorf("our line looks like a BIG-IP ID: %q", l)
		}
	}
	for _, want := range []string{
		"Feb  1 08:12:15 lab-bigip info tlsgate[9244]: [conn 7 ok] terminate sni=lab.test TLS 1.3 TLS_AES_128_GCM_SHA256 alpn=h2 ja4=t13d1516h2_8daaf6152771_02713d6af862 up=517B down=8192B in 42ms",
		"Feb  1 08:12:16 lab-bigip warning tlsgate[9244]: [conn 9 ok] inspect sni=lab.test client[TLS 1.3 TLS_AES_128_GCM_SHA256 http/1.1] server[TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256 http/1.1 unverified] http=3 ja4=t13d1516h2_8daaf6152771_02713d6af862 up=517B down=8192B in 42ms",
		"Feb  1 08:12:16 lab-bigip warning tlsgate[9244]: [conn 9 ok] warning: upstream verification is off: tlsgate would accept any server certificate, so the client's trust is not carried through",
		"Feb  1 08:12:16 lab-bigip warning tlsgate[9244]: [conn 9 ok] warning: TLS 1.3 → 1.2 downgrade between the legs",
		"[conn 10 client_rejected_silently] cause: ",
		"3 failures in a row from this client type (JA4 t13d1516h2_8daaf6152771_02713d6af862) for this host (SNI lab.test).",
	} {
		if !strings.Contains(strings.Join(own, "\n"), want) {
			t.Errorf("missing own line %q", want)
		}
	}
	// Warnings follow their connection's one-liner, never a failure's lines.
	for i, l := range own {
		if strings.Contains(l, "] warning: ") && !strings.Contains(own[i-1], "[conn 9 ok]") {
			t.Errorf("warning line out of place: %q after %q", l, own[i-1])
		}
	}
}

// sessionIDOf reads the SID explain wrote for a connection and leg, so the
// expected lines need no copy of explain's hashing.
func sessionIDOf(t *testing.T, id uint64, entity string) string {
	t.Helper()
	for _, o := range []*explain.Outcome{okOutcome(), inspectOutcome()} {
		if o.ID != id {
			continue
		}
		for _, l := range explain.Diagnose(o).BigIP {
			if _, rest, ok := strings.Cut(l.Text, "entity: "+entity+" SID: "); ok {
				sid, _, _ := strings.Cut(rest, " ")
				return sid
			}
		}
	}
	t.Fatalf("no %s session line for conn %d", entity, id)
	return ""
}

// TestJSONKeys checks the stable key set of the conn object.
func TestJSONKeys(t *testing.T) {
	out := encodeAll(t, "json")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var rec struct {
		TS    string         `json:"ts"`
		Level string         `json:"level"`
		Msg   string         `json:"msg"`
		Conn  map[string]any `json:"conn"`
	}
	if err := json.Unmarshal([]byte(lines[2]), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.TS != "2026-02-01T08:12:14Z" || rec.Level != "warn" || rec.Msg != "conn" {
		t.Errorf("envelope: %+v", rec)
	}
	for _, k := range []string{"id", "listener", "mode", "route", "client", "virtual", "diagnosis", "kind",
		"first_bytes", "sni", "versions_offered", "ciphers_offered", "ciphers_offered_count", "alpn", "ja3", "ja4", "client_tls",
		"backend", "bytes_up", "bytes_down", "duration_ms", "relay_end", "first_fin", "first_fin_ms", "bigip", "cause", "checks", "evidence"} {
		if _, ok := rec.Conn[k]; !ok {
			t.Errorf("missing key %q", k)
		}
	}
	if rec.Conn["diagnosis"] != "plaintext_on_tls" || rec.Conn["client"] != "192.168.99.86:32963" {
		t.Errorf("conn: %v", rec.Conn)
	}
	bigip, _ := rec.Conn["bigip"].([]any)
	if len(bigip) != 2 || bigip[0] != "01260009:4: Connection error: ssl_passthru:5234: not SSL (40)" {
		t.Errorf("bigip = %v", bigip)
	}
	ctls, _ := rec.Conn["client_tls"].(map[string]any)
	for _, k := range []string{"version", "cipher", "alpn", "err", "alert_recv"} {
		if _, ok := ctls[k]; !ok {
			t.Errorf("client_tls missing %q", k)
		}
	}
}

func TestNewEncoderErrors(t *testing.T) {
	for _, o := range []Options{{Format: "xml", Host: "h", PID: 1}, {Format: "json", Host: "h", PID: 1, Lang: "fr"}} {
		if _, err := NewEncoder(o); err == nil || !strings.HasPrefix(err.Error(), "bigiplog: ") {
			t.Errorf("NewEncoder(%+v) err = %v", o, err)
		}
	}
	enc, err := NewEncoder(Options{})
	if err != nil {
		t.Fatalf("defaults: %v", err)
	}
	buf, err := enc.EncodeEntry(zapcore.Entry{Time: testTime, Message: "x"}, nil)
	if err != nil || !strings.Contains(buf.String(), " info tlsgate[") {
		t.Errorf("default bigip encoder wrote %q, %v", buf.String(), err)
	}
}

// TestEncoderWith: context fields added through With appear on our lines
// and do not leak into the parent encoder.
func TestEncoderWith(t *testing.T) {
	parent, err := NewEncoder(testOptions)
	if err != nil {
		t.Fatal(err)
	}
	child := parent.Clone()
	child.AddString("listener", "web admin")
	ent := zapcore.Entry{Level: zapcore.InfoLevel, Time: testTime, Message: "ready"}
	c, _ := child.EncodeEntry(ent, nil)
	p, _ := parent.EncodeEntry(ent, nil)
	if got := c.String(); got != "Feb  1 08:12:14 lab-bigip info tlsgate[9244]: ready listener=\"web admin\"\n" {
		t.Errorf("child: %q", got)
	}
	if got := p.String(); got != "Feb  1 08:12:14 lab-bigip info tlsgate[9244]: ready\n" {
		t.Errorf("parent: %q", got)
	}
}

// TestJSONInterception checks the keys of the inspect facts on the
// inspected connection, and that they are present (empty) on others.
func TestJSONInterception(t *testing.T) {
	lines := strings.Split(strings.TrimSpace(encodeAll(t, "json")), "\n")
	conn := func(i int) map[string]any {
		var rec struct {
			Conn map[string]any `json:"conn"`
		}
		if err := json.Unmarshal([]byte(lines[i]), &rec); err != nil {
			t.Fatal(err)
		}
		return rec.Conn
	}
	c := conn(5)
	if c["id"] != float64(9) {
		t.Fatalf("line 5 is conn %v", c["id"])
	}
	want := map[string]any{"transparent": "redirect", "orig_dst": "93.184.216.34:443", "orig_dst_err": "", "bypass": "",
		"mimicked": true, "fail_streak": float64(0), "http_dropped": float64(1)}
	for k, v := range want {
		if c[k] != v {
			t.Errorf("%s = %#v, want %#v", k, c[k], v)
		}
	}
	http, _ := c["http"].([]any)
	if len(http) != 2 {
		t.Fatalf("http = %v", c["http"])
	}
	first, _ := http[0].(map[string]any)
	for k, v := range map[string]any{"method": "GET", "target": "/", "host": "lab.test", "status": float64(200),
		"req_bytes": float64(0), "resp_bytes": float64(1234)} {
		if first[k] != v {
			t.Errorf("http[0].%s = %#v, want %#v", k, first[k], v)
		}
	}
	warnings, _ := c["warnings"].([]any)
	if len(warnings) != 2 {
		t.Errorf("warnings = %v", c["warnings"])
	}
	bigip, _ := c["bigip"].([]any)
	if len(bigip) != 2 || !strings.HasPrefix(bigip[0].(string), "SSL Handshake details for TCP 10.1.10.50:61863 -> 93.184.216.34:443 entity: client SID: ") {
		t.Errorf("bigip = %v", bigip)
	}
	backend, _ := c["backend"].(map[string]any)
	up, _ := backend["tls"].(map[string]any)
	for k, v := range map[string]any{"group": "X25519", "verify_skipped": true, "mutual": false, "server_flight_sent": false} {
		if up[k] != v {
			t.Errorf("backend.tls.%s = %#v, want %#v", k, up[k], v)
		}
	}
	if pc, _ := up["peer_cert"].([]any); len(pc) != 1 {
		t.Errorf("peer_cert = %v", up["peer_cert"])
	}

	silent := conn(6)
	ctls, _ := silent["client_tls"].(map[string]any)
	if silent["diagnosis"] != "client_rejected_silently" || silent["fail_streak"] != float64(3) || ctls["server_flight_sent"] != true {
		t.Errorf("silent: %v", silent)
	}
	// A connection with nothing to do with interception has every key too.
	plain := conn(2)
	for _, k := range []string{"transparent", "orig_dst", "orig_dst_err", "bypass", "mimicked", "fail_streak", "connect_target", "connect_status", "http", "http_dropped", "warnings"} {
		if _, ok := plain[k]; !ok {
			t.Errorf("plaintext conn lacks %q", k)
		}
	}
	if h, _ := plain["http"].([]any); h == nil || len(h) != 0 {
		t.Errorf("http should be an empty array, got %#v", plain["http"])
	}
}

func TestLineTextWithoutID(t *testing.T) {
	l := explain.Line{Sev: 6, Text: "SSL Handshake details for TCP 1.2.3.4:5 -> 6.7.8.9:443 entity: client SID: 0011223344556677 version: TLSv1.3"}
	if got := LineText(l); got != l.Text {
		t.Errorf("LineText = %q", got)
	}
	want := "Feb  1 08:12:14 lab-bigip info tmm1[9244]: " + l.Text
	if got := FormatLine(testTime, "lab-bigip", "tmm1", 9244, l); got != want {
		t.Errorf("\n got %q\nwant %q", got, want)
	}
	if got := FormatSyslog(testTime, "lab-bigip", "tmm1", 9244, l); got != "<134>"+want {
		t.Errorf("syslog %q", got)
	}
}

// TestJSONProxiedPeer: a connection that came through a PROXY header logs
// both addresses, the client the header named and the load balancer that
// sent it (the socket's peer), as HAProxy's %ci and %[fc_src] would.
func TestJSONProxiedPeer(t *testing.T) {
	o := plaintextOutcome()
	o.Client = netip.MustParseAddrPort("203.0.113.7:40000")
	o.Peer = netip.MustParseAddrPort("10.0.0.5:51000")
	o.Proxy = explain.Proxy{Policy: "v2", Version: 2, Src: o.Client, Dst: o.Virtual}
	opts := testOptions
	opts.Format = "json"
	enc, err := NewEncoder(opts)
	if err != nil {
		t.Fatal(err)
	}
	buf, err := enc.EncodeEntry(zapcore.Entry{Level: zapcore.WarnLevel, Time: testTime, Message: "conn"},
		[]zapcore.Field{Field(Event{Outcome: o})})
	if err != nil {
		t.Fatal(err)
	}
	defer buf.Free()
	var rec struct {
		Conn struct {
			Client, Peer string
			Evidence     map[string]string
		} `json:"conn"`
	}
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("%v: %s", err, buf.Bytes())
	}
	if rec.Conn.Client != "203.0.113.7:40000" || rec.Conn.Peer != "10.0.0.5:51000" {
		t.Errorf("client %q peer %q, want the header's client and the socket's peer", rec.Conn.Client, rec.Conn.Peer)
	}
	if p := rec.Conn.Evidence["proxy"]; !strings.HasPrefix(p, "peer=10.0.0.5:51000 policy=v2 header=v2 src=203.0.113.7:40000") {
		t.Errorf("evidence proxy %q, want the peer and the header's addresses", p)
	}
}

// TestGoldenLevelsAgree: a connection shows the same level in every
// format: its json level is the severity of our bigip lines for it. The
// inspected success with warnings (conn 9) was once logged at info in
// json and console while its bigip lines said warning.
func TestGoldenLevelsAgree(t *testing.T) {
	words := map[string]string{"info": "info", "warn": "warning"}
	jsonLevel := map[int]string{}
	for _, l := range strings.Split(strings.TrimSpace(encodeAll(t, "json")), "\n") {
		var v struct {
			Level string `json:"level"`
			Conn  *struct {
				ID int `json:"id"`
			} `json:"conn"`
		}
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		if v.Conn != nil {
			jsonLevel[v.Conn.ID] = words[v.Level]
		}
	}
	own := regexp.MustCompile(`^\w+ +\d+ [\d:]+ \S+ (\w+) tlsgate\[\d+\]: \[conn (\d+) `)
	seen := 0
	for _, l := range strings.Split(strings.TrimSpace(encodeAll(t, "bigip")), "\n") {
		m := own.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		id, _ := strconv.Atoi(m[2])
		want, ok := jsonLevel[id]
		if !ok {
			t.Errorf("conn %d has bigip lines but no json event", id)
			continue
		}
		seen++
		if m[1] != want {
			t.Errorf("conn %d: json level %q, bigip line %q: %s", id, want, m[1], l)
		}
	}
	if seen == 0 {
		t.Fatal("no bigip line of ours matched: the pattern no longer fits the format")
	}
}
