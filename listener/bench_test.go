package listener

import (
	"bufio"
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/tlsgate/tlsgate/bigiplog"
)

// benchResponse is what the bench backend answers every request with.
const benchResponse = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"

// benchBackend serves one short HTTP exchange per connection and closes,
// like tlsgate-load's http backend.
func benchBackend(tb testing.TB) string {
	tb.Helper()
	return serveEach(tb, nil, func(c net.Conn) {
		if skipHeaders(bufio.NewReader(c)) {
			_, _ = io.WriteString(c, benchResponse)
		}
	})
}

// BenchmarkPlainConn is one new plain-HTTP connection through a plaintext
// listener: accept, peek and classify, dial the backend, relay both ways,
// diagnose and log (bigip format, to io.Discard). Its allocs/op is the
// number to watch; the time includes the client and backend, which run in
// this process too. bench/run.sh measures the rate against HAProxy.
func BenchmarkPlainConn(b *testing.B) {
	backend := benchBackend(b)
	enc, err := bigiplog.NewEncoder(bigiplog.Options{Format: "bigip", Host: "bench", PID: 1})
	if err != nil {
		b.Fatal(err)
	}
	logger := zap.New(zapcore.NewCore(enc, zapcore.AddSync(io.Discard), zap.InfoLevel))
	srv, err := New(Options{Name: "bench", Mode: Plaintext, Backend: backend}, Deps{Logger: logger})
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-done
	})
	req := "GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n"
	buf := make([]byte, 512)
	b.ReportAllocs()
	for b.Loop() {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.WriteString(c, req); err != nil {
			b.Fatal(err)
		}
		var got strings.Builder
		for {
			n, err := c.Read(buf)
			got.Write(buf[:n])
			if err != nil {
				break
			}
		}
		_ = c.Close()
		if got.String() != benchResponse {
			b.Fatalf("response %q, want %q", got.String(), benchResponse)
		}
	}
}
