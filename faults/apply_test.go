package faults

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/sniff"
)

type applyResult struct {
	a   Applied
	err error
}

// TestApplyStops drives each stop through Apply on a real loopback socket
// with a Go client, and checks the client's error class and what Apply saw.
func TestApplyStops(t *testing.T) {
	tests := []struct {
		name      string
		r         Rule
		clientErr func(error) bool
		reply     uint8 // the client's alert Apply should capture; 0 = none expected
	}{
		{"reset", Rule{Action: ActReset}, func(err error) bool { return errors.Is(err, syscall.ECONNRESET) }, 0},
		{"close", Rule{Action: ActClose}, func(err error) bool { return errors.Is(err, io.EOF) }, 0},
		{"half-close", Rule{Action: ActClose, Direction: S2C}, func(err error) bool { return errors.Is(err, io.EOF) }, 0},
		{"alert 49", Rule{Action: ActAlert, Alert: ptr(Alert(49))}, errContains("remote error: tls: access denied"), 0},
		{"alert then rst", Rule{Action: ActAlert, Alert: ptr(Alert(80)), Then: ThenRST}, errContains("remote error: tls: internal error"), 0},
		{"sni policy", Rule{Action: ActSNIPolicy}, errContains("remote error: tls: unrecognized name"), 0},
		{"alpn refuse", Rule{Action: ActALPNRefuse}, errContains("remote error: tls: no application protocol"), 0},
		{"plaintext", Rule{Action: ActPlaintextReply, Status: 302}, errContains("tls: first record does not look like a TLS handshake"), 0},
		{"ssl3", Rule{Action: ActSSL3ServerHello}, errContains("unsupported protocol version 300"), 70},
		{"unoffered", Rule{Action: ActUnofferedCipher}, errContains("unconfigured cipher suite"), 40},
		{"large hello rst", Rule{Action: ActLargeHello}, func(err error) bool { return errors.Is(err, syscall.ECONNRESET) }, 0},
		{"large hello fin", Rule{Action: ActLargeHello, Then: ThenFIN}, func(err error) bool { return errors.Is(err, io.EOF) }, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rule(t, tt.r)
			addr, res := serveHello(t, func(c net.Conn, h *sniff.ClientHello) applyResult {
				a, err := Apply(c, r, h, WrapDeps{Index: 1})
				return applyResult{a, err}
			})
			err := goHandshake(t, addr, nil)
			if err == nil || !tt.clientErr(err) {
				t.Errorf("client error = %v", err)
			}
			got := <-res
			if got.err != nil {
				t.Errorf("Apply: %v", got.err)
			}
			if tt.reply != 0 {
				if _, desc, ok := sniff.ParseAlert(got.a.ClientReply); !ok || desc != tt.reply {
					t.Errorf("ClientReply %v: alert %d (found %v), want %d", got.a.ClientReply, desc, ok, tt.reply)
				}
				if got.a.Sent == 0 {
					t.Error("Sent = 0")
				}
			}
		})
	}
}

func errContains(s string) func(error) bool {
	return func(err error) bool { return strings.Contains(err.Error(), s) }
}

// TestApplyBlackhole holds the connection silently until the follow-up timer
// (injected) resets it; the client then sees a reset, not an answer.
func TestApplyBlackhole(t *testing.T) {
	clk := newFakeClock()
	r := rule(t, Rule{Action: ActBlackhole, Then: ThenRST, Delay: Duration(30 * time.Second)})
	holding := make(chan struct{})
	deps := clk.deps()
	deps.AfterFunc = func(d time.Duration, f func()) func() bool {
		stop := clk.AfterFunc(d, f)
		close(holding)
		return stop
	}
	addr, res := serveHello(t, func(c net.Conn, h *sniff.ClientHello) applyResult {
		a, err := Apply(c, r, h, deps)
		return applyResult{a, err}
	})
	raw, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	_ = raw.SetDeadline(time.Now().Add(testGuard))
	hsErr := make(chan error, 1)
	go func() {
		hsErr <- tls.Client(raw, &tls.Config{ServerName: "lab.test", InsecureSkipVerify: true}).Handshake()
	}()
	<-holding
	if got := clk.Timers(); len(got) != 1 || got[0] != 30*time.Second {
		t.Fatalf("timers = %v, want one of 30s", got)
	}
	clk.Fire()
	if err := <-hsErr; !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("client error = %v, want a reset after the hold", err)
	}
	if got := <-res; got.err != nil || got.a.Sent != 0 {
		t.Errorf("Apply = %+v, %v", got.a, got.err)
	}
}

// TestApplyHoldEndsWhenClientGivesUp: a plain hold returns once the client
// closes.
func TestApplyHoldEndsWhenClientGivesUp(t *testing.T) {
	r := rule(t, Rule{Action: ActBlackhole})
	addr, res := serveHello(t, func(c net.Conn, h *sniff.ClientHello) applyResult {
		a, err := Apply(c, r, h, WrapDeps{})
		return applyResult{a, err}
	})
	raw, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c := tls.Client(raw, &tls.Config{ServerName: "lab.test", InsecureSkipVerify: true})
	// Give up as soon as the hello is out: the deadline has already passed
	// when the client waits for the ServerHello.
	_ = raw.SetReadDeadline(time.Now())
	err = c.Handshake()
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("client error = %v, want a timeout", err)
	}
	raw.Close()
	if got := <-res; got.err != nil {
		t.Errorf("Apply after the client left: %v", got.err)
	}
}

func TestApplyRejectsWrappers(t *testing.T) {
	m := newMemConn()
	if _, err := Apply(m, rule(t, Rule{Action: ActLatency, Latency: Duration(time.Second)}), nil, WrapDeps{}); err == nil ||
		!strings.Contains(err.Error(), "not a stop") {
		t.Errorf("Apply(latency) = %v", err)
	}
}
