package faults

import (
	"bytes"
	"net/http"
	"strings"
	"time"
)

// An http_date rule (failure-catalog.md §2.E clock.http_date) is a
// headEdit by SkewDate: the first HTTP response head on its way to the
// client gets its Date shifted by the rule's skew, as from an origin whose
// clock is wrong; a response without Date gets one, at tlsgate's clock
// plus the skew, as RFC 9110 §6.6.1 has a proxy with a clock add. Nothing
// else in the head changes: Expires, Last-Modified and Set-Cookie keep
// their dates, and max-age values are relative anyway. Later bytes, and
// later responses of a keep-alive connection, pass unchanged.

// SkewDate shifts the Date of the HTTP/1.x response head at the start of
// resp by skew, keeping every other byte: a Date that parses (any of the
// three formats RFC 9110 §5.6.7 accepts) becomes that time plus skew; a
// missing or unparseable one becomes now plus skew (a missing one is
// added after the other fields; a second Date field is dropped: a
// recipient cannot tell which one counts). The new value is in
// the IMF-fixdate format. complete is false while resp does not yet hold
// the whole head; bytes that are not an HTTP response come back unchanged
// and complete. changed is false only for those.
func SkewDate(resp []byte, skew time.Duration, now time.Time) (out []byte, complete, changed bool) {
	when, found := now, false
	out, complete, isHead := editFields(resp, func(b *bytes.Buffer, name, value string) bool {
		if !strings.EqualFold(name, "Date") {
			return true
		}
		if !found {
			// The first Date keeps its place, with the shifted value.
			found = true
			if t, err := http.ParseTime(strings.TrimSpace(value)); err == nil {
				when = t
			}
			writeDate(b, when.Add(skew))
		}
		return false
	}, func(b *bytes.Buffer) {
		if !found {
			writeDate(b, when.Add(skew))
		}
	})
	return out, complete, isHead && complete
}

// writeDate writes a Date field line for t in the IMF-fixdate format.
func writeDate(b *bytes.Buffer, t time.Time) {
	b.WriteString("Date: ")
	b.WriteString(t.UTC().Format(http.TimeFormat))
	b.WriteString("\r\n")
}
