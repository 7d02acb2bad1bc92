package probe

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/pki"
)

// Seeds live in testdata/fuzz/FuzzX/; each target checks properties every
// input must keep, not only that nothing panics.

func FuzzParseReply(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte, atEOF bool) {
		r, err := parseReply(b, atEOF)
		if len(b) == 0 {
			if err == nil {
				t.Fatalf("judged an empty reply: %+v", r)
			}
			return
		}
		if atEOF && err != nil {
			t.Fatalf("at EOF a non-empty reply must be judged, got %v", err)
		}
		if err != nil {
			if !errors.Is(err, errNeedMore) {
				t.Fatalf("unexpected error %v", err)
			}
			if len(b) > maxReplyRecord+5 {
				t.Fatalf("still needs more after %d bytes", len(b))
			}
			return
		}
		if r.kind == "" || r.alert < -1 || r.alert > 255 || (r.kind == replyAlert) != (r.alert >= 0) {
			t.Fatalf("inconsistent reply %+v", r)
		}
		if (r.kind == replyServerHello || r.kind == replyHRR) && r.legacy>>8 != 3 {
			t.Fatalf("a ServerHello with legacy_version %#04x, not SSL 3 or TLS: %+v", r.legacy, r)
		}
		if r.kind == replyTLSOther && r.detail == "" {
			t.Fatalf("tls_other without detail: %+v", r)
		}
		// A decision made before EOF holds at EOF and when more bytes come.
		if !atEOF {
			for _, tail := range [][]byte{nil, {'\n'}, {22, 3, 3, 0, 0}, []byte("HTTP/1.1 200 OK\r\n")} {
				r2, err2 := parseReply(append(b[:len(b):len(b)], tail...), tail == nil)
				if err2 != nil || r2.kind != r.kind || r2.version != r.version || r2.alert != r.alert {
					t.Fatalf("decided %+v, then %+v, %v with %q appended", r, r2, err2, tail)
				}
			}
		}
	})
}

func FuzzWalkRecords(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		w := walkRecords(b)
		switch {
		case w.garbage >= len(b) || w.garbage < -1:
			t.Fatalf("garbage offset %d in %d bytes", w.garbage, len(b))
		case w.partial && w.garbage >= 0:
			t.Fatalf("both cut and garbage: %+v", w)
		case w.partial && w.declared >= 0 && w.got >= w.declared:
			t.Fatalf("a cut record that arrived whole: %+v", w)
		case w.partial && w.partialIndex != w.complete+1:
			t.Fatalf("cut record numbered %d after %d whole ones", w.partialIndex, w.complete)
		case w.serverHello && w.complete == 0:
			t.Fatalf("a ServerHello without a whole record: %+v", w)
		case w.complete*5 > len(b):
			t.Fatalf("%d whole records in %d bytes", w.complete, len(b))
		}
		// Walking a prefix never finds more whole records.
		if len(b) > 0 {
			if p := walkRecords(b[:len(b)-1]); p.complete > w.complete {
				t.Fatalf("prefix has %d whole records, the whole stream %d", p.complete, w.complete)
			}
		}
	})
}

func FuzzParseSteps(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		steps, err := ParseSteps(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "probe: ") {
				t.Fatalf("error without the package prefix: %v", err)
			}
			return
		}
		if len(steps) == 0 || !slices.IsSorted(steps) || len(slices.Compact(slices.Clone(steps))) != len(steps) {
			t.Fatalf("%q gave %v", s, steps)
		}
		for _, n := range steps {
			if n < 1 || n > len(AllSteps()) {
				t.Fatalf("%q gave step %d", s, n)
			}
		}
		again, err := ParseSteps(strings.Trim(strings.ReplaceAll(fmt.Sprint(steps), " ", ","), "[]"))
		if err != nil || !slices.Equal(again, steps) {
			t.Fatalf("%v does not round-trip: %v, %v", steps, again, err)
		}
	})
}

func FuzzWithoutKeyShares(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		out, err := withoutKeyShares(b)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "probe: ") || out != nil {
				t.Fatalf("error %v with output %d bytes", err, len(out))
			}
			return
		}
		if len(out) < 9 || out[0] != 22 || out[5] != 1 {
			t.Fatalf("not a ClientHello record: % x", out[:min(len(out), 9)])
		}
		if n := int(out[3])<<8 | int(out[4]); n != len(out)-5 {
			t.Fatalf("record length %d, body %d", n, len(out)-5)
		}
		if n := int(out[6])<<16 | int(out[7])<<8 | int(out[8]); n != len(out)-9 {
			t.Fatalf("handshake length %d, body %d", n, len(out)-9)
		}
		if !bytes.Contains(out, []byte{0, 51, 0, 2, 0, 0}) {
			t.Fatalf("no empty key_share in % x", out)
		}
		again, err := withoutKeyShares(out)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("not idempotent: %v", err)
		}
	})
}

func FuzzParseStaple(f *testing.F) {
	f.Fuzz(func(t *testing.T, der []byte, nowUnix int64) {
		now := time.Unix(nowUnix%(1<<34), 0)
		s, err := parseStaple(der, nil, now)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "probe: ") || s != (staple{}) {
				t.Fatalf("error %v with staple %+v", err, s)
			}
			return
		}
		if !slices.Contains([]string{"good", "revoked", "unknown"}, s.status) {
			t.Fatalf("status %q", s.status)
		}
		if s.notYetValidBy != 0 && (s.notYetValidBy <= pki.OCSPLeeway || s.notYetValidBy != s.thisUpd.Sub(now)) {
			t.Fatalf("not yet valid by %s with thisUpdate %s at %s", s.notYetValidBy, s.thisUpd, now)
		}
		if s.expiredSince != 0 && (s.expiredSince <= pki.OCSPLeeway || s.nextUpd.IsZero() || s.expiredSince != now.Sub(s.nextUpd)) {
			t.Fatalf("expired since %s with nextUpdate %s at %s", s.expiredSince, s.nextUpd, now)
		}
		if revoked := s.status == "revoked"; !revoked && (s.reason != "" || !s.revokedAt.IsZero()) ||
			s.reason != "" && !strings.HasSuffix(s.reason, ")") {
			t.Fatalf("status %s with revocation at %s, reason %q", s.status, s.revokedAt, s.reason)
		}
		if ev := s.evidence(now); !strings.HasPrefix(ev, "stapled OCSP response: "+s.status) {
			t.Fatalf("evidence %q", ev)
		}
	})
}

func FuzzReadDate(f *testing.F) {
	f.Fuzz(func(t *testing.T, date, age string, nowUnix int64) {
		now := time.Unix(nowUnix%(1<<34), 0)
		h := http.Header{}
		h.Set("Date", date)
		h.Set("Age", age)
		r, ok, err := readDate(h, now)
		switch {
		case err != nil:
			if ok || !strings.HasPrefix(err.Error(), "probe: ") {
				t.Fatalf("error %v with ok %t", err, ok)
			}
			return
		case !ok:
			if strings.TrimSpace(date) != "" {
				t.Fatalf("Date %q neither read nor refused", date)
			}
			return
		}
		at, perr := http.ParseTime(strings.TrimSpace(date))
		if perr != nil || r.age < 0 || r.age > 86400 {
			t.Fatalf("read %+v from Date %q (%v)", r, date, perr)
		}
		want := at.Add(time.Duration(r.age) * time.Second).Sub(now)
		if want == math.MinInt64 {
			want = -math.MaxInt64 // Sub saturated; readDate keeps the directions symmetric
		}
		if r.skew != want {
			t.Fatalf("skew %s, want %s", r.skew, want)
		}
		if r.skewed() != (r.skew > dateTolerance || -r.skew > dateTolerance) || !strings.HasPrefix(r.evidence(now), "Date: ") {
			t.Fatalf("reading %+v", r)
		}
	})
}
