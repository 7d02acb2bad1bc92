package httpflow

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// Heads used by several cases; their lengths are the expected header sizes.
const (
	getA    = "GET /a HTTP/1.1\r\nHost: lab.test\r\n\r\n"
	getB    = "GET /b?q=1 HTTP/1.1\r\nHost: lab.test\r\n\r\n"
	ok5     = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
	okChunk = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
)

type trackerCase struct {
	name     string
	cli, srv string
	max      int // 0 means 10
	want     []Exchange
	dropped  int
	err      error // errors.Is target; nil for none
	errHas   string
}

func trackerCases() []trackerCase {
	post := "POST /submit HTTP/1.1\r\nHost: lab.test\r\nContent-Length: 11\r\n\r\n"
	created := "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n"
	chunkReq := "PUT /up HTTP/1.1\r\nHost: lab.test\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
	chunkBody := "4;name=value\r\nWiki\r\n5 ; a=\"b\"\r\npedia\r\n0\r\nX-Checksum: 99\r\nX-Other: 1\r\n\r\n"
	respChunks := "A\r\n0123456789\r\n001\r\nx\r\n0;last\r\n\r\n"
	head := "HEAD /big HTTP/1.1\r\nHost: lab.test\r\n\r\n"
	headResp := "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"
	cond := "GET /c HTTP/1.1\r\nHost: lab.test\r\nIf-None-Match: \"x\"\r\n\r\n"
	notMod := "HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\nETag: \"x\"\r\n\r\n"
	noContent := "HTTP/1.1 204 No Content\r\n\r\n"
	expect := "POST /e HTTP/1.1\r\nHost: lab.test\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"
	cont := "HTTP/1.1 100 Continue\r\n\r\n"
	hints := "HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n"
	ok2 := "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n"
	ok3 := "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n"
	closeResp := "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"
	gzipResp := "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"
	get10 := "GET /old HTTP/1.0\r\n\r\n"
	ws := "GET /ws HTTP/1.1\r\nHost: lab.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
	switching := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
	h2c := "GET /h2c HTTP/1.1\r\nHost: lab.test\r\nUpgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n"
	h2cPost := "POST /h2c HTTP/1.1\r\nHost: lab.test\r\nUpgrade: h2c\r\nConnection: Upgrade\r\nContent-Length: 6\r\n\r\n"
	h2cSwitch := "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"
	connect := "CONNECT lab.test:443 HTTP/1.1\r\n\r\n"
	established := "HTTP/1.1 200 Connection established\r\n\r\n"
	proxyAuth := "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 6\r\n\r\n"
	absGet := "GET http://lab.test:8080/x HTTP/1.1\r\n\r\n"
	tlsHello := "\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + strings.Repeat("\x00", 40)
	lfGet := "GET /lf HTTP/1.1\nHost: lab.test\n\n"
	lfResp := "HTTP/1.1 200\nContent-Length: 1\n\n"
	folded := "GET /f HTTP/1.1\r\nHost: lab.test\r\nX-Long: a\r\n  b\r\n\r\n"

	ex := func(method, target, host, proto string, reqHead string, reqBody int64, status int, reason string, respHead int, respBody int64) Exchange {
		return Exchange{Method: method, Target: target, Host: host, Proto: proto, Status: status, Reason: reason,
			ReqHeaderBytes: len(reqHead), RespHeaderBytes: respHead, ReqBodyBytes: reqBody, RespBodyBytes: respBody}
	}
	exA := ex("GET", "/a", "lab.test", "HTTP/1.1", getA, 0, 200, "OK", len(ok5), 5)
	upgraded := func(e Exchange) Exchange { e.Upgraded = true; return e }

	var many []Exchange
	for range 60 {
		many = append(many, ex("GET", "/a", "lab.test", "HTTP/1.1", getA, 0, 204, "No Content", len(noContent), 0))
	}

	return []trackerCase{
		{name: "get", cli: getA, srv: ok5 + "hello", want: []Exchange{exA}},
		{
			// Fed server first, each request releases one response from
			// the held bytes and the rest is held again.
			name: "sixty pipelined requests", max: 100,
			cli: strings.Repeat(getA, 60), srv: strings.Repeat(noContent, 60), want: many,
		},
		{
			name: "pipelined with empty lines between",
			cli:  getA + "\r\n" + getB + getA,
			srv:  ok5 + "hello" + okChunk + respChunks + ok2 + "hi",
			want: []Exchange{exA,
				ex("GET", "/b?q=1", "lab.test", "HTTP/1.1", getB, 0, 200, "OK", len(okChunk), 11),
				ex("GET", "/a", "lab.test", "HTTP/1.1", getA, 0, 200, "OK", len(ok2), 2)},
		},
		{
			name: "post with content-length",
			cli:  post + "hello world" + getA, srv: created + "ok" + ok5 + "hello",
			want: []Exchange{ex("POST", "/submit", "lab.test", "HTTP/1.1", post, 11, 201, "Created", len(created), 2), exA},
		},
		{
			name: "chunked both ways with extensions and trailers",
			cli:  chunkReq + chunkBody + getA, srv: okChunk + respChunks + ok5 + "hello",
			want: []Exchange{ex("PUT", "/up", "lab.test", "HTTP/1.1", chunkReq, 9, 200, "OK", len(okChunk), 11), exA},
		},
		{
			name: "head response has no body despite content-length",
			cli:  head + getA, srv: headResp + ok5 + "hello",
			want: []Exchange{ex("HEAD", "/big", "lab.test", "HTTP/1.1", head, 0, 200, "OK", len(headResp), 0), exA},
		},
		{
			name: "304 and 204 have no body",
			cli:  cond + getA + getA, srv: notMod + noContent + ok5 + "hello",
			want: []Exchange{
				ex("GET", "/c", "lab.test", "HTTP/1.1", cond, 0, 304, "Not Modified", len(notMod), 0),
				ex("GET", "/a", "lab.test", "HTTP/1.1", getA, 0, 204, "No Content", len(noContent), 0), exA},
		},
		{
			name: "100-continue",
			cli:  expect + "data" + getA, srv: cont + ok2 + "ok" + ok5 + "hello",
			want: []Exchange{ex("POST", "/e", "lab.test", "HTTP/1.1", expect, 4, 200, "OK", len(cont)+len(ok2), 2), exA},
		},
		{
			name: "103 early hints then final",
			cli:  getA, srv: hints + cont + ok5 + "hello",
			want: []Exchange{ex("GET", "/a", "lab.test", "HTTP/1.1", getA, 0, 200, "OK", len(hints)+len(cont)+len(ok5), 5)},
		},
		{
			name: "body until close",
			cli:  getA + getB, srv: closeResp + strings.Repeat("z", 1000) + "HTTP/1.1 200 OK\r\n\r\n",
			want: []Exchange{ex("GET", "/a", "lab.test", "HTTP/1.1", getA, 0, 200, "OK", len(closeResp), 1019),
				ex("GET", "/b?q=1", "lab.test", "HTTP/1.1", getB, 0, 0, "", 0, 0)},
		},
		{
			name: "transfer-encoding not ending in chunked reads until close",
			cli:  getA, srv: gzipResp + "\x1f\x8b\x08\x00compressed",
			want: []Exchange{ex("GET", "/a", "lab.test", "HTTP/1.1", getA, 0, 200, "OK", len(gzipResp), 14)},
		},
		{
			name: "http/1.0 without host",
			cli:  get10, srv: "HTTP/1.0 200 OK\r\n\r\nold",
			want: []Exchange{ex("GET", "/old", "", "HTTP/1.0", get10, 0, 200, "OK", 19, 3)},
		},
		{
			name: "websocket upgrade stops tracking",
			cli:  ws + "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", srv: switching + "\x81\x05Hello",
			want: []Exchange{upgraded(ex("GET", "/ws", "lab.test", "HTTP/1.1", ws, 0, 101, "Switching Protocols", len(switching), 0))},
		},
		{
			// The body precedes the switch, so it is counted whether the
			// 101 is seen before or after it.
			name: "upgrade request with a body",
			cli:  h2cPost + "abcdef" + "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", srv: h2cSwitch + "\x00\x00\x06\x04\x00",
			want: []Exchange{upgraded(ex("POST", "/h2c", "lab.test", "HTTP/1.1", h2cPost, 6, 101, "Switching Protocols", len(h2cSwitch), 0))},
		},
		{
			name: "refused upgrade stays http",
			cli:  h2c + getA, srv: ok2 + "no" + ok5 + "hello",
			want: []Exchange{ex("GET", "/h2c", "lab.test", "HTTP/1.1", h2c, 0, 200, "OK", len(ok2), 2), exA},
		},
		{
			name: "connect tunnel with optimistic client data",
			cli:  connect + tlsHello, srv: established + "\x16\x03\x03\x00\x7a\x02",
			want: []Exchange{upgraded(ex("CONNECT", "lab.test:443", "lab.test:443", "HTTP/1.1", connect, 0, 200, "Connection established", len(established), 0))},
		},
		{
			name: "refused connect then absolute-form request",
			cli:  connect + absGet, srv: proxyAuth + "denied" + ok3 + "abc",
			want: []Exchange{
				ex("CONNECT", "lab.test:443", "lab.test:443", "HTTP/1.1", connect, 0, 407, "Proxy Authentication Required", len(proxyAuth), 6),
				ex("GET", "http://lab.test:8080/x", "lab.test:8080", "HTTP/1.1", absGet, 0, 200, "OK", len(ok3), 3)},
		},
		{
			name: "exchanges beyond max are framed and counted",
			max:  2,
			cli:  getA + post + "hello world" + head + getA,
			srv:  ok5 + "hello" + created + "ok" + headResp + ok5 + "hello",
			want: []Exchange{exA, ex("POST", "/submit", "lab.test", "HTTP/1.1", post, 11, 201, "Created", len(created), 2)}, dropped: 2,
		},
		{
			name: "bare LF line ends and no reason phrase",
			cli:  lfGet, srv: lfResp + "x",
			want: []Exchange{ex("GET", "/lf", "lab.test", "HTTP/1.1", lfGet, 0, 200, "", len(lfResp), 1)},
		},
		{
			name: "obs-fold in a field that does not frame",
			cli:  folded, srv: ok5 + "hello",
			want: []Exchange{ex("GET", "/f", "lab.test", "HTTP/1.1", folded, 0, 200, "OK", len(ok5), 5)},
		},
		{
			name: "request in flight",
			cli:  post + "hell", srv: "",
			want: []Exchange{ex("POST", "/submit", "lab.test", "HTTP/1.1", post, 4, 0, "", 0, 0)},
		},
		{
			name: "zero max keeps nothing",
			max:  -1,
			cli:  getA + getA, srv: ok5 + "hello" + ok5 + "hello", dropped: 2,
		},

		// Malformed input: an error, exchanges up to it, never a panic.
		{
			name: "bad chunk size", cli: chunkReq + "zz\r\n", srv: ok2 + "ok",
			want: []Exchange{ex("PUT", "/up", "lab.test", "HTTP/1.1", chunkReq, 0, 0, "", 0, 0)},
			err:  ErrMalformed, errHas: "byte 0x7a in chunk size after 0 hex digits (client request 1, stream byte 70)",
		},
		{
			name: "chunk size overflow", cli: getA, srv: okChunk + strings.Repeat("f", 17) + "\r\n",
			want: []Exchange{ex("GET", "/a", "lab.test", "HTTP/1.1", getA, 0, 200, "OK", len(okChunk), 0)},
			err:  ErrMalformed, errHas: "more than 15 significant hex digits",
		},
		{
			name: "chunk data without CRLF", cli: getA, srv: okChunk + "3\r\nabcd\r\n0\r\n\r\n",
			want: []Exchange{ex("GET", "/a", "lab.test", "HTTP/1.1", getA, 0, 200, "OK", len(okChunk), 3)},
			err:  ErrMalformed, errHas: "instead of CRLF after chunk data",
		},
		{
			name: "huge request header", cli: getA + "GET / HTTP/1.1\r\nX-Big: " + strings.Repeat("a", 70000) + "\r\n\r\n",
			want: []Exchange{ex("GET", "/a", "lab.test", "HTTP/1.1", getA, 0, 0, "", 0, 0)},
			err:  ErrHeadTooLarge, errHas: "(client request 2, stream byte 35)",
		},
		{
			name: "huge response header", cli: getA, srv: "HTTP/1.1 200 OK\r\nX-Big: " + strings.Repeat("b", 70000),
			want: []Exchange{ex("GET", "/a", "lab.test", "HTTP/1.1", getA, 0, 0, "", 0, 0)},
			err:  ErrHeadTooLarge,
		},
		{
			name: "tls record instead of a request", cli: tlsHello,
			err: ErrMalformed, errHas: "byte 0x16 at offset 0 of the request method",
		},
		{
			name: "long non-http stream", cli: tlsHello + strings.Repeat("\x00\r\n", 30000),
			err: ErrMalformed, errHas: "byte 0x16 at offset 0 of the request method",
		},
		{
			name: "request line longer than the head cap", cli: "GET /" + strings.Repeat("a", MaxHeadBytes) + " HTTP/9.9\r\n\r\n",
			err: ErrHeadTooLarge,
		},
		{
			name: "bad version within the cap, head beyond it", cli: "GET / HTTP/9.9\r\nX: " + strings.Repeat("a", MaxHeadBytes) + "\r\n\r\n",
			err: ErrMalformed, errHas: "is not HTTP/1.x",
		},
		{
			name: "http/2 preface", cli: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
			err: ErrMalformed, errHas: "is not HTTP/1.x",
		},
		{
			name: "garbage status line", cli: getA, srv: "HTTP/1.1 2x0 OK\r\n\r\n",
			want: []Exchange{ex("GET", "/a", "lab.test", "HTTP/1.1", getA, 0, 0, "", 0, 0)},
			err:  ErrMalformed, errHas: "three-digit status code",
		},
		{
			name: "not a status line", cli: getA, srv: "SSH-2.0-OpenSSH_9.6\r\n",
			want: []Exchange{ex("GET", "/a", "lab.test", "HTTP/1.1", getA, 0, 0, "", 0, 0)},
			err:  ErrMalformed, errHas: "byte 0x53 at offset 0 of a status line",
		},
		{
			name: "conflicting content-length", cli: "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
			err: ErrMalformed, errHas: "conflicting Content-Length 5 and 6",
		},
		{
			name: "negative content-length", cli: getA, srv: "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
			want: []Exchange{ex("GET", "/a", "lab.test", "HTTP/1.1", getA, 0, 0, "", 0, 0)},
			err:  ErrMalformed, errHas: "is not a decimal number",
		},
		{
			name: "request transfer-encoding without chunked", cli: "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
			err: ErrMalformed, errHas: "does not end in a single chunked",
		},
		{
			name: "folded content-length", cli: "POST / HTTP/1.1\r\nContent-Length: 5\r\n 6\r\n\r\n",
			err: ErrMalformed, errHas: "folded Content-Length",
		},
		{
			name: "space before colon", cli: "GET / HTTP/1.1\r\nHost : lab.test\r\n\r\n",
			err: ErrMalformed, errHas: "byte 0x20 at offset 4 of field name",
		},
		{
			name: "101 to a request that offered no upgrade", cli: getA + getB, srv: switching + ok5,
			want: []Exchange{ex("GET", "/a", "lab.test", "HTTP/1.1", getA, 0, 0, "", 0, 0), ex("GET", "/b?q=1", "lab.test", "HTTP/1.1", getB, 0, 0, "", 0, 0)},
			err:  ErrMalformed, errHas: "101 Switching Protocols answers a request without Upgrade (server response 1, stream byte 0)",
		},
		{
			name: "server talks with no request", srv: strings.Repeat("HTTP/1.1 408 Request Timeout\r\n\r\n", 3000),
			err: ErrMalformed, errHas: "server bytes with no request waiting",
		},
		{
			name: "connect never answered while the client streams", cli: connect + strings.Repeat("\x17", 70000),
			want: []Exchange{ex("CONNECT", "lab.test:443", "lab.test:443", "HTTP/1.1", connect, 0, 0, "", 0, 0)},
			err:  ErrMalformed, errHas: "after a CONNECT or Upgrade request with no response yet (client request 1, stream byte 33)",
		},
	}
}

func TestTracker(t *testing.T) {
	for _, tc := range trackerCases() {
		t.Run(tc.name, func(t *testing.T) {
			max := tc.max
			if max == 0 {
				max = 10
			}
			var first result
			for i, m := range feedModes() {
				if !m.ordered && tc.err != nil {
					continue // who fails first depends on the interleaving
				}
				tr := NewTracker(max)
				m.feed(tr, []byte(tc.cli), []byte(tc.srv))
				got := snapshot(tr)
				if i == 0 {
					first = got
					checkCase(t, tc, tr, got)
					continue
				}
				if !sameResult(got, first) {
					t.Errorf("mode %s differs from whole-stream feeding:\n got %v\nwant %v", m.name, got, first)
				}
			}
		})
	}
}

func checkCase(t *testing.T, tc trackerCase, tr *Tracker, got result) {
	t.Helper()
	// The table leaves RespHeadEnd out (TestRespHeadEnd checks it); the
	// feed modes above still compare it with each other.
	got.Exchanges = slices.Clone(got.Exchanges)
	for i := range got.Exchanges {
		got.Exchanges[i].RespHeadEnd = 0
	}
	if !sameResult(result{Exchanges: got.Exchanges}, result{Exchanges: tc.want}) {
		t.Errorf("exchanges:\n got %v\nwant %v", result{Exchanges: got.Exchanges}, result{Exchanges: tc.want})
	}
	if got.Dropped != tc.dropped {
		t.Errorf("Dropped() = %d, want %d", got.Dropped, tc.dropped)
	}
	err := tr.Err()
	switch {
	case tc.err == nil && err != nil:
		t.Errorf("Err() = %v, want nil", err)
	case tc.err != nil && !errors.Is(err, tc.err):
		t.Errorf("Err() = %v, want %v", err, tc.err)
	case tc.err != nil && !strings.Contains(err.Error(), tc.errHas):
		t.Errorf("Err() = %q, want it to contain %q", err, tc.errHas)
	}
	if err != nil && !strings.HasPrefix(err.Error(), "httpflow: ") {
		t.Errorf("Err() = %q lacks the package prefix", err)
	}
}

// TestTrackerStopsAfterError checks that bytes after a failure are ignored
// rather than parsed from the middle of a message.
func TestTrackerStopsAfterError(t *testing.T) {
	tr := NewTracker(10)
	tr.Client([]byte("BAD\x00 / HTTP/1.1\r\n\r\n"))
	first := tr.Err()
	if first == nil {
		t.Fatal("no error for a NUL in the method")
	}
	tr.Client([]byte(getA))
	tr.Server([]byte(ok5 + "hello"))
	if got := tr.Exchanges(); len(got) != 0 {
		t.Errorf("exchanges after an error: %+v", got)
	}
	if tr.Err() != first {
		t.Errorf("Err() changed from %v to %v", first, tr.Err())
	}
}

// TestTrackerConcurrent feeds both directions from two goroutines, as the
// listener's pumps do; -race checks the locking.
func TestTrackerConcurrent(t *testing.T) {
	const n = 200
	var cli, srv strings.Builder
	for range n {
		cli.WriteString(getA)
		srv.WriteString(ok5 + "hello")
	}
	tr := NewTracker(n)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for _, c := range randomSplit(7)([]byte(cli.String())) {
			tr.Client(c)
		}
	}()
	for _, c := range randomSplit(8)([]byte(srv.String())) {
		tr.Server(c)
		_ = tr.Exchanges()
	}
	<-done
	got := tr.Exchanges()
	if len(got) != n || tr.Err() != nil {
		t.Fatalf("got %d exchanges, err %v; want %d, nil", len(got), tr.Err(), n)
	}
	for i, e := range got {
		if e.Status != 200 || e.RespBodyBytes != 5 || e.Target != "/a" {
			t.Fatalf("exchange %d = %+v", i, e)
		}
	}
}

// TestRespHeadEnd: each exchange records where its final response head
// ends in the server's stream, interim heads, blank lines and earlier
// responses included, whatever the chunking, so a listener can tell
// whether the client got the status the tracker saw.
func TestRespHeadEnd(t *testing.T) {
	const (
		get   = "GET / HTTP/1.1\r\nHost: lab.test\r\n\r\n"
		ok5   = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
		early = "HTTP/1.1 103 Early Hints\r\n\r\n"
		gone  = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
	)
	srv := ok5 + "hello" + "\r\n" + early + gone
	want := []int64{int64(len(ok5)), int64(len(ok5 + "hello" + "\r\n" + early + gone))}
	for _, m := range feedModes() {
		tr := NewTracker(10)
		m.feed(tr, []byte(get+get), []byte(srv))
		var got []int64
		for _, x := range tr.Exchanges() {
			got = append(got, x.RespHeadEnd)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: head ends %v, want %v", m.name, got, want)
		}
	}
	// A head still in flight has no end yet.
	tr := NewTracker(10)
	tr.Client([]byte(get))
	tr.Server([]byte(ok5[:10]))
	if x := tr.Exchanges(); len(x) != 1 || x[0].RespHeadEnd != 0 || x[0].Status != 0 {
		t.Errorf("partial head: %+v", x)
	}
}
