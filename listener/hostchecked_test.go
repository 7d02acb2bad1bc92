package listener

import (
	"crypto/tls"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/faults"
)

// TestHostCheckedLogged: an sni_policy with host_mismatch compares only a
// connection's first request with the SNI. When it matched, the rule did
// not fire, and the log used to say nothing of it, as if no check ran:
// now the outcome names the rule and the name compared, and the
// explanation says what was checked and that later requests on the
// connection were not (the second request here names another server and
// goes through).
func TestHostCheckedLogged(t *testing.T) {
	e := faults.NewEngine(nil)
	if err := e.Add(faults.Rule{Name: "sni-host", Action: faults.ActSNIPolicy, HostMismatch: faults.StatusMisdirected}); err != nil {
		t.Fatal(err)
	}
	h := startListenerDeps(t, Options{Mode: Terminate, Backend: plainHTTP(t)}, func(d *Deps) { d.Faults = e })
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", h.addr,
		&tls.Config{ServerName: "lab.test", RootCAs: h.srv.deps.Minter.CA().Pool(), NextProtos: []string{"http/1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := io.WriteString(c, "GET /one HTTP/1.1\r\nHost: lab.test\r\n\r\nGET /two HTTP/1.1\r\nHost: other.test\r\nConnection: close\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(c)
	_ = c.Close()
	if strings.Contains(string(got), " 421 ") {
		t.Fatalf("answer %q: the first request matched, so nothing is refused", got)
	}
	r := h.next()
	if len(r.o.Faults) != 0 {
		t.Errorf("faults %q logged as fired: the check let the request through", r.o.Faults)
	}
	if r.o.HostChecked != "sni-host" || r.o.HostCheckedName != "lab.test" {
		t.Errorf("host checked %q for %q, want sni-host for lab.test", r.o.HostChecked, r.o.HostCheckedName)
	}
	d := explain.Complete(r.o, *r.d)
	checks := strings.Join(d.Checks, "\n")
	if r.d.Code != explain.CodeOK || !strings.Contains(checks, "compared the first request's Host (lab.test) with the SNI (lab.test)") ||
		!strings.Contains(checks, "Later requests on this connection were not compared") {
		t.Errorf("code %s, checks %q: want ok saying what was compared and what was not", r.d.Code, checks)
	}
}

// TestHostCheckedLoggedInspect is TestHostCheckedLogged on an inspect
// listener: the request is relayed to the real server, and the explanation
// keeps inspect's two legs and says what the host check compared (inspect's
// own ok text used to win and drop it).
func TestHostCheckedLoggedInspect(t *testing.T) {
	e := faults.NewEngine(nil)
	if err := e.Add(faults.Rule{Name: "sni-host", Action: faults.ActSNIPolicy, HostMismatch: faults.StatusMisdirected}); err != nil {
		t.Fatal(err)
	}
	sca := newTestServerCA(t)
	backend := realHTTPS(t, sca.leaf(t, "lab.test"))
	h := startListenerDeps(t, Options{Mode: Inspect, Backend: backend, ServerSSL: &ServerSSL{CAFile: sca.file, Verify: true}},
		func(d *Deps) { d.Faults = e })
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", h.addr,
		&tls.Config{ServerName: "lab.test", RootCAs: h.srv.deps.Minter.CA().Pool(), NextProtos: []string{"http/1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := io.WriteString(c, "GET /one HTTP/1.1\r\nHost: lab.test\r\nConnection: close\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(c)
	_ = c.Close()
	if !strings.Contains(string(got), "real server saw GET /one") {
		t.Fatalf("answer %q: the request matched the SNI, so the real server answers it", got)
	}
	r := h.next()
	if r.o.Route != "inspect" || len(r.o.Faults) != 0 || r.o.HostChecked != "sni-host" || r.o.HostCheckedName != "lab.test" {
		t.Errorf("route %q, faults %q, host checked %q for %q; want inspect, none fired, sni-host for lab.test",
			r.o.Route, r.o.Faults, r.o.HostChecked, r.o.HostCheckedName)
	}
	d := explain.Complete(r.o, *r.d)
	checks := strings.Join(d.Checks, "\n")
	if d.Code != explain.CodeOK || !strings.Contains(d.Cause, "relayed between the two legs") ||
		!strings.Contains(checks, "compared the first request's Host (lab.test) with the SNI (lab.test)") {
		t.Errorf("code %s, cause %q, checks %q: want inspect's ok saying what the host check compared", d.Code, d.Cause, checks)
	}
}
