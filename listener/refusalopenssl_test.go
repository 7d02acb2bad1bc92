package listener

import (
	"bytes"
	"crypto/tls"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/faults"
	"github.com/tlsgate/tlsgate/internal/sserver"
)

// recordVersionWriter rewrites the record version of the first record
// written (the ClientHello's), which crypto/tls always sends as 0x0301.
type recordVersionWriter struct {
	*readRecorder
	vers  uint16
	wrote bool
}

func (w *recordVersionWriter) Write(p []byte) (int, error) {
	if !w.wrote && w.vers != 0 && len(p) >= 3 {
		p = bytes.Clone(p)
		p[1], p[2] = byte(w.vers>>8), byte(w.vers)
	}
	w.wrote = true
	return w.readRecorder.Write(p)
}

// startVersionFloorSServer runs `openssl s_server -tls1_3` on loopback:
// it refuses every hello that does not offer TLS 1.3 with alert 70. It
// binds port 0 and the address comes from its ACCEPT line (sserver.Start):
// -www, since without -quiet s_server's default mode ends at stdin's EOF
// (the refusal comes before any request).
func startVersionFloorSServer(t *testing.T) string {
	t.Helper()
	bin := needTool(t, "openssl", "openssl")
	certFile, keyFile := writeKeyPair(t, clientCert(t))
	addr, err := sserver.Start(t, bin, "s_server", "-accept", "127.0.0.1:0", "-cert", certFile, "-key", keyFile, "-www", "-tls1_3")
	if err != nil {
		t.Fatal(err)
	}
	return addr
}

// refusalBytes is everything a crypto/tls client limited to max, its
// hello sent in a record of version rec (0: crypto/tls's 0x0301), read
// from addr before its handshake failed.
func refusalBytes(t *testing.T, addr string, max, rec uint16) []byte {
	t.Helper()
	raw, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	_ = raw.SetDeadline(time.Now().Add(30 * time.Second))
	w := &recordVersionWriter{readRecorder: &readRecorder{Conn: raw}, vers: rec}
	cfg := &tls.Config{ServerName: "lab.test", InsecureSkipVerify: true, MinVersion: tls.VersionTLS10, MaxVersion: max}
	if err := tls.Client(w, cfg).Handshake(); err == nil {
		t.Fatal("handshake succeeded; want a refusal")
	}
	return w.bytes()
}

// TestRefusalRecordVersionMatchesOpenSSL: with no version agreed, the
// passthrough refusal's alert record must carry the version openssl
// s_server gives the same hello: its legacy_version, not the version of
// the record it came in (which the refusal once echoed, so a TLS 1.2
// client read 0x0301 from tlsgate and 0x0303 from OpenSSL).
func TestRefusalRecordVersionMatchesOpenSSL(t *testing.T) {
	sserver := startVersionFloorSServer(t)
	e := faults.NewEngine(nil)
	if err := e.Add(faults.Rule{Name: "floor", Action: faults.ActVersion, MinVersion: faults.VersionTLS13}); err != nil {
		t.Fatal(err)
	}
	h := startListenerDeps(t, Options{Mode: Passthrough, Backend: echoBackend(t)}, func(d *Deps) { d.Faults = e })
	for _, tt := range []struct {
		max, rec uint16
	}{
		{tls.VersionTLS10, 0}, {tls.VersionTLS11, 0}, {tls.VersionTLS12, 0},
		{tls.VersionTLS11, tls.VersionTLS12}, {tls.VersionTLS12, tls.VersionTLS11},
	} {
		name := tls.VersionName(tt.max) + " hello in record " + strconv.FormatUint(uint64(max(tt.rec, tls.VersionTLS10)), 16)
		t.Run(name, func(t *testing.T) {
			want := refusalBytes(t, sserver, tt.max, tt.rec)
			if !bytes.Equal(want[:min(len(want), 5)], faults.AlertRecord(2, 70, tt.max)[:5]) {
				t.Fatalf("openssl s_server answered % x; want alert 70 in a record of the hello's version %#04x", want, tt.max)
			}
			got := refusalBytes(t, h.addr, tt.max, tt.rec)
			h.next()
			if !bytes.Equal(got, want) {
				t.Errorf("tlsgate's refusal % x, openssl s_server's % x", got, want)
			}
		})
	}
}
