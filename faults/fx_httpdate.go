package faults

import (
	"bytes"
	"fmt"
	"net"
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
	out, complete, changed, _ = skewDate(resp, skew, now)
	return out, complete, changed
}

// skewDate is SkewDate, also saying what it did to the Date (e, with no
// Rule), which is meaningful only when complete and changed.
func skewDate(resp []byte, skew time.Duration, now time.Time) (out []byte, complete, changed bool, e DateEdit) {
	when, found := now, false
	e = DateEdit{How: DateAdded, Skew: skew}
	out, complete, isHead := editFields(resp, func(b *bytes.Buffer, name, value string) bool {
		if !strings.EqualFold(name, "Date") {
			return true
		}
		if !found {
			// The first Date keeps its place, with the shifted value.
			found = true
			e.Origin, e.How = strings.TrimSpace(value), DateReplaced
			if t, err := http.ParseTime(e.Origin); err == nil {
				when, e.How = t, DateShifted
			}
			writeDate(b, when.Add(skew))
		}
		return false
	}, func(b *bytes.Buffer) {
		if !found {
			writeDate(b, when.Add(skew))
		}
	})
	e.Sent = when.Add(skew).UTC().Format(http.TimeFormat)
	return out, complete, isHead && complete, e
}

// DateHow says what an http_date rule did to a response's Date field.
type DateHow string

// The three things an http_date rule can do to a Date.
const (
	// DateShifted: the origin's Date parsed, and moved by the skew.
	DateShifted DateHow = "shifted"
	// DateReplaced: the origin's Date did not parse, and tlsgate's clock
	// plus the skew took its place.
	DateReplaced DateHow = "replaced"
	// DateAdded: the origin sent none, and tlsgate added its clock plus
	// the skew, as RFC 9110 §6.6.1 has a proxy with a clock do.
	DateAdded DateHow = "added"
)

// DateEdit is what an http_date rule did to the first response of a
// connection: the log words the firing from it, since "shifted the
// origin's Date" and "added one from our own clock" are different stories
// for whoever reads it next to the origin's own logs.
type DateEdit struct {
	Rule string
	How  DateHow
	// Origin is the origin's Date value as it sent it, "" when it sent
	// none; Sent is the Date the client got (IMF-fixdate).
	Origin, Sent string
	Skew         time.Duration
}

// Symptom words the edit for the firing's line: what the origin sent,
// what the client got and why, and what that does (httpDateEffect).
func (e DateEdit) Symptom() string {
	var shift string
	if e.Skew > 0 {
		shift = fmt.Sprintf("%s in the future", e.Skew)
	} else {
		shift = fmt.Sprintf("%s in the past", -e.Skew)
	}
	var what string
	switch e.How {
	case DateShifted:
		what = fmt.Sprintf("the origin's Date header (%s) was shifted %s, to %s (an origin whose clock is %s)", e.Origin, shift, e.Sent, aheadBehind(e.Skew))
	case DateReplaced:
		what = fmt.Sprintf("the origin's Date header (%q) did not parse, so tlsgate replaced it with its own clock %s, %s", e.Origin, shift, e.Sent)
	default:
		what = fmt.Sprintf("the response had no Date header, so tlsgate added one from its own clock %s, %s (as RFC 9110 has a proxy with a clock add one)", shift, e.Sent)
	}
	return ClassNone + ": in the first response " + what + "; " + httpDateEffect
}

// aheadBehind is the direction of a clock that is skew off.
func aheadBehind(skew time.Duration) string {
	if skew > 0 {
		return "ahead"
	}
	return "behind"
}

// DateEdited reports what the http_date rule named rule did on c (a conn
// Wrap returned, or one wrapping it), ok false when it edited no Date
// there.
func DateEdited(c net.Conn, rule string) (DateEdit, bool) {
	for c != nil {
		if w, ok := c.(*conn); ok {
			if e, ok := w.k.dateEdit(rule); ok {
				return e, true
			}
		}
		nc, ok := c.(interface{ NetConn() net.Conn })
		if !ok {
			break
		}
		c = nc.NetConn()
	}
	return DateEdit{}, false
}

// noteDate records the edit r made on this conn, for DateEdited. A rule
// edits one head per conn, so the first note is the only one.
func (k *ctl) noteDate(r *Rule, e DateEdit) {
	e.Rule = r.Name
	k.sharedState(r, func() any { return &e })
}

// dateEdit is the edit the http_date rule named rule made on this conn.
func (k *ctl) dateEdit(rule string) (DateEdit, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for r, v := range k.shared {
		if e, ok := v.(*DateEdit); ok && r.Name == rule {
			return *e, true
		}
	}
	return DateEdit{}, false
}

// writeDate writes a Date field line for t in the IMF-fixdate format.
func writeDate(b *bytes.Buffer, t time.Time) {
	b.WriteString("Date: ")
	b.WriteString(t.UTC().Format(http.TimeFormat))
	b.WriteString("\r\n")
}
