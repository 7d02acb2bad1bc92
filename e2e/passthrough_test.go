package e2e

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	tg "github.com/tlsgate/tlsgate/e2e/internal/gate"
)

// payload is a deterministic pseudo-random stream: the same seed gives the
// same bytes, so a failure can be replayed.
func payload(seed uint64) io.Reader {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	return rand.NewChaCha8(key)
}

// Case 12: TLS relayed untouched to a TLS echo server, full duplex, from one
// byte to 64 MiB; the SHA-256 of what came back must equal what was sent.
func TestPassthroughFullDuplex(t *testing.T) {
	t.Parallel()
	ca := tg.NewCA(t, "e2e echo CA")
	cert := ca.Leaf(t, []string{"echo.test"})
	echoBE := startEchoBackend(t, &cert)
	g := startGate(t, gateConfig{listeners: []spec{
		{Name: "pass", TOML: fmt.Sprintf("mode = \"passthrough\"\nbackend = %q\nidle_timeout = \"60s\"\n", echoBE.addr)},
	}})
	addr := g.Addr("pass")

	sizes := []int64{1, 1 << 10, 64 << 10, 1 << 20, 16 << 20, 64 << 20}
	for i, size := range sizes {
		t.Run(fmt.Sprintf("%dB", size), func(t *testing.T) {
			tc, local, err := goTLS(t, addr, &tls.Config{ServerName: "echo.test", RootCAs: ca.Pool()})
			if err != nil {
				t.Fatalf("handshake through passthrough: %v", err)
			}
			defer tc.Close()
			_ = tc.SetDeadline(time.Now().Add(2 * time.Minute))

			type result struct {
				n   int64
				sum []byte
				err error
			}
			sent := make(chan result, 1)
			go func() {
				h := sha256.New()
				n, err := io.CopyN(tc, io.TeeReader(payload(uint64(i)), h), size)
				if err == nil {
					err = tc.CloseWrite() // close_notify: the echo server's EOF
				}
				sent <- result{n, h.Sum(nil), err}
			}()
			h := sha256.New()
			gotN, rerr := io.Copy(h, tc) // reads while the writer writes
			s := <-sent
			if s.err != nil || rerr != nil {
				t.Fatalf("write %d bytes: %v; read %d bytes: %v", s.n, s.err, gotN, rerr)
			}
			if gotN != size || !bytes.Equal(h.Sum(nil), s.sum) {
				t.Fatalf("echo of %d bytes: got %d bytes, sha256 %x, want %x", size, gotN, h.Sum(nil), s.sum)
			}
			tc.Close()

			e := g.eventFrom(t, "pass", local)
			wantCode(t, e, "ok")
			wantLines(t, e)
			if e.Route != "passthrough" || e.SNI != "echo.test" || e.ClientTLS.Attempted {
				t.Errorf("route %q sni %q client_tls.attempted %v, want passthrough echo.test false", e.Route, e.SNI, e.ClientTLS.Attempted)
			}
			if e.BytesUp < size || e.BytesDown < size {
				t.Errorf("bytes_up %d bytes_down %d, want both >= %d", e.BytesUp, e.BytesDown, size)
			}
		})
	}
	g.stop(t)
}
