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

// TestBackendWarningAlertClientSaw: a passthrough backend that answers the
// hello with a warning-level alert and closes. Go and curl skip the
// warning and report the close, so the diagnosis quotes those words, not
// the fatal alert's ("remote error: tls: …", Java's "Received fatal
// alert: …") it used to give.
func TestBackendWarningAlertClientSaw(t *testing.T) {
	backend := serveEach(t, nil, func(c net.Conn) {
		b := make([]byte, 4096)
		_, _ = c.Read(b) // the ClientHello
		_, _ = c.Write([]byte{0x15, 0x03, 0x03, 0x00, 0x02, 0x01, 112})
	})
	h := startListener(t, Options{Mode: Passthrough, Backend: backend}, nil)
	clients := []struct {
		name string
		run  func() string // what the client printed
		want string        // …as the diagnosis quotes it
	}{
		{"go", func() string {
			_, err := tls.Dial("tcp", h.addr, &tls.Config{ServerName: "lab.test"})
			if err == nil {
				return "no error"
			}
			return err.Error()
		}, "Go `EOF`"},
		{"curl", func() string { return curlLab(t, h.addr).out }, "SSL_ERROR_SYSCALL in connection to"},
	}
	for _, c := range clients {
		t.Run(c.name, func(t *testing.T) {
			printed := c.run()
			r := h.next()
			if r.d.Code != explain.CodeBackendRejectedHello || r.o.Backend.HelloAlert.Level != 1 {
				t.Fatalf("code %s alert %+v, want %s at warning level", r.d.Code, r.o.Backend.HelloAlert, explain.CodeBackendRejectedHello)
			}
			if !strings.Contains(r.d.ClientSaw, c.want) || strings.Contains(r.d.ClientSaw, "remote error") || strings.Contains(r.d.ClientSaw, "Received fatal alert") {
				t.Errorf("client saw %q, want it to quote %q and no fatal alert", r.d.ClientSaw, c.want)
			}
			quoted := strings.TrimSuffix(strings.TrimPrefix(c.want, "Go `"), "`")
			if !strings.Contains(printed, quoted) {
				t.Errorf("the client printed %q, not %q as the diagnosis says", printed, quoted)
			}
		})
	}
}
