package faults

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"
)

// passLatency is the request-stage latency of these tests: so long that a
// real wait would show, it is never waited for (the Sleep is counted and
// returns at once) and the clock stands still, so each delayed chunk is
// one Sleep of exactly this.
const passLatency = 7 * time.Second

// passRun is what a request-stage latency did to one TLS connection
// passed through it, counted in the Sleeps its delayed chunks took: by the
// time each end finished its handshake, and in all.
type passRun struct {
	atClientHS, atServerHS, total int64
	fires                         int
}

// replayFirst is a conn whose first reads return first, the bytes a
// passthrough listener peeked (the ClientHello) before it wrapped the
// socket.
type replayFirst struct {
	net.Conn
	first []byte
}

func (r *replayFirst) Read(p []byte) (int, error) {
	if len(r.first) > 0 {
		n := copy(p, r.first)
		r.first = r.first[n:]
		return n, nil
	}
	return r.Conn.Read(p)
}

// readRecord reads one whole TLS record from c.
func readRecord(t *testing.T, c net.Conn) []byte {
	t.Helper()
	hdr := make([]byte, 5)
	if _, err := io.ReadFull(c, hdr); err != nil {
		t.Fatal(err)
	}
	body := make([]byte, int(hdr[3])<<8|int(hdr[4]))
	if _, err := io.ReadFull(c, body); err != nil {
		t.Fatal(err)
	}
	return append(hdr, body...)
}

// runPassLatency passes one real TLS connection on loopback through a
// request-stage latency as a passthrough listener does (see
// servePassLatency). The client runs client once both ends finished
// their handshakes, and the server echoes one line if a request comes.
func runPassLatency(t *testing.T, dir Direction, srvCfg, cliCfg *tls.Config, client func(*tls.Conn)) passRun {
	t.Helper()
	srv, cli := loopbackPair(t)
	_ = cli.SetDeadline(time.Now().Add(10 * time.Second))
	tc := tls.Client(cli, cliCfg)
	hsDone := make(chan error, 1)
	go func() { hsDone <- tc.Handshake() }()
	ps := servePassLatency(t, dir, srv, srvCfg)
	if err := <-hsDone; err != nil {
		t.Fatalf("client handshake: %v", err)
	}
	ps.run.atClientHS = ps.delays.Load()
	// The client goes on once the server's count is taken: a request
	// already on its way could be delayed before it.
	<-ps.srvHS
	client(tc)
	return ps.finish()
}

// passServer is the server's side of a connection through a
// request-stage latency: the wrapped socket, the TLS server behind it,
// and the Sleeps the latency took.
type passServer struct {
	plan    *Plan
	wrapped net.Conn
	delays  atomic.Int64
	srvHS   chan struct{} // closed once run.atServerHS is taken
	done    chan struct{} // closed once the server is done
	run     passRun
}

// servePassLatency reads the ClientHello from srv, as a passthrough
// listener does before it wraps the socket, wraps srv with RawTLS and
// serves TLS behind it (the TLS server stands in for the relayed
// backend), echoing one 5-byte line if a request comes.
func servePassLatency(t *testing.T, dir Direction, srv net.Conn, srvCfg *tls.Config) *passServer {
	t.Helper()
	e := NewEngine(nil)
	if err := e.Add(Rule{Name: "slow", Action: ActLatency, Stage: StageRequest, Direction: dir, Latency: Duration(passLatency)}); err != nil {
		t.Fatal(err)
	}
	ps := &passServer{plan: e.Plan(ConnInfo{Listener: "l", Index: 1, Hello: testHello()}),
		srvHS: make(chan struct{}), done: make(chan struct{})}
	ws := ps.plan.Wrappers(StageClientHello, StageServerFlight, StageRequest, StageResponse, StageIdle)
	if len(ws) != 1 {
		t.Fatalf("wrappers %v, want the latency", ws)
	}
	frozen := time.Now()
	deps := WrapDeps{Index: 1, RawTLS: true, Now: func() time.Time { return frozen },
		Sleep: func(d time.Duration, done <-chan struct{}) bool {
			if d == passLatency {
				ps.delays.Add(1)
			}
			return true
		}}
	_ = srv.SetDeadline(time.Now().Add(10 * time.Second))
	hello := readRecord(t, srv)
	ps.wrapped = Wrap(srv, ws, FacingClient, deps)
	go func() {
		defer close(ps.done)
		sc := tls.Server(&replayFirst{Conn: ps.wrapped, first: hello}, srvCfg)
		err := sc.Handshake()
		ps.run.atServerHS = ps.delays.Load()
		close(ps.srvHS)
		if err == nil {
			line := make([]byte, 5)
			if _, err := io.ReadFull(sc, line); err == nil {
				_, _ = sc.Write(line)
			}
		}
		_ = sc.Close()
	}()
	return ps
}

// finish waits for the server, closes the socket and settles the plan.
func (ps *passServer) finish() passRun {
	<-ps.done
	_ = ps.wrapped.Close()
	ps.run.total = ps.delays.Load()
	ps.run.fires = len(ps.plan.Settle(ps.wrapped).Names())
	return ps.run
}

// request sends one line and reads the echo, then closes.
func request(t *testing.T) func(*tls.Conn) {
	return func(c *tls.Conn) {
		if _, err := c.Write([]byte("ping\n")); err != nil {
			t.Fatal(err)
		}
		b := make([]byte, 5)
		if _, err := io.ReadFull(c, b); err != nil || string(b) != "ping\n" {
			t.Fatalf("echo %q, %v", b, err)
		}
		_ = c.Close()
	}
}

// TestPassthroughLatencySparesTheHandshake: on passthrough a request-stage
// latency sits on the client's raw socket from its hello on. Its s2c half
// delayed every chunk, the server's handshake flight included, and its
// c2s half the client's Finished: the handshake itself was slowed, which
// on a terminating listener (where the wrapper comes after the handshake)
// it is not. It now delays only the client's application data and what
// the server sends once one came, so neither end has seen a delay when its
// handshake ends, and the request or its answer is delayed.
func TestPassthroughLatencySparesTheHandshake(t *testing.T) {
	cert, pool := selfSignedCert(t)
	for _, dir := range []Direction{S2C, C2S, Both} {
		for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
			t.Run(string(dir)+"/"+tls.VersionName(v), func(t *testing.T) {
				srvCfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: v, MaxVersion: v}
				cliCfg := &tls.Config{ServerName: "lab.test", RootCAs: pool, MinVersion: v, MaxVersion: v}
				run := runPassLatency(t, dir, srvCfg, cliCfg, request(t))
				if run.atClientHS != 0 || run.atServerHS != 0 {
					t.Errorf("delays by the client's handshake end %d, the server's %d; want none", run.atClientHS, run.atServerHS)
				}
				if run.total == 0 || run.fires != 1 {
					t.Errorf("%d delays, %d firings in all; want the request's or the response's, and the rule fired", run.total, run.fires)
				}
			})
		}
	}
}

// TestPassthroughLatencyCountsOnlyRequests: under TLS 1.3 every record
// after the server's hello is type 23, the client's close_notify and an
// mTLS client's Certificate and CertificateVerify included. All but the
// client's first were taken for requests, so a client that closed after
// its handshake, or any client with a certificate, fired the rule (and
// had those records and the server's answer delayed). The sizes the
// suite fixes now tell them apart: only a real request fires it.
func TestPassthroughLatencyCountsOnlyRequests(t *testing.T) {
	cert, pool := selfSignedCert(t)
	clientCert, _ := selfSignedCert(t)
	closeNow := func(c *tls.Conn) { _ = c.Close() } // a close_notify, then FIN
	for _, tt := range []struct {
		name   string
		auth   tls.ClientAuthType
		certs  []tls.Certificate
		client func(t *testing.T) func(*tls.Conn)
		fires  int
	}{
		{"closes after the handshake", tls.NoClientCert, nil, func(*testing.T) func(*tls.Conn) { return closeNow }, 0},
		{"mTLS, closes after the handshake", tls.RequireAnyClientCert, []tls.Certificate{clientCert}, func(*testing.T) func(*tls.Conn) { return closeNow }, 0},
		{"certificate asked, none sent, closes", tls.RequestClientCert, nil, func(*testing.T) func(*tls.Conn) { return closeNow }, 0},
		{"mTLS, sends a request", tls.RequireAnyClientCert, []tls.Certificate{clientCert}, request, 1},
		{"certificate asked, none sent, sends a request", tls.RequestClientCert, nil, request, 1},
	} {
		for _, dir := range []Direction{S2C, C2S, Both} {
			for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
				t.Run(tt.name+"/"+string(dir)+"/"+tls.VersionName(v), func(t *testing.T) {
					srvCfg := &tls.Config{Certificates: []tls.Certificate{cert}, ClientAuth: tt.auth, MinVersion: v, MaxVersion: v}
					cliCfg := &tls.Config{ServerName: "lab.test", RootCAs: pool, Certificates: tt.certs, MinVersion: v, MaxVersion: v}
					run := runPassLatency(t, dir, srvCfg, cliCfg, tt.client(t))
					if run.atClientHS != 0 || run.atServerHS != 0 {
						t.Errorf("delays by the client's handshake end %d, the server's %d; want none", run.atClientHS, run.atServerHS)
					}
					if run.fires != tt.fires || tt.fires == 0 && run.total != 0 {
						t.Errorf("%d firings, %d delays in all; want %d firings", run.fires, run.total, tt.fires)
					}
				})
			}
		}
	}
}

// TestLatencyWriteCountsQueuedChunk: a write with spared bytes queues two
// chunks. If the connection ends after the first went in, Write returned
// 0 though the spared bytes were queued (and are delivered): it must
// return their count with the error, as io.Writer says.
func TestLatencyWriteCountsQueuedChunk(t *testing.T) {
	k := newCtl(nil, WrapDeps{Now: time.Now})
	l := newLatency(nil, k, time.Second, 0, nil)
	l.q = make(chan lchunk, 1) // room for the spared chunk only
	l.started = true           // no delivery goroutine: the queue stays full
	l.spared = func(p []byte) int { return 2 }
	type res struct {
		n   int
		err error
	}
	got := make(chan res, 1)
	go func() {
		n, err := l.Write([]byte("abcdef"))
		got <- res{n, err}
	}()
	deadline := time.Now().Add(10 * time.Second)
	for len(l.q) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the spared chunk was never queued")
		}
		time.Sleep(time.Millisecond)
	}
	close(l.done) // the delivery goroutine's exit, as after a failed write
	select {
	case r := <-got:
		if r.n != 2 || !errors.Is(r.err, net.ErrClosed) {
			t.Errorf("Write = %d, %v; want 2 (the spared bytes queued), %v", r.n, r.err, net.ErrClosed)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Write did not return after the queue closed")
	}
}
