package listener

import (
	"crypto/tls"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/tlsgate/tlsgate/explain"
)

// TestBypassBackendRefusesHello: an inspect listener's bypass is a
// passthrough too, so a real server that refuses the client's hello is
// explained as such, not logged as a working splice.
func TestBypassBackendRefusesHello(t *testing.T) {
	h := startListener(t, Options{Mode: Inspect, Backend: tls13Backend(t), ClientSSL: &ClientSSL{},
		Bypass: []string{"*.test"}}, nil)
	_, err := tls.Dial("tcp", h.addr, &tls.Config{ServerName: "lab.test", MaxVersion: tls.VersionTLS12})
	if err == nil || !strings.Contains(err.Error(), "protocol version not supported") {
		t.Fatalf("client error %v, want the backend's alert 70", err)
	}
	r := h.next()
	if r.o.Route != "bypass" || r.d.Code != explain.CodeBackendRejectedHello || r.o.Backend.HelloAlert.Desc != 70 {
		t.Errorf("route %s code %s alert %+v (%s), want bypass, %s and alert 70",
			r.o.Route, r.d.Code, r.o.Backend.HelloAlert, r.d.Summary, explain.CodeBackendRejectedHello)
	}
}

// TestDecryptedRelayIgnoresAlertShapedData: behind a terminating
// listener the backend's first bytes are application data, whatever they
// look like: they are relayed and never read as a refused hello.
func TestDecryptedRelayIgnoresAlertShapedData(t *testing.T) {
	alertShaped := "\x15\x03\x03\x00\x02\x02\x28"
	backend := serveEach(t, nil, func(c net.Conn) {
		_, _ = io.WriteString(c, alertShaped)
		_ = c.(*net.TCPConn).CloseWrite()
		_, _ = io.Copy(io.Discard, c)
	})
	h := startListener(t, Options{Mode: Terminate, Backend: backend, ClientSSL: &ClientSSL{}}, nil)
	c, err := tls.Dial("tcp", h.addr, &tls.Config{ServerName: "lab.test", RootCAs: h.srv.deps.Minter.CA().Pool()})
	if err != nil {
		t.Fatalf("client handshake: %v", err)
	}
	got, _ := io.ReadAll(c)
	c.Close()
	r := h.next()
	if string(got) != alertShaped || r.d.Code != explain.CodeOK || r.o.Backend.HelloAlert != (explain.RecordAlert{}) {
		t.Errorf("client read %q; code %s, hello alert %+v: want the bytes relayed and ok", got, r.d.Code, r.o.Backend.HelloAlert)
	}
}
