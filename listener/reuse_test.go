package listener

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/tlsgate/tlsgate/bigiplog"
)

// lockedBuffer is a log sink the loops write to concurrently.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// reusedLine is what TestReusedStateKeepsNothing reads back from a JSON
// connection line.
type reusedLine struct {
	Conn struct {
		ID         uint64 `json:"id"`
		Client     string `json:"client"`
		SNI        string `json:"sni"`
		FirstBytes string `json:"first_bytes"`
		BytesUp    int64  `json:"bytes_up"`
		BytesDown  int64  `json:"bytes_down"`
	} `json:"conn"`
}

// TestReusedStateKeepsNothing runs many connections, several at a time,
// through listeners whose fast path reuses each connection's state
// (Deps.Reuse), and checks that every line tells its own connection's
// facts: a field left over from an earlier connection would name another
// client's SNI, first bytes or byte counts. Under -race it also shows that
// nothing reads a state after it went back for reuse.
func TestReusedStateKeepsNothing(t *testing.T) {
	needEpoll(t)
	for _, tc := range []struct {
		mode  Mode
		first func(i int) []byte // client i's bytes
		sni   func(i int) string // the SNI its line must name
	}{
		{Plaintext, func(i int) []byte {
			return fmt.Appendf(nil, "GET /%d HTTP/1.1\r\nHost: h%d.test\r\nX-Pad: %s\r\n\r\n", i, i, bytes.Repeat([]byte("p"), i))
		}, func(int) string { return "" }},
		{Passthrough, func(i int) []byte { return captureHelloName(t, 0, fmt.Sprintf("h%d.test", i)) },
			func(i int) string { return fmt.Sprintf("h%d.test", i) }},
	} {
		t.Run(string(tc.mode), func(t *testing.T) {
			const clients, each = 4, 40
			enc, err := bigiplog.NewEncoder(bigiplog.Options{Format: "json", Host: "test", PID: 1})
			if err != nil {
				t.Fatal(err)
			}
			var out lockedBuffer
			logger := zap.New(zapcore.NewCore(enc, zapcore.AddSync(&out), zap.InfoLevel))
			srv, err := New(Options{Name: "reuse", Mode: tc.mode, Backend: echoBackend(t), Engine: EngineEpoll},
				Deps{Logger: logger, Reuse: true})
			if err != nil {
				t.Fatal(err)
			}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- srv.Serve(ln) }()

			type sent struct {
				n   int
				sni string
				hex string
			}
			var mu sync.Mutex
			want := map[string]sent{} // by client address
			var wg sync.WaitGroup
			errs := make(chan error, clients)
			for g := range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for k := range each {
						i := g*each + k
						p := tc.first(i)
						from, err := echoOnce(ln.Addr().String(), p)
						if err != nil {
							errs <- fmt.Errorf("client %d: %w", i, err)
							return
						}
						mu.Lock()
						want[from] = sent{n: len(p), sni: tc.sni(i), hex: fmt.Sprintf("%x", p[:6])}
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := srv.Shutdown(ctx); err != nil {
				t.Fatalf("Shutdown: %v", err)
			}
			if err := <-done; err != nil {
				t.Fatalf("Serve: %v", err)
			}

			ids := map[uint64]bool{}
			for _, raw := range bytes.Split([]byte(out.String()), []byte("\n")) {
				var l reusedLine
				if len(raw) == 0 || json.Unmarshal(raw, &l) != nil || l.Conn.Client == "" {
					continue // not a connection line
				}
				w, ok := want[l.Conn.Client]
				if !ok {
					t.Errorf("line for unknown or repeated client %s: %s", l.Conn.Client, raw)
					continue
				}
				delete(want, l.Conn.Client)
				if ids[l.Conn.ID] {
					t.Errorf("id %d logged twice", l.Conn.ID)
				}
				ids[l.Conn.ID] = true
				if l.Conn.BytesUp != int64(w.n) || l.Conn.BytesDown != int64(w.n) || l.Conn.SNI != w.sni ||
					l.Conn.FirstBytes[:min(12, len(l.Conn.FirstBytes))] != w.hex {
					t.Errorf("client %s sent %d bytes (sni %q, first bytes %s); its line says up %d down %d sni %q first bytes %.12s",
						l.Conn.Client, w.n, w.sni, w.hex, l.Conn.BytesUp, l.Conn.BytesDown, l.Conn.SNI, l.Conn.FirstBytes)
				}
			}
			for from := range want {
				t.Errorf("client %s has no line", from)
			}
		})
	}
}

// echoOnce sends p through addr to an echo backend, half-closes, reads the
// echo to the end and returns the client's own address (the line's key).
func echoOnce(addr string, p []byte) (string, error) {
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := c.Write(p); err != nil {
		return "", err
	}
	if err := c.(*net.TCPConn).CloseWrite(); err != nil {
		return "", err
	}
	got, err := io.ReadAll(c)
	if err != nil {
		return "", err
	}
	if !bytes.Equal(got, p) {
		return "", fmt.Errorf("echo of %d bytes came back as %d different bytes", len(p), len(got))
	}
	return c.LocalAddr().String(), nil
}
