package listener

import (
	"bytes"
	"crypto/tls"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/faults"
)

// readRecorder keeps every byte the client reads from the listener.
type readRecorder struct {
	net.Conn
	mu  sync.Mutex
	got []byte
}

func (r *readRecorder) Read(p []byte) (int, error) {
	n, err := r.Conn.Read(p)
	r.mu.Lock()
	r.got = append(r.got, p[:n]...)
	r.mu.Unlock()
	return n, err
}

func (r *readRecorder) bytes() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return bytes.Clone(r.got)
}

// TestPassthroughRefusalRecordVersion: a passthrough listener answers a
// hello its policy refuses with a hand-written alert. It was always in a
// 0x0303 record; it now uses the record version a server would: the
// agreed version for a refusal of the suites or groups (0x0302 for a TLS
// 1.1 client, 0x0303 under TLS 1.3, as crypto/tls and BIG-IP send), and
// the hello's legacy_version when no version is agreed, as openssl
// s_server answers (0x0303 to a TLS 1.2 client, whose hello record says
// 0x0301). The test reads the bytes a real crypto/tls client received.
func TestPassthroughRefusalRecordVersion(t *testing.T) {
	gcm := []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}
	for _, tt := range []struct {
		name   string
		rule   faults.Rule
		client *tls.Config
		want   []byte
	}{
		{"version refused, TLS 1.0 client", faults.Rule{MinVersion: faults.VersionTLS12},
			&tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS10}, faults.AlertRecord(2, 70, 0x0301)},
		{"version refused, TLS 1.1 client", faults.Rule{MinVersion: faults.VersionTLS12},
			&tls.Config{MinVersion: tls.VersionTLS11, MaxVersion: tls.VersionTLS11}, faults.AlertRecord(2, 70, 0x0302)},
		{"version refused, TLS 1.2 client", faults.Rule{MinVersion: faults.VersionTLS13},
			&tls.Config{MaxVersion: tls.VersionTLS12}, faults.AlertRecord(2, 70, 0x0303)},
		{"suites refused, TLS 1.1 client", faults.Rule{Action: faults.ActCipher, Ciphers: gcm},
			&tls.Config{MinVersion: tls.VersionTLS11, MaxVersion: tls.VersionTLS11}, faults.AlertRecord(2, 40, 0x0302)},
		{"suites refused, TLS 1.0 client", faults.Rule{Action: faults.ActCipher, Ciphers: gcm},
			&tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS10}, faults.AlertRecord(2, 40, 0x0301)},
		{"groups refused, TLS 1.3 client", faults.Rule{Action: faults.ActCipher, Groups: []string{"P-521"}},
			&tls.Config{MinVersion: tls.VersionTLS13, CurvePreferences: []tls.CurveID{tls.X25519}}, faults.AlertRecord(2, 40, 0x0303)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.rule
			r.Name = "policy"
			if r.Action == "" {
				r.Action = faults.ActVersion
			}
			e := faults.NewEngine(nil)
			if err := e.Add(r); err != nil {
				t.Fatal(err)
			}
			h := startListenerDeps(t, Options{Mode: Passthrough, Backend: echoBackend(t)}, func(d *Deps) { d.Faults = e })
			raw, err := net.Dial("tcp", h.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			_ = raw.SetDeadline(time.Now().Add(30 * time.Second))
			rec := &readRecorder{Conn: raw}
			cfg := tt.client.Clone()
			cfg.ServerName, cfg.InsecureSkipVerify = "lab.test", true
			if err := tls.Client(rec, cfg).Handshake(); err == nil {
				t.Fatal("handshake succeeded; want the policy's refusal")
			}
			o := h.next().o
			if o.FaultApplied != "tls_policy" {
				t.Fatalf("applied %q, want tls_policy", o.FaultApplied)
			}
			if got := rec.bytes(); !bytes.Equal(got, tt.want) {
				t.Errorf("client read % x, want % x", got, tt.want)
			}
		})
	}
}
