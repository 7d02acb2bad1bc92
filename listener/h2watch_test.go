package listener

import (
	"bytes"
	"crypto/tls"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/sniff"
)

// h2Frame builds one HTTP/2 frame with a payload of n bytes of fill.
func h2Frame(typ, flags uint8, stream uint32, n int, fill byte) []byte {
	b := []byte{byte(n >> 16), byte(n >> 8), byte(n), typ, flags, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(b[5:], stream)
	return append(b, bytes.Repeat([]byte{fill}, n)...)
}

const h2PrefaceText = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

// TestH2Watch: what the watch makes of each side's frames, whole and in
// reads of every size: a HEADERS of the backend's on an odd stream is an
// answer; a PUSH_PROMISE, the pushed response on an even stream, a
// RST_STREAM or a GOAWAY is none; a CONTINUATION or trailers open no
// stream; bytes that are no HTTP/2, or backend bytes the watch did not
// see, leave it without a verdict.
func TestH2Watch(t *testing.T) {
	settings := h2Frame(sniff.H2Settings, 0, 0, 12, 0)
	ack := h2Frame(sniff.H2Settings, 1, 0, 0, 0)
	wu := h2Frame(sniff.H2WindowUpdate, 0, 0, 4, 1)
	get := func(id uint32) []byte { return h2Frame(sniff.H2Headers, 0x5, id, 20, 0x01) }
	clientUp := bytes.Join([][]byte{[]byte(h2PrefaceText), settings, wu, get(1)}, nil)
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	frames := func(kv ...uint8) (f [explain.H2Extension + 1]int) {
		for _, k := range kv {
			f[k]++
		}
		return f
	}
	for _, tc := range []struct {
		name     string
		up, down []byte
		unseen   int64 // backend bytes relayed past the watch (a splice)
		want     explain.H2Exchange
	}{
		{"no answer", clientUp, cat(settings, ack, wu), 0,
			explain.H2Exchange{Followed: true, Streams: 1, BackendFrames: frames(sniff.H2Settings, sniff.H2Settings, sniff.H2WindowUpdate)}},
		{"answered", clientUp, cat(settings, h2Frame(sniff.H2Headers, 0x4, 1, 1, 0x88), h2Frame(sniff.H2Data, 1, 1, 5, 'x')), 0,
			explain.H2Exchange{Followed: true, Answered: true}},
		{"padded answer", clientUp, cat(settings, h2Frame(sniff.H2Headers, 0x8|0x4, 1, 30, 0)), 0,
			explain.H2Exchange{Followed: true, Answered: true}},
		{"push is no answer", clientUp, cat(settings, h2Frame(sniff.H2PushPromise, 0x4, 1, 8, 0), h2Frame(sniff.H2Headers, 0x4, 2, 3, 0x88)), 0,
			explain.H2Exchange{Followed: true, Streams: 1, BackendFrames: frames(sniff.H2Settings, sniff.H2PushPromise, sniff.H2Headers)}},
		{"refused", clientUp, cat(settings, h2Frame(sniff.H2RSTStream, 0, 1, 4, 0), h2Frame(sniff.H2GoAway, 0, 0, 8, 0)), 0,
			explain.H2Exchange{Followed: true, Streams: 1, BackendFrames: frames(sniff.H2Settings, sniff.H2RSTStream, sniff.H2GoAway)}},
		{"continuation and trailers open no stream",
			cat(clientUp, h2Frame(sniff.H2Headers, 0, 3, 10, 2), h2Frame(sniff.H2Continuation, 0x4, 3, 6, 3), h2Frame(sniff.H2Headers, 0x5, 3, 4, 4), get(5)),
			settings, 0, explain.H2Exchange{Followed: true, Streams: 3, BackendFrames: frames(sniff.H2Settings)}},
		{"HTTP/1 backend", clientUp, []byte("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n"), 0,
			explain.H2Exchange{Streams: 1}},
		{"backend bytes unseen", clientUp, settings, 4096,
			explain.H2Exchange{Streams: 1, BackendFrames: frames(sniff.H2Settings)}},
		{"client sent no preface", cat(settings, get(1)), settings, 0,
			explain.H2Exchange{BackendFrames: frames(sniff.H2Settings)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for n := 0; n <= max(len(tc.up), len(tc.down)); n++ {
				// The first 24 bytes come as the peek (first); the rest in
				// reads of n bytes, the two sides interleaved.
				w := newH2Watch(tc.up[:min(24, len(tc.up))])
				up, down := tc.up[min(24, len(tc.up)):], tc.down
				for len(up) > 0 || len(down) > 0 {
					k := len(up)
					if n > 0 {
						k = min(n, len(up))
					}
					w.Read(false, up[:k])
					up = up[k:]
					k = len(down)
					if n > 0 {
						k = min(n, len(down))
					}
					w.Read(true, down[:k])
					down = down[k:]
				}
				got := w.result(int64(len(tc.up)), int64(len(tc.down))+tc.unseen)
				if tc.want.Answered {
					// Final once seen: the watch counts nothing after
					// it, so the counts depend on where the reads fell.
					got = explain.H2Exchange{Followed: got.Followed, Answered: got.Answered}
				}
				if got != tc.want {
					t.Fatalf("reads of %d: %+v, want %+v", n, got, tc.want)
				}
			}
		})
	}
}

// quietH2 is a backend that speaks just enough HTTP/2 to take a request:
// it sends its SETTINGS, reads the client's preface and frames up to its
// first HEADERS, then, with answer, a 200 (HPACK 0x88, :status 200) on
// that stream; without, nothing. It then ends its side (closeWrite) and
// reads to the client's end, so its close is a FIN, never a reset of
// unread bytes.
func quietH2(c net.Conn, answer bool, closeWrite func() error) {
	_ = c.SetDeadline(time.Now().Add(30 * time.Second)) // hang guard only
	if _, err := c.Write(h2Frame(sniff.H2Settings, 0, 0, 0, 0)); err != nil {
		return
	}
	pre := make([]byte, len(h2PrefaceText))
	if _, err := io.ReadFull(c, pre); err != nil || string(pre) != h2PrefaceText {
		return
	}
	for {
		var h [9]byte
		if _, err := io.ReadFull(c, h[:]); err != nil {
			return
		}
		if _, err := io.CopyN(io.Discard, c, int64(h[0])<<16|int64(h[1])<<8|int64(h[2])); err != nil {
			return
		}
		if h[3] == sniff.H2Headers {
			if answer {
				_, _ = c.Write(h2Frame(sniff.H2Headers, 0x5, binary.BigEndian.Uint32(h[5:])&0x7fffffff, 1, 0x88))
			}
			break
		}
	}
	_ = closeWrite()
	_, _ = io.Copy(io.Discard, c)
}

// h2cBackend is a Go net/http server speaking h2c (HTTP/2 by prior
// knowledge) that answers every request: the answering twin.
func h2cBackend(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var protos http.Protocols
	protos.SetUnencryptedHTTP2(true)
	srv := &http.Server{Protocols: &protos, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "answered %s over %s", r.URL.Path, r.Proto)
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// curlH2c runs real curl with HTTP/2 prior knowledge against addr.
func curlH2c(t *testing.T, addr string) (int, string) {
	t.Helper()
	bin := needTool(t, "curl", "curl")
	exit, _, stderr := runTool(t, bin, "-q", "-sS", "--noproxy", "*", "--max-time", "20", "-o", "/dev/null",
		"--http2-prior-knowledge", "http://"+addr+"/quiet")
	return exit, stderr
}

// TestH2NoAnswerCurlPlaintext: real curl --http2-prior-knowledge through
// plaintext and auto listeners, on every engine that relays plaintext, to
// a backend that reads the request and closes without a response: ok,
// with the HTTP/2 no-answer warning, which names the frames. The twins
// that answer (the same raw backend with a 200, and Go's net/http over
// h2c) earn none.
func TestH2NoAnswerCurlPlaintext(t *testing.T) {
	quiet := serveEach(t, nil, func(c net.Conn) { quietH2(c, false, c.(*net.TCPConn).CloseWrite) })
	raw200 := serveEach(t, nil, func(c net.Conn) { quietH2(c, true, c.(*net.TCPConn).CloseWrite) })
	goH2c := h2cBackend(t)
	for _, eng := range relayEngines() {
		for _, mode := range []Mode{Plaintext, Auto} {
			for _, be := range []struct {
				name, addr string
				answers    bool
			}{{"quiet", quiet, false}, {"raw_200", raw200, true}, {"net_http_h2c", goH2c, true}} {
				t.Run(fmt.Sprintf("%s/%s/%s", eng, mode, be.name), func(t *testing.T) {
					needEngine(t, eng)
					h := startListener(t, Options{Name: "h2plain", Mode: mode, Engine: eng, Backend: be.addr, PlainBackend: be.addr}, nil)
					exit, stderr := curlH2c(t, h.addr)
					r := h.next()
					warns := strings.Join(r.d.Warnings, "\n")
					if r.d.Code != explain.CodeOK || strings.Contains(warns, "no answer") == be.answers {
						t.Fatalf("code %s warnings %q (curl exit %d %s): want ok, an HTTP/2 no-answer warning %v\nh2 %+v first FIN %s end %q up %d down %d",
							r.d.Code, r.d.Warnings, exit, stderr, !be.answers, r.o.H2, r.o.FirstFIN, r.o.End, r.o.BytesUp, r.o.BytesDown)
					}
					if be.answers {
						if exit != 0 || !r.o.H2.Answered {
							t.Errorf("curl exit %d (%s), h2 %+v: want an answer, seen as one", exit, stderr, r.o.H2)
						}
						return
					}
					if exit != 18 {
						t.Errorf("curl exit %d (%s), want 18: the stream not closed cleanly", exit, stderr)
					}
					for _, want := range []string{"no answer over HTTP/2", "the client opened 1 stream", "sent only connection-level frames (SETTINGS ×1", "closed its side (FIN) first"} {
						if !strings.Contains(warns, want) {
							t.Errorf("warning %q lacks %q", warns, want)
						}
					}
					if !strings.Contains(r.d.ClientSaw, "(18) HTTP/2 stream 1 was not closed cleanly") {
						t.Errorf("client saw %q: want curl's (18)", r.d.ClientSaw)
					}
				})
			}
		}
	}
}

// TestH2NoAnswerInspect: the same through an inspect listener, whose
// client leg mirrors the backend's ALPN h2: real curl --http2 to a TLS
// backend that reads the request and closes (close_notify, then its
// FIN) without a response is warned; the real HTTPS server that answers
// is not.
func TestH2NoAnswerInspect(t *testing.T) {
	sca := newTestServerCA(t)
	cert := sca.leaf(t, "www.lab.test", "lab.test")
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2"}}
	quiet := serveEach(t, nil, func(c net.Conn) {
		tc := tls.Server(c, cfg)
		if tc.Handshake() != nil {
			return
		}
		quietH2(tc, false, func() error {
			_ = tc.CloseWrite()
			return c.(*net.TCPConn).CloseWrite()
		})
	})
	real := realHTTPS(t, cert)
	for _, be := range []struct {
		name, addr string
		answers    bool
	}{{"quiet", quiet, false}, {"answers", real, true}} {
		t.Run(be.name, func(t *testing.T) {
			h := startListener(t, Options{Mode: Inspect, Backend: be.addr,
				ClientSSL: &ClientSSL{}, ServerSSL: &ServerSSL{CAFile: sca.file, Verify: true}}, nil)
			s := curlLab(t, h.addr, "-k", "--http2")
			r := h.next()
			warns := strings.Join(r.d.Warnings, "\n")
			if r.o.ClientTLS.ALPN != "h2" || r.d.Code != explain.CodeOK || strings.Contains(warns, "no answer over HTTP/2") == be.answers {
				t.Fatalf("ALPN %q code %s warnings %q (curl exit %d %s): want ok over h2, an HTTP/2 no-answer warning %v\nh2 %+v first FIN %s end %q",
					r.o.ClientTLS.ALPN, r.d.Code, r.d.Warnings, s.exit, s.out, !be.answers, r.o.H2, r.o.FirstFIN, r.o.End)
			}
			if !be.answers && !strings.Contains(strings.Join(r.d.Checks, "\n"), "curl -v --http2 ") {
				t.Errorf("checks %q: want the direct h2 request", r.d.Checks)
			}
		})
	}
}
