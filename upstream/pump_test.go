package upstream

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"syscall"
	"testing"
	"time"
)

// rig is one proxied connection on loopback:
//
//	clientApp ⇄ clientSide [Pump] backendSide ⇄ backendApp
type rig struct {
	clientApp   closeWriter
	clientSide  net.Conn
	backendSide net.Conn
	backendApp  *net.TCPConn
}

// newRig builds the sockets; with useTLS the client leg is TLS terminated at
// the pump (a *tls.Conn server), which takes Pump off the splice path.
func newRig(t testing.TB, useTLS bool) *rig {
	t.Helper()
	ca, cs := tcpPair(t)
	bs, ba := tcpPair(t)
	r := &rig{clientApp: ca, clientSide: cs, backendSide: bs, backendApp: ba}
	if !useTLS {
		return r
	}
	p := newTestPKI(t, "pump CA")
	srv := tls.Server(cs, &tls.Config{Certificates: []tls.Certificate{p.leaf(t)}})
	cli := tls.Client(ca, &tls.Config{RootCAs: p.pool, ServerName: "backend.lab.test"})
	errc := make(chan error, 1)
	go func() { errc <- srv.Handshake() }()
	if err := cli.Handshake(); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	r.clientApp, r.clientSide = cli, srv
	return r
}

type pumpResult struct {
	res Result
	err error
}

func (r *rig) start(firstUp []byte, idle time.Duration) <-chan pumpResult {
	return r.startWith(firstUp, Options{Idle: idle, KeepLast: true}) // Pump's
}

func (r *rig) startWith(firstUp []byte, opt Options) <-chan pumpResult {
	ch := make(chan pumpResult, 1)
	go func() {
		res, err := PumpWith(r.clientSide, r.backendSide, firstUp, opt)
		ch <- pumpResult{res, err}
	}()
	return ch
}

// skipWriter drops the first n bytes written: the part of the client's
// stream the listener already peeked and hands to Pump as firstUp.
type skipWriter struct {
	w io.Writer
	n int
}

func (s *skipWriter) Write(p []byte) (int, error) {
	k := min(s.n, len(p))
	s.n -= k
	if k == len(p) {
		return len(p), nil
	}
	n, err := s.w.Write(p[k:])
	return k + n, err
}

// endpoint sends size bytes from seed then half-closes, while reading the
// other way to EOF; it reports what it sent and what it received.
type endpoint struct {
	sent, got    [32]byte
	gotN         int64
	sendE, readE error
}

func runEndpoint(c closeWriter, seed uint64, size, skip int, wg *sync.WaitGroup) *endpoint {
	e := &endpoint{}
	wg.Add(2)
	go func() {
		defer wg.Done()
		e.sent, e.sendE = stream(&skipWriter{w: c, n: skip}, seed, size)
		if e.sendE == nil {
			e.sendE = c.CloseWrite()
		}
	}()
	go func() {
		defer wg.Done()
		e.gotN, e.got, e.readE = drain(c)
	}()
	return e
}

func TestPumpPayloads(t *testing.T) {
	const firstMax = 517 // a typical ClientHello the listener peeked
	type tc struct {
		size int
		tls  bool
		idle time.Duration
	}
	var tests []tc
	for _, size := range []int{0, 1, 1500, 64 << 10, 8 << 20, 64 << 20} {
		tests = append(tests, tc{size: size})
	}
	for _, size := range []int{0, 1, 1500, 64 << 10, 8 << 20} {
		tests = append(tests, tc{size: size, tls: true})
	}
	// A generous idle timeout exercises the chunked, deadline-armed loop
	// (8 MiB is several chunks) without ever expiring.
	tests = append(tests, tc{size: 8 << 20, idle: 30 * time.Second}, tc{size: 8 << 20, tls: true, idle: 30 * time.Second}, tc{size: 1, idle: 30 * time.Second})

	for _, tt := range tests {
		name := fmt.Sprintf("size=%d/tls=%t/idle=%s", tt.size, tt.tls, tt.idle)
		t.Run(name, func(t *testing.T) {
			r := newRig(t, tt.tls)
			upSeed, downSeed := uint64(tt.size)+1, uint64(tt.size)+2
			first := prefix(upSeed, min(tt.size, firstMax))
			done := r.start(first, tt.idle)

			var wg sync.WaitGroup
			client := runEndpoint(r.clientApp, upSeed, tt.size, len(first), &wg)
			backend := runEndpoint(r.backendApp, downSeed, tt.size, 0, &wg)
			wg.Wait()
			pr := <-done

			for _, e := range []error{pr.err, pr.res.UpErr, pr.res.DownErr, client.sendE, client.readE, backend.sendE, backend.readE} {
				if e != nil {
					t.Fatalf("error: %v (pump %v, up %v, down %v)", e, pr.err, pr.res.UpErr, pr.res.DownErr)
				}
			}
			if pr.res.Up != int64(tt.size) || pr.res.Down != int64(tt.size) {
				t.Errorf("counts up %d down %d, want %d each", pr.res.Up, pr.res.Down, tt.size)
			}
			if backend.gotN != int64(tt.size) || backend.got != client.sent {
				t.Errorf("client→backend: %d bytes, digest match %t", backend.gotN, backend.got == client.sent)
			}
			if client.gotN != int64(tt.size) || client.got != backend.sent {
				t.Errorf("backend→client: %d bytes, digest match %t", client.gotN, client.got == backend.sent)
			}
			if want := prefix(downSeed, min(tt.size, HeadSize)); string(pr.res.DownHead[:pr.res.DownHeadLen]) != string(want) {
				t.Errorf("down head % x, want the backend's first bytes % x", pr.res.DownHead[:pr.res.DownHeadLen], want)
			}
			wantUp := prefix(upSeed, min(tt.size, len(first)+UpHeadSize))[len(first):]
			if got := pr.res.UpHead[:pr.res.UpHeadLen]; string(got) != string(wantUp) {
				t.Errorf("up head % x, want the client's first bytes after the replay % x", got, wantUp)
			}
		})
	}
}

// TestPumpUpHead: the client's first bytes after the replayed ones are
// kept however they arrive, and a client that sends nothing more keeps
// none: in passthrough, the record after the ClientHello.
func TestPumpUpHead(t *testing.T) {
	ccsAlert := []byte("\x14\x03\x03\x00\x01\x01\x17\x03\x03\x00\x13 nineteen bytes....")
	tests := []struct {
		name   string
		idle   time.Duration
		writes [][]byte
		want   []byte
	}{
		{"one read", 0, [][]byte{ccsAlert}, ccsAlert[:UpHeadSize]},
		{"a byte per read", 0, bytesOf(ccsAlert[:20]), ccsAlert[:UpHeadSize]},
		{"a byte per read, idle armed", 30 * time.Second, bytesOf(ccsAlert[:20]), ccsAlert[:UpHeadSize]},
		{"short", 0, [][]byte{ccsAlert[:3]}, ccsAlert[:3]},
		{"nothing", 0, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, false)
			done := r.start([]byte("hello"), tt.idle)
			var sent []byte
			for _, w := range tt.writes {
				sent = append(sent, w...)
			}
			go func() {
				for _, w := range tt.writes {
					_, _ = r.clientApp.Write(w)
					time.Sleep(time.Millisecond) // separate reads, usually
				}
				_ = r.clientApp.CloseWrite()
			}()
			got, err := io.ReadAll(r.backendApp)
			if err != nil {
				t.Fatal(err)
			}
			_ = r.backendApp.CloseWrite()
			pr := <-done
			if pr.err != nil || string(got) != "hello"+string(sent) || pr.res.Up != int64(5+len(sent)) {
				t.Fatalf("backend got %q (%d B counted), client sent %q; pump %v", got, pr.res.Up, sent, pr.err)
			}
			if head := pr.res.UpHead[:pr.res.UpHeadLen]; string(head) != string(tt.want) {
				t.Errorf("up head % x, want % x", head, tt.want)
			}
		})
	}
}

// TestPumpDownHead: the backend's first bytes are kept however they
// arrive, a whole alert record in one read or a byte per read, and
// keeping them changes nothing in what is relayed.
func TestPumpDownHead(t *testing.T) {
	alert := []byte{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28}
	stream := []byte("\x16\x03\x03\x00\x7a\x02\x00\x00\x76 and the rest of a server flight")
	tests := []struct {
		name   string
		tls    bool
		idle   time.Duration
		writes [][]byte
		want   []byte
	}{
		{"alert then close", false, 0, [][]byte{alert}, alert},
		{"alert then close, tls client leg", true, 0, [][]byte{alert}, alert},
		{"alert then close, idle armed", false, 30 * time.Second, [][]byte{alert}, alert},
		{"a byte per read", false, 0, bytesOf(stream[:10]), stream[:HeadSize]},
		{"a byte per read, idle armed", false, 30 * time.Second, bytesOf(stream[:10]), stream[:HeadSize]},
		{"one read", false, 0, [][]byte{stream}, stream[:HeadSize]},
		{"nothing", false, 0, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, tt.tls)
			done := r.start([]byte("hello"), tt.idle)
			var sent []byte
			for _, w := range tt.writes {
				sent = append(sent, w...)
			}
			go func() {
				buf := make([]byte, 5)
				_, _ = io.ReadFull(r.backendApp, buf)
				for _, w := range tt.writes {
					_, _ = r.backendApp.Write(w)
					time.Sleep(time.Millisecond) // separate reads, usually
				}
				_ = r.backendApp.CloseWrite()
			}()
			got, err := io.ReadAll(r.clientApp)
			if err != nil {
				t.Fatal(err)
			}
			_ = r.clientApp.CloseWrite()
			pr := <-done
			if pr.err != nil || string(got) != string(sent) || pr.res.Down != int64(len(sent)) {
				t.Fatalf("client got %q (%d B counted), backend sent %q; pump %v", got, pr.res.Down, sent, pr.err)
			}
			if head := pr.res.DownHead[:pr.res.DownHeadLen]; string(head) != string(tt.want) {
				t.Errorf("down head % x, want % x", head, tt.want)
			}
		})
	}
}

// bytesOf splits b into one-byte writes.
func bytesOf(b []byte) [][]byte {
	out := make([][]byte, len(b))
	for i := range b {
		out[i] = b[i : i+1]
	}
	return out
}

// TestPumpHalfClose is the request/response pattern that breaks proxies
// which close both sides on the first FIN.
func TestPumpHalfClose(t *testing.T) {
	for _, useTLS := range []bool{false, true} {
		t.Run(fmt.Sprintf("tls=%t", useTLS), func(t *testing.T) {
			r := newRig(t, useTLS)
			done := r.start([]byte("GET / HTTP/1.0\r\n"), 0)

			backendErr := make(chan error, 1)
			go func() {
				req, err := io.ReadAll(r.backendApp) // to the client's FIN
				if err == nil && string(req) != "GET / HTTP/1.0\r\n\r\n" {
					err = fmt.Errorf("backend got %q", req)
				}
				if err == nil {
					_, err = io.WriteString(r.backendApp, "HTTP/1.0 200 OK\r\n\r\nbody")
				}
				r.backendApp.Close()
				backendErr <- err
			}()

			if _, err := io.WriteString(r.clientApp, "\r\n"); err != nil {
				t.Fatal(err)
			}
			if err := r.clientApp.CloseWrite(); err != nil {
				t.Fatal(err)
			}
			resp, err := io.ReadAll(r.clientApp)
			if err != nil {
				t.Fatal(err)
			}
			if string(resp) != "HTTP/1.0 200 OK\r\n\r\nbody" {
				t.Errorf("client got %q", resp)
			}
			if err := <-backendErr; err != nil {
				t.Fatal(err)
			}
			pr := <-done
			if pr.err != nil || pr.res.Up != 18 || pr.res.Down != 23 {
				t.Errorf("pump: %+v, %v", pr.res, pr.err)
			}
		})
	}
}

func TestPumpIdle(t *testing.T) {
	tests := []struct {
		name  string
		tls   bool
		setup func(t *testing.T, r *rig) // traffic before the silence
		// idle is longer for cases with a setup, so a slow scheduler cannot
		// expire the pump before the setup's traffic has passed.
		idle time.Duration
		// backendSawEOF: the backend already read the client's FIN, so a
		// read cannot show the reset; a write must.
		backendSawEOF bool
	}{
		{name: "silent from the start"},
		{name: "silent over TLS", tls: true},
		{name: "after an exchange", setup: func(t *testing.T, r *rig) {
			exchange(t, r.clientApp, r.backendApp, "ping")
			exchange(t, r.backendApp, r.clientApp, "pong")
		}, idle: time.Second},
		{name: "client half-closed, backend silent", setup: func(t *testing.T, r *rig) {
			if err := r.clientApp.CloseWrite(); err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 1)
			if n, err := r.backendApp.Read(buf); n != 0 || err != io.EOF {
				t.Fatalf("backend read after client FIN: %d, %v", n, err)
			}
		}, backendSawEOF: true, idle: time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, tt.tls)
			idle := tt.idle
			if idle == 0 {
				idle = 200 * time.Millisecond
			}
			done := r.start(nil, idle)
			if tt.setup != nil {
				tt.setup(t, r)
			}
			pr := <-done
			if !errors.Is(pr.err, ErrIdle) {
				t.Fatalf("pump error %v, want ErrIdle", pr.err)
			}
			if !errors.Is(pr.res.UpErr, ErrIdle) && !errors.Is(pr.res.DownErr, ErrIdle) {
				t.Errorf("neither direction reports ErrIdle: %v / %v", pr.res.UpErr, pr.res.DownErr)
			}
			// Both peers must learn that the connection is gone, by a
			// reset rather than a clean EOF.
			if _, err := io.ReadAll(r.clientApp); !errors.Is(err, syscall.ECONNRESET) {
				t.Errorf("client read: %v, want ECONNRESET", err)
			}
			if tt.backendSawEOF {
				// Bounded: far more than the socket buffers hold.
				if _, err := stream(r.backendApp, 1, 256<<20); err == nil {
					t.Error("backend wrote 256 MiB into an expired connection without an error")
				}
			} else if _, err := io.ReadAll(r.backendApp); !errors.Is(err, syscall.ECONNRESET) {
				t.Errorf("backend read: %v, want ECONNRESET", err)
			}
		})
	}
}

// exchange writes msg on from and reads it back on to.
func exchange(t *testing.T, from, to net.Conn, msg string) {
	t.Helper()
	if _, err := io.WriteString(from, msg); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, len(msg))
	if _, err := io.ReadFull(to, buf); err != nil || string(buf) != msg {
		t.Fatalf("exchange %q: got %q, %v", msg, buf, err)
	}
}

// TestPumpReset checks that an RST on either side tears the other side down
// too, both when idle and in the middle of a transfer.
func TestPumpReset(t *testing.T) {
	tests := []struct {
		name      string
		resetter  string // "client" or "backend"
		streaming bool   // the survivor is sending when the reset comes
		tls       bool
	}{
		{name: "client resets idle", resetter: "client"},
		{name: "backend resets idle", resetter: "backend"},
		{name: "client resets during download", resetter: "client", streaming: true},
		{name: "backend resets during upload", resetter: "backend", streaming: true},
		{name: "backend resets, TLS client", resetter: "backend", tls: true},
		{name: "client resets, TLS client, during download", resetter: "client", streaming: true, tls: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, tt.tls)
			done := r.start(nil, 0)
			var resetter, survivor net.Conn = r.clientApp, r.backendApp
			if tt.resetter == "backend" {
				resetter, survivor = r.backendApp, r.clientApp
			}
			exchange(t, survivor, resetter, "hello")

			sendErr := make(chan error, 1)
			if tt.streaming {
				go func() {
					// Bounded: 256 MiB cannot fit in the socket buffers,
					// so a reset must surface as a write error.
					_, err := stream(survivor, 9, 256<<20)
					sendErr <- err
				}()
				// Wait until the survivor's bytes reach the resetter.
				if _, err := io.ReadFull(resetter, make([]byte, 1)); err != nil {
					t.Fatal(err)
				}
			}
			raw := resetter
			if tc, ok := raw.(*tls.Conn); ok {
				raw = tc.NetConn()
			}
			if err := raw.(*net.TCPConn).SetLinger(0); err != nil {
				t.Fatal(err)
			}
			raw.Close() // RST

			pr := <-done
			if pr.err == nil || errors.Is(pr.err, ErrIdle) {
				t.Errorf("pump error %v, want the reset", pr.err)
			}
			if tt.streaming {
				if err := <-sendErr; err == nil {
					t.Error("survivor wrote 256 MiB into a reset connection without an error")
				}
				return
			}
			_, err := io.ReadAll(survivor)
			if !errors.Is(err, syscall.ECONNRESET) {
				t.Errorf("survivor read: %v, want ECONNRESET", err)
			}
		})
	}
}

func TestSpliceable(t *testing.T) {
	a, b := tcpPair(t)
	tests := []struct {
		name     string
		dst, src net.Conn
		want     bool
	}{
		{"tcp to tcp", a, b, true},
		{"tls dst", tls.Client(a, &tls.Config{}), b, false},
		{"wrapped src", a, &bufConn{Conn: b}, false},
	}
	for _, tt := range tests {
		if got := spliceable(tt.dst, tt.src); got != tt.want {
			t.Errorf("%s: spliceable = %t, want %t", tt.name, got, tt.want)
		}
	}
}

// TestPumpWithReusedBuffers relays connections one after another through
// one Buffers, as a listener worker does, alternating splice and TLS legs
// and sizes so a buffer last used for one kind of flow serves the next.
func TestPumpWithReusedBuffers(t *testing.T) {
	var bufs Buffers
	for i, tt := range []struct {
		size int
		tls  bool
	}{{70 << 10, false}, {3000, true}, {1, false}, {100 << 10, true}, {0, false}, {5000, false}} {
		t.Run(fmt.Sprintf("%d/size=%d/tls=%t", i, tt.size, tt.tls), func(t *testing.T) {
			r := newRig(t, tt.tls)
			upSeed, downSeed := uint64(i)*7+1, uint64(i)*7+2
			first := prefix(upSeed, min(tt.size, 300))
			done := make(chan pumpResult, 1)
			go func() {
				res, err := PumpWith(r.clientSide, r.backendSide, first, Options{Bufs: &bufs})
				done <- pumpResult{res, err}
			}()
			var wg sync.WaitGroup
			client := runEndpoint(r.clientApp, upSeed, tt.size, len(first), &wg)
			backend := runEndpoint(r.backendApp, downSeed, tt.size, 0, &wg)
			wg.Wait()
			pr := <-done
			if pr.err != nil || client.sendE != nil || client.readE != nil || backend.sendE != nil || backend.readE != nil {
				t.Fatalf("errors: pump %v, client %v/%v, backend %v/%v", pr.err, client.sendE, client.readE, backend.sendE, backend.readE)
			}
			if backend.gotN != int64(tt.size) || backend.got != client.sent || client.gotN != int64(tt.size) || client.got != backend.sent {
				t.Errorf("up %d B (digest ok %t), down %d B (digest ok %t), want %d each",
					backend.gotN, backend.got == client.sent, client.gotN, client.got == backend.sent, tt.size)
			}
		})
	}
	if cap(bufs.dir[up]) == 0 || cap(bufs.dir[down]) == 0 {
		t.Errorf("buffers not kept for reuse: up %d, down %d bytes", cap(bufs.dir[up]), cap(bufs.dir[down]))
	}
}
