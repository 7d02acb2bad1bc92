package httpflow

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzTracker splits one input into a client stream and a server stream
// and checks that the tracker never panics, keeps at most max exchanges,
// and reports the same thing whatever the chunking.
func FuzzTracker(f *testing.F) {
	for _, tc := range trackerCases() {
		if len(tc.cli)+len(tc.srv) <= 4096 {
			f.Add([]byte(tc.cli+tc.srv), uint16(len(tc.cli)), uint8(3))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, split uint16, maxEx uint8) {
		cut := int(split) % (len(data) + 1)
		cli, srv := data[:cut], data[cut:]
		m := int(maxEx % 8)

		ref := NewTracker(m)
		clientThenServer(whole)(ref, cli, srv)
		want := snapshot(ref)
		if len(want.Exchanges) > m {
			t.Fatalf("%d exchanges kept, max %d", len(want.Exchanges), m)
		}
		for i, e := range want.Exchanges {
			if e.ReqBodyBytes < 0 || e.RespBodyBytes < 0 || e.Status != 0 && (e.Status < 100 || e.Status > 999) {
				t.Fatalf("exchange %d implausible: %+v", i, e)
			}
		}
		if ref.Err() != nil && !errors.Is(ref.Err(), ErrMalformed) && !errors.Is(ref.Err(), ErrHeadTooLarge) {
			t.Fatalf("error %v wraps neither ErrMalformed nor ErrHeadTooLarge", ref.Err())
		}

		modes := []feedMode{
			{"byte-by-byte", true, clientThenServer(byteByByte)},
			{"random", true, clientThenServer(randomSplit(uint64(split)))},
		}
		if want.Err == "" && len(srv) <= maxHold {
			// A well-formed conversation reads the same in any order.
			modes = append(modes,
				feedMode{"server-first", false, serverThenClient(whole)},
				feedMode{"interleaved", false, interleaved(uint64(split))})
		}
		for _, mode := range modes {
			tr := NewTracker(m)
			mode.feed(tr, cli, srv)
			if got := snapshot(tr); !sameResult(got, want) {
				t.Fatalf("%s feeding differs:\n got %v\nwant %v", mode.name, got, want)
			}
		}
	})
}

// FuzzParseResponseHead checks ParseResponseHead for panics and keeps it
// consistent with RewriteResponseHead.
func FuzzParseResponseHead(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\nStrict-Transport-Security: max-age=1\r\nContent-Length: 2\r\n\r\nok"))
	f.Add([]byte("HTTP/1.1 100 Continue\r\n\r\n"))
	f.Add([]byte("HTTP/1.0 304\nETag: x\n  folded\n\n"))
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 1, 1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 200 OK\r\n"))
	f.Add([]byte("\x16\x03\x01"))
	f.Fuzz(func(t *testing.T, data []byte) {
		status, reason, n, err := ParseResponseHead(data)
		if err != nil {
			if !errors.Is(err, ErrIncomplete) && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrHeadTooLarge) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			if got := RewriteResponseHead(data, []string{"Via"}, map[string]string{"Via": "x"}); !bytes.Equal(got, data) {
				t.Fatalf("rewrite changed a head that does not parse: %q", got)
			}
			return
		}
		if n < len("HTTP/1.1 200\n\n") || n > len(data) || n > MaxHeadBytes || status < 100 || status > 999 {
			t.Fatalf("implausible result %d %q %d", status, reason, n)
		}
		if s2, r2, n2, err2 := ParseResponseHead(data[:n]); s2 != status || r2 != reason || n2 != n || err2 != nil {
			t.Fatalf("head alone parses as (%d, %q, %d, %v)", s2, r2, n2, err2)
		}
		if got := RewriteResponseHead(data, nil, nil); !bytes.Equal(got, data) {
			t.Fatalf("empty rewrite changed the bytes:\n got %q\nwant %q", got, data)
		}
		out := RewriteResponseHead(data, []string{"Strict-Transport-Security", "Content-Length"}, map[string]string{"Via": "1.1 tlsgate"})
		s3, r3, n3, err3 := ParseResponseHead(out)
		if err3 != nil && !errors.Is(err3, ErrHeadTooLarge) || err3 == nil && (s3 != status || r3 != reason) {
			t.Fatalf("rewritten head parses as (%d, %q, %v), want (%d, %q)", s3, r3, err3, status, reason)
		}
		if err3 == nil && !bytes.Equal(out[n3:], data[n:]) {
			t.Fatalf("bytes after the head changed")
		}
	})
}
