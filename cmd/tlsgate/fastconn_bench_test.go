package main

import (
	"io"
	"net/netip"
	"os"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/tlsgate/tlsgate/admin"
	"github.com/tlsgate/tlsgate/bigiplog"
	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/fastpath"
	"github.com/tlsgate/tlsgate/faults"
	"github.com/tlsgate/tlsgate/listener"
)

// BenchmarkFastConnOK is the user-space work of one short plaintext HTTP
// connection that worked, on the epoll engine, as `tlsgate run` wires it:
// the listener's Open, Decide and Closed with a real Server (fault engine
// without rules), DiagnoseBrief, the bigip log line (to io.Discard) and
// the admin event sink with nobody subscribed. No sockets: the engine's
// and the kernel's share are not in it, so this is the number to cut for
// new connections per second (issue #2).
//
//	go test ./cmd/tlsgate -run '^$' -bench FastConnOK -benchmem -count 5
func BenchmarkFastConnOK(b *testing.B) {
	engine := faults.NewEngine(time.Now)
	api, err := admin.New(admin.Options{Engine: engine, Now: time.Now})
	if err != nil {
		b.Fatal(err)
	}
	sink, err := newEventSink(api, "bench", os.Getpid(), explain.LangEN)
	if err != nil {
		b.Fatal(err)
	}
	enc, err := bigiplog.NewEncoder(bigiplog.Options{Format: "bigip", Host: "bench", PID: os.Getpid(), TMMs: 2})
	if err != nil {
		b.Fatal(err)
	}
	logger := zap.New(zapcore.NewCore(enc, zapcore.AddSync(io.Discard), zap.InfoLevel))
	var ids uint64
	notOK := 0
	deps := listener.Deps{Logger: logger, Now: time.Now, Faults: engine,
		NextID: func() uint64 { ids++; return ids },
		OnOutcome: func(o *explain.Outcome, d *explain.Diagnosis) {
			if !d.OK {
				notOK++
			}
			sink.observe(o, d)
		},
		OnFiring: api.ObserveFiring, OnDown: api.ObserveDown}
	srv, err := listener.New(listener.Options{Name: "web", Mode: listener.Plaintext, Backend: "10.0.0.2:8080"}, deps)
	if err != nil {
		b.Fatal(err)
	}
	h := srv.FastHandler()
	req := []byte("GET / HTTP/1.1\r\nHost: bench\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n")
	const resp = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
	res := fastpath.Result{BackendLocal: netip.MustParseAddrPort("10.0.0.1:41000"),
		BackendRemote: netip.MustParseAddrPort("10.0.0.2:8080"), Up: int64(len(req)), Down: int64(len(resp)),
		FirstFIN: "backend", FirstFINAfter: 200 * time.Microsecond}
	res.DownHeadLen = uint8(copy(res.DownHead[:], resp))
	remote, local := netip.MustParseAddrPort("192.0.2.7:50000"), netip.MustParseAddrPort("10.0.0.1:80")
	b.ReportAllocs()
	for b.Loop() {
		c := &fastpath.Conn{Remote: remote, Local: local, Accepted: time.Now()}
		if v := h.Open(c); v != fastpath.Wait {
			b.Fatalf("Open: verdict %d, want Wait", v)
		}
		if v, _ := h.Decide(c, req); v != fastpath.Relay {
			b.Fatalf("Decide: verdict %d, want Relay", v)
		}
		h.Closed(c, res)
	}
	if notOK > 0 {
		b.Fatalf("%d connections were not diagnosed OK", notOK)
	}
	if ids == 0 {
		b.Fatal("no connection was logged")
	}
}
