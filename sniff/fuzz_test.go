package sniff

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// Seeds live in testdata/fuzz/FuzzX/; the checks below are properties every
// input must keep, not just "does not panic".

func FuzzClassify(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := Classify(b)
		// CouldBeTLS agrees with Classify: bytes proven TLS could be TLS,
		// and bytes proven something else (or nothing) could not.
		if err == nil && (k == TLSHandshake || k == TLSOther || k == SSLv2Hello) != CouldBeTLS(b) {
			t.Fatalf("Classify says %v, CouldBeTLS says %v, for % x", k, CouldBeTLS(b), b)
		}
		// Two bytes only TLS begins are undecided, and could be TLS.
		if TLSRecordPrefix(b) && (!errors.Is(err, ErrNeedMore) || !CouldBeTLS(b)) {
			t.Fatalf("TLSRecordPrefix, but Classify says %v, %v and CouldBeTLS %v: % x", k, err, CouldBeTLS(b), b)
		}
		// So are the bytes a hello may stall after.
		if StalledHello(b) && (!errors.Is(err, ErrNeedMore) || !CouldBeTLS(b)) {
			t.Fatalf("StalledHello, but Classify says %v, %v and CouldBeTLS %v: % x", k, err, CouldBeTLS(b), b)
		}
		if errors.Is(err, ErrNeedMore) {
			if k != Unknown || len(b) >= MaxClassifyBytes {
				t.Fatalf("need more with kind %v after %d bytes", k, len(b))
			}
			return
		}
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		// Records crypto/tls drops before a hello are records all the same.
		if HelloMayFollow(b) && k != TLSOther {
			t.Fatalf("HelloMayFollow, but classified %v: % x", k, b)
		}
		// A line recognised whatever its method parses as a request.
		if k == HTTP1 && requestLineVerdict(b) == yes {
			if _, err := ParseHTTPRequest(b[:bytes.IndexByte(b, '\n')+1]); err != nil {
				t.Fatalf("classified http but the line does not parse: %v", err)
			}
		}
		// A decision never changes when more bytes arrive.
		for _, tail := range [][]byte{{0}, {0xff, 'G'}, []byte(" HTTP/1.1\r\n")} {
			k2, err2 := Classify(append(b[:len(b):len(b)], tail...))
			if k2 != k || err2 != nil {
				t.Fatalf("decided %v, then %v, %v with %q appended", k, k2, err2, tail)
			}
		}
	})
}

func FuzzParseClientHello(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := ParseClientHello(b)
		if err != nil {
			var he *HelloError
			switch {
			case errors.Is(err, ErrNeedMore):
				if len(b) >= MaxHelloBytes {
					t.Fatalf("need more after %d bytes", len(b))
				}
			case !errors.As(err, &he):
				t.Fatalf("error %v is neither ErrNeedMore nor *HelloError", err)
			case he.Offset < 0 || he.Offset > len(b):
				t.Fatalf("offset %d outside %d bytes: %v", he.Offset, len(b), err)
			}
			return
		}
		// Skipped alerts are 7-byte records counted in WireLen.
		if h.WireLen > len(b) || h.WireLen > MaxHelloBytes || h.Records < 1 ||
			h.HandshakeLen+4+5*h.Records+AlertRecordLen*len(h.Skipped) != h.WireLen {
			t.Fatalf("inconsistent sizes: %+v for %d bytes", h, len(b))
		}
		for _, s := range h.Skipped {
			if b[s.Offset] != 21 || b[s.Offset+5] != 1 || s.Desc == 0 || b[s.Offset+6] != s.Desc {
				t.Fatalf("skipped %+v is no warning alert: % x", s, b[s.Offset:s.Offset+AlertRecordLen])
			}
		}
		// Where Classify calls the first record a TLS one (minor version
		// 0-4, as HelloMayFollow asks), the listener must go on to the
		// hello after a skipped alert. Past that range (crypto/tls still
		// skips an alert versioned 0x0330) Classify calls the stream no
		// TLS at all and the listener never parses it, so HelloMayFollow's
		// answer there is not used.
		if k, err := Classify(b[:AlertRecordLen]); err == nil && k == TLSOther &&
			len(h.Skipped) > 0 && h.Skipped[0].Offset == 0 && !HelloMayFollow(b) {
			t.Fatalf("a hello after a skipped alert, but HelloMayFollow is false for % x", b[:AlertRecordLen])
		}
		// The record that ends the hello is whole, and every prefix
		// short of its end is a valid prefix: the parser asks for more.
		end := recordEnd(b, h.WireLen)
		if end > len(b) {
			t.Fatalf("hello ends in a record that ends at %d, beyond the %d bytes", end, len(b))
		}
		for _, cut := range []int{h.WireLen - 1, end - 1} {
			if _, err := ParseClientHello(b[:cut]); !errors.Is(err, ErrNeedMore) {
				t.Fatalf("prefix of %d bytes of a good hello: %v", cut, err)
			}
		}
		ja4 := JA4(h)
		if len(ja4) != 36 || ja4[0] != 't' {
			t.Fatalf("JA4 %q", ja4)
		}
		if raw, hash := JA3(h); raw == "" || len(hash) != 32 {
			t.Fatalf("JA3 %q %q", raw, hash)
		}
		_ = VersionName(h.MaxVersion())
		_ = VersionName(h.MinVersion())
	})
}

func FuzzParseSSLv2Hello(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := ParseSSLv2Hello(b)
		if err != nil {
			var he *HelloError
			if !errors.Is(err, ErrNeedMore) && !errors.As(err, &he) {
				t.Fatalf("error %v is neither ErrNeedMore nor *HelloError", err)
			}
			return
		}
		if h.WireLen > len(b) || len(h.CipherSpecs) == 0 {
			t.Fatalf("inconsistent hello %+v for %d bytes", h, len(b))
		}
		if _, err := ParseSSLv2Hello(b[:h.WireLen-1]); !errors.Is(err, ErrNeedMore) {
			t.Fatalf("prefix of a good hello: %v", err)
		}
		if k, err := Classify(b); k != SSLv2Hello || err != nil {
			t.Fatalf("parsed as SSLv2 but classified %v, %v", k, err)
		}
	})
}

func FuzzParseHTTPRequest(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		req, err := ParseHTTPRequest(b)
		if errors.Is(err, ErrNeedMore) {
			if bytes.IndexByte(b, '\n') >= 0 || len(b) > MaxRequestLine {
				t.Fatalf("need more although the line ended or the cap passed (%d bytes)", len(b))
			}
			return
		}
		if err != nil {
			return
		}
		if req.Method == "" || len(req.Proto) != 8 || req.Target == "" {
			t.Fatalf("incomplete request %+v", req)
		}
		// An HTTP/1 line with an upper-case method of sane length is
		// HTTP/1 to Classify too, unless a fixed signature claims it.
		m := req.Method
		if m[0] >= 'A' && m[0] <= 'Z' && len(m) <= maxMethodLen && m != "PRI" && req.Proto[:7] == "HTTP/1." {
			if k, err := Classify(b); err != nil || (k != HTTP1 && k != ProxyV1 && k != SSH) {
				t.Fatalf("request %+v classified %v, %v", req, k, err)
			}
		}
		for _, s := range []string{req.Method, req.Target, req.Proto, req.Host} {
			if bytes.ContainsAny([]byte(s), "\r\n") {
				t.Fatalf("line break inside a field: %+v", req)
			}
		}
	})
}

func FuzzParseAlert(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		level, desc, ok := ParseAlert(b)
		if !ok {
			if level != 0 || desc != 0 {
				t.Fatalf("not ok but level %d desc %d", level, desc)
			}
			return
		}
		if level != 1 && level != 2 {
			t.Fatalf("level %d", level)
		}
		// Records are walked from the start, so more bytes change nothing.
		if l2, d2, ok2 := ParseAlert(append(b[:len(b):len(b)], 21, 3, 3, 0, 2, 1, 0)); !ok2 || l2 != level || d2 != desc {
			t.Fatalf("alert changed with bytes appended")
		}
		_ = AlertName(desc)
	})
}

func FuzzFirstRecordAlert(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		v, level, desc, ok := FirstRecordAlert(b)
		if !ok {
			if v != 0 || level != 0 || desc != 0 {
				t.Fatalf("not ok but version %#04x level %d desc %d", v, level, desc)
			}
			return
		}
		if len(b) < AlertRecordLen || (level != 1 && level != 2) || (v != 0 && (v < 0x0300 || v > 0x0304)) {
			t.Fatalf("ok for % x: version %#04x level %d", b, v, level)
		}
		// Only the first record counts: bytes after it change nothing.
		if v2, l2, d2, ok2 := FirstRecordAlert(append(b[:len(b):len(b)], 0x16, 0x03, 0x03)); !ok2 || v2 != v || l2 != level || d2 != desc {
			t.Fatalf("alert changed with bytes appended")
		}
		if _, _, _, ok := FirstRecordAlert(b[:AlertRecordLen-1]); ok {
			t.Fatalf("ok with %d bytes", AlertRecordLen-1)
		}
		// ParseAlert walks records from the same start, so it finds the
		// same alert in every SSL 3/TLS record version.
		if v != 0 {
			if l2, d2, ok2 := ParseAlert(b); !ok2 || l2 != level || d2 != desc {
				t.Fatalf("ParseAlert = %d, %d, %v; FirstRecordAlert = %d, %d", l2, d2, ok2, level, desc)
			}
		}
	})
}

// FuzzClientAfterHello: whatever the bytes, a verdict needs the hello's
// end to be known and keeps its promises: an alert is read from a
// two-byte alert record, an encrypted alert is the last thing sent, and
// more kept bytes never change a verdict on a complete record.
func FuzzClientAfterHello(f *testing.F) {
	f.Fuzz(func(t *testing.T, helloLen int, head []byte, extra int64) {
		if extra < 0 || extra > 1<<40 {
			extra = 0
		}
		up := int64(helloLen) + int64(len(head)) + extra
		e := ClientAfterHello(helloLen, head, up)
		if e.Kind != ClientEndUnknown && helloLen <= 0 {
			t.Fatalf("verdict %+v without a hello", e)
		}
		rec := head
		if e.CCS {
			rec = head[len(ccsRecord):]
		}
		switch e.Kind {
		case ClientEndAlert:
			if rec[0] != 21 || rec[4] != 2 || rec[5] != e.Level || rec[6] != e.Desc {
				t.Fatalf("alert %+v from % x", e, head)
			}
		case ClientEndEncryptedAlert:
			if rec[0] != 23 || up-int64(helloLen) != int64(len(head)-len(rec))+5+EncryptedAlertLen {
				t.Fatalf("encrypted alert %+v from % x with %d more", e, head, extra)
			}
		case ClientEndSilent:
			if len(head) != 0 || extra != 0 {
				t.Fatalf("silent with % x and %d more", head, extra)
			}
		}
		if e.Kind == ClientEndAlert && extra > 0 {
			// The alert record was whole in head: more kept bytes agree.
			if e2 := ClientAfterHello(helloLen, append(head[:len(head):len(head)], 0), up); e2 != e {
				t.Fatalf("%+v, then %+v with one more byte", e, e2)
			}
		}
	})
}

func FuzzParseTarget(f *testing.F) {
	f.Fuzz(func(t *testing.T, method, target string) {
		tg, err := ParseTarget(method, target)
		if err != nil {
			return
		}
		switch tg.Form {
		case OriginForm:
			if tg.Path != target {
				t.Fatalf("origin-form path %q from %q", tg.Path, target)
			}
		case AbsoluteForm:
			// The parts must be safe to put back together into a
			// Location: a path that begins the path, an authority
			// without a path, query, fragment or userinfo in it.
			if !strings.HasPrefix(tg.Path, "/") || strings.ContainsAny(tg.Authority, "/?#@") ||
				strings.Contains(tg.Path, "#") || tg.Scheme != strings.ToLower(tg.Scheme) || !isScheme(tg.Scheme) {
				t.Fatalf("absolute-form %+v from %q", tg, target)
			}
		}
	})
}

// FuzzServerHelloVersion: never panics; an error comes with no version
// (nor, from ServerHelloChoice, a suite), and ServerHelloChoice agrees;
// need-more is only said of a prefix of a
// ServerHello record (a longer stream decides); and bytes after the first
// record change nothing.
func FuzzServerHelloVersion(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := ServerHelloVersion(b)
		if err != nil && v != 0 {
			t.Fatalf("version 0x%04x with error %v", v, err)
		}
		if v2, suite, err2 := ServerHelloChoice(b); v2 != v || (err2 == nil) != (err == nil) || err2 != nil && suite != 0 {
			t.Fatalf("ServerHelloChoice 0x%04x, 0x%04x, %v; ServerHelloVersion 0x%04x, %v", v2, suite, err2, v, err)
		}
		if err != nil && !errors.Is(err, ErrNeedMore) && !errors.Is(err, ErrNotServerHello) {
			t.Fatalf("error %v is neither need-more nor not-a-ServerHello", err)
		}
		if errors.Is(err, ErrNeedMore) && len(b) >= 5 && len(b) >= 5+(int(b[3])<<8|int(b[4])) {
			t.Fatalf("need more with the whole first record in: % x", b)
		}
		if err == nil || !errors.Is(err, ErrNeedMore) {
			v2, err2 := ServerHelloVersion(append(b[:len(b):len(b)], 23, 3, 3, 0, 1, 0))
			if v2 != v || (err2 == nil) != (err == nil) {
				t.Fatalf("0x%04x, %v; then 0x%04x, %v with a record appended", v, err, v2, err2)
			}
		}
	})
}

// recordEnd walks the record headers of b from its start to the record
// that holds stream offset at-1, and returns where that record ends.
func recordEnd(b []byte, at int) int {
	pos := 0
	for {
		end := pos + 5 + (int(b[pos+3])<<8 | int(b[pos+4]))
		if end >= at {
			return end
		}
		pos = end
	}
}

// FuzzHelloRetryOnly: never panics; a retry-only stream stays one with a
// CCS appended and stops being one with a handshake record or an alert
// appended, since then the server answered the second hello.
func FuzzHelloRetryOnly(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		if !HelloRetryOnly(b) {
			return
		}
		if b[0] != 22 {
			t.Fatalf("retry-only, but the first record is type %d", b[0])
		}
		// Only whole records extend a stream that ends on a record
		// boundary; a cut CCS header would swallow what follows.
		if !recordsWhole(b) {
			return
		}
		b = b[:len(b):len(b)]
		if !HelloRetryOnly(append(b, 20, 3, 3, 0, 1, 1)) {
			t.Fatalf("a CCS after the retry ended it: % x", b)
		}
		if HelloRetryOnly(append(b, 22, 3, 3, 0, 4, 2, 0, 0, 0)) || HelloRetryOnly(append(b, 21, 3, 3, 0, 2, 2, 47)) {
			t.Fatalf("still retry-only after another record: % x", b)
		}
	})
}

// recordsWhole says b is a run of whole TLS records.
func recordsWhole(b []byte) bool {
	for len(b) > 0 {
		if len(b) < 5 || len(b) < 5+(int(b[3])<<8|int(b[4])) {
			return false
		}
		b = b[5+(int(b[3])<<8|int(b[4])):]
	}
	return true
}

// FuzzRecordScan: a stream cut into two reads at any point gives the same
// record headers, body bytes and lost point as the stream read whole, and
// ClientFlight's verdicts on those records do not depend on the cut.
func FuzzRecordScan(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte, cut uint16, tls13 bool) {
		type hdr struct {
			typ uint8
			n   int
		}
		scan := func(parts ...[]byte) (hs []hdr, body []byte, reqs []bool, lost bool) {
			var s RecordScan
			var q ClientFlight
			v := uint16(0x0303)
			if tls13 {
				v = 0x0304
			}
			for _, p := range parts {
				was := s.Lost()
				s.Feed(p, func(typ uint8, n int) {
					if n > 0xffff {
						t.Fatalf("record length %d over 16 bits", n)
					}
					hs = append(hs, hdr{typ, n})
					if typ == 23 {
						reqs = append(reqs, q.Request(n, v, 0x1301))
					}
				}, func(at, off, n int) {
					if at < 0 || n <= 0 || at+n > len(p) {
						t.Fatalf("body run %d+%d outside a read of %d", at, n, len(p))
					}
					body = append(body, p[at:at+n]...)
				})
				if !was && s.Lost() && (s.LostAt() < 0 || s.LostAt() > len(p)) {
					t.Fatalf("lost at %d in a read of %d", s.LostAt(), len(p))
				}
			}
			return hs, body, reqs, s.Lost()
		}
		c := int(cut) % (len(b) + 1)
		h1, b1, r1, l1 := scan(b)
		h2, b2, r2, l2 := scan(b[:c], b[c:])
		if l1 != l2 || len(h1) != len(h2) || !bytes.Equal(b1, b2) || len(r1) != len(r2) {
			t.Fatalf("cut at %d: %v %v %v lost %v; whole: %v %v %v lost %v", c, h2, len(b2), r2, l2, h1, len(b1), r1, l1)
		}
		for i := range h1 {
			if h1[i] != h2[i] {
				t.Fatalf("cut at %d: record %d %v, whole %v", c, i, h2[i], h1[i])
			}
		}
		for i := range r1 {
			if r1[i] != r2[i] {
				t.Fatalf("cut at %d: request verdict %d %v, whole %v", c, i, r2[i], r1[i])
			}
		}
	})
}
