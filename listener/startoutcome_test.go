package listener

import (
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
)

// TestStartOutcomeFields: the Outcome a connection starts with, set field
// by field for the epoll path's sake, is the whole of what is known at
// accept and nothing else.
func TestStartOutcomeFields(t *testing.T) {
	// Only the options and deps are read: no listener need be built.
	s := &Server{opts: Options{Name: "web", Mode: Terminate, NonSSL: NonSSLReset,
		PeekTimeout: 3 * time.Second, IdleTimeout: time.Minute, ProxyProtocol: "v1",
		ClientSSL: &ClientSSL{SNIRequire: true}},
		deps: Deps{CAFile: "/ca/ca.pem", FaultAdmin: func() string { return "http://127.0.0.1:9" }}}
	remote, local := netip.MustParseAddrPort("192.0.2.7:50000"), netip.MustParseAddrPort("10.0.0.1:443")
	start := time.Date(2026, 11, 28, 20, 0, 0, 0, time.UTC)
	want := &explain.Outcome{ID: 7, Listener: "web", Mode: "terminate", NonSSL: "reset",
		Client: remote, Virtual: local, Peer: remote, ListenerAddr: local, Start: start,
		PeekTimeout: 3 * time.Second, IdleTimeout: time.Minute,
		ClientTLS: explain.Leg{AlertSent: -1, AlertRecv: -1}, SNIRequired: true,
		CAFile: "/ca/ca.pem", FaultAdmin: "http://127.0.0.1:9"}
	want.Proxy.Policy = "v1"
	want.Backend.TLS = explain.Leg{AlertSent: -1, AlertRecv: -1}
	if got := s.newOutcome(remote, local, 7, start); !reflect.DeepEqual(got, want) {
		t.Errorf("newOutcome:\n got %+v\nwant %+v", got, want)
	}
}
