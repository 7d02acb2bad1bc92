package probe

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// dateTolerance is how far an answer's Date may be from the probe's clock
// before step 10 calls it a clock skew. Date has one-second resolution and
// is stamped when the origin made the answer, before it was sent, so a
// slow origin and the round trip add seconds even between clocks that NTP
// keeps within milliseconds. A minute absorbs that and a probe host with
// loose sync, and still catches what breaks things: the minutes to hours
// (or a whole time zone) of a clock nobody synchronises.
const dateTolerance = 60 * time.Second

// dateReading is what an answer's Date says about the server's clock.
type dateReading struct {
	date string        // the Date field as sent
	age  int64         // the Age field in seconds, 0 when none
	skew time.Duration // Date plus Age minus the probe's clock: > 0 the server is ahead
}

// readDate compares h's Date with now, the probe's clock when the answer's
// head arrived. A cached answer carries its origin's Date and an Age
// saying how long ago that was (RFC 9111 §5.1), so the Age is added back
// before comparing: a cache's old Date is not a wrong clock. ok is false
// when there is no Date (RFC 9110 §6.6.1 lets a server without a clock
// send none, so that is no fault) or it does not parse.
func readDate(h http.Header, now time.Time) (r dateReading, ok bool, err error) {
	r.date = strings.TrimSpace(h.Get("Date"))
	if r.date == "" {
		return r, false, nil
	}
	at, err := http.ParseTime(r.date)
	if err != nil {
		return r, false, fmt.Errorf("probe: Date %q is in none of the three formats of RFC 9110 §5.6.7: %w", r.date, err)
	}
	// A bad Age is ignored rather than trusted: it only ever excuses a
	// Date in the past, and a day bounds what a real cache reports.
	if age, err := strconv.ParseInt(strings.TrimSpace(h.Get("Age")), 10, 64); err == nil && age > 0 && age <= 86400 {
		r.age = age
		at = at.Add(time.Duration(age) * time.Second)
	}
	// Date has whole seconds; so does the clock it is judged by, or an
	// answer exactly two hours behind reads as 2h0m1s.
	r.skew = at.Sub(now.Truncate(time.Second))
	if r.skew == math.MinInt64 {
		// Sub saturates, and a Date some 292 years behind (year 0000)
		// would have no positive size to print or compare: keep the
		// two directions symmetric.
		r.skew = -math.MaxInt64
	}
	return r, true, nil
}

// skewed reports a difference beyond dateTolerance.
func (r dateReading) skewed() bool { return r.skew > dateTolerance || r.skew < -dateTolerance }

// evidence is the Date and its difference in one line, in English as
// evidence is.
func (r dateReading) evidence(now time.Time) string {
	dir := "ahead of"
	if r.skew < 0 {
		dir = "behind"
	}
	s := fmt.Sprintf("Date: %s, %s %s this host's clock (%s)", r.date, skewText(r.skew), dir, now.UTC().Format(time.RFC3339))
	if r.age > 0 {
		s += fmt.Sprintf(", counting Age: %d", r.age)
	}
	if !r.skewed() {
		s += fmt.Sprintf("; within the %s tolerance", skewText(dateTolerance))
	}
	return s
}

// dateProblem is step 10's view of the server's clock: the evidence line
// and, beyond dateTolerance, the problem that names the skew.
func (p *prober) dateProblem(h http.Header, now time.Time) (ev string, pr problem, ok bool) {
	r, found, err := readDate(h, now)
	switch {
	case err != nil:
		return err.Error(), problem{}, false
	case !found:
		return "", problem{}, false
	case !r.skewed():
		return r.evidence(now), problem{}, false
	}
	age := time.Duration(r.age) * time.Second
	kv := []string{"date", r.date, "skew", skewText(r.skew), "now", now.UTC().Format(time.RFC3339), "age", skewText(age)}
	if r.skew > 0 {
		pr = p.prob(Warn, "http_date_skew", "http.date_ahead", kv...)
	} else {
		pr = p.prob(Warn, "http_date_skew", "http.date_behind", kv...)
	}
	// The skew counts the Age, so a headline that named the Date alone
	// would not add up: a Date 3h old with Age 3h0m0s is not "2h behind"
	// unless the Age is in the sentence too.
	switch {
	case r.age > 0 && r.skew > 0:
		pr.finding = p.t.f("http.date_ahead_age", kv...)
	case r.age > 0:
		pr.finding = p.t.f("http.date_behind_age", kv...)
	}
	return r.evidence(now), pr, true
}
