package main

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"time"
)

// percentile returns the nearest-rank p-th percentile (0 < p <= 100) of
// sorted: the smallest value with at least p% of the samples at or below
// it. Nearest-rank never invents a value between two samples, so a p99 of
// a short run is a latency that really happened. ok is false for no
// samples or p out of range.
func percentile(sorted []time.Duration, p float64) (d time.Duration, ok bool) {
	if len(sorted) == 0 || !(p > 0 && p <= 100) {
		return 0, false
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1], true
}

// latencySummary is what the reports keep of a set of samples.
type latencySummary struct {
	N                  int
	P50, P90, P99, Max time.Duration
	Mean               time.Duration
}

// summarize sorts samples in place and reads the percentiles off them.
func summarize(samples []time.Duration) latencySummary {
	if len(samples) == 0 {
		return latencySummary{}
	}
	slices.Sort(samples)
	var sum time.Duration
	for _, s := range samples {
		sum += s
	}
	p := func(q float64) time.Duration { d, _ := percentile(samples, q); return d }
	return latencySummary{
		N: len(samples), P50: p(50), P90: p(90), P99: p(99),
		Max: samples[len(samples)-1], Mean: sum / time.Duration(len(samples)),
	}
}

// median returns the middle of vs (the mean of the two middle values for
// an even count) without changing vs.
func median(vs []float64) float64 {
	if len(vs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// result is one measurement, printed as text or as one JSON line. Value
// and Unit carry the headline number so report can treat modes alike;
// the other fields are the evidence behind it.
type result struct {
	Mode    string `json:"mode"`
	Section string `json:"section,omitempty"`
	Group   string `json:"group,omitempty"`
	Name    string `json:"name,omitempty"`
	// Baseline is the Name this result's group is compared to; empty
	// means "direct".
	Baseline string `json:"baseline,omitempty"`
	// Rep is the bench repetition the run belongs to (--rep); 0 when
	// not given.
	Rep          int     `json:"rep,omitempty"`
	Command      string  `json:"command,omitempty"`
	Target       string  `json:"target,omitempty"`
	TLS          bool    `json:"tls,omitempty"`
	SNI          string  `json:"sni,omitempty"`
	TLSInfo      string  `json:"tls_info,omitempty"`
	Concurrency  int     `json:"concurrency"`
	Ops          int64   `json:"ops"`
	Errors       int64   `json:"errors"`
	FirstError   string  `json:"first_error,omitempty"`
	Seconds      float64 `json:"seconds"`
	Bytes        int64   `json:"bytes,omitempty"`
	Value        float64 `json:"value"`
	Unit         string  `json:"unit"`
	HigherBetter bool    `json:"higher_is_better"`
	P50us        float64 `json:"p50_us,omitempty"`
	P90us        float64 `json:"p90_us,omitempty"`
	P99us        float64 `json:"p99_us,omitempty"`
	MaxUs        float64 `json:"max_us,omitempty"`
	RSSBeforeKiB int64   `json:"rss_before_kib,omitempty"`
	RSSAfterKiB  int64   `json:"rss_after_kib,omitempty"`
	CPUPid       int     `json:"cpu_pid,omitempty"`  // the first metered process
	CPUPids      []int   `json:"cpu_pids,omitempty"` // all of them, when more than one
	CPUms        float64 `json:"cpu_ms,omitempty"`
	// Extra holds a Go benchmark's other metrics (B/op, allocs/op,
	// MB/s, custom ones) by unit.
	Extra map[string]float64 `json:"extra,omitempty"`
	// Text is a note's words; Expect is a target's condition (mode
	// "note" and "target" only).
	Text   string  `json:"text,omitempty"`
	Expect *expect `json:"expect,omitempty"`
	// Cut is true when the duration bound ended the run before its count
	// bound: the number is still a rate, but over less work than asked.
	Cut bool `json:"cut,omitempty"`
}

// setLatency copies a summary into the result in microseconds.
func (r *result) setLatency(s latencySummary) {
	us := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
	r.P50us, r.P90us, r.P99us, r.MaxUs = us(s.P50), us(s.P90), us(s.P99), us(s.Max)
}

// print writes r as one JSON line or as a short human paragraph.
func (r *result) print(w io.Writer, asJSON bool) error {
	if asJSON {
		b, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("encode result: %w", err)
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	}
	label := r.Target
	if r.Name != "" {
		label = r.Name + " (" + r.Target + ")"
	}
	fmt.Fprintf(w, "%s %s: %.1f %s", r.Mode, label, r.Value, r.Unit)
	fmt.Fprintf(w, "  [%d ops in %.2fs, concurrency %d, %d errors]\n", r.Ops, r.Seconds, r.Concurrency, r.Errors)
	if r.P50us > 0 {
		fmt.Fprintf(w, "  latency µs: p50 %.0f  p90 %.0f  p99 %.0f  max %.0f\n", r.P50us, r.P90us, r.P99us, r.MaxUs)
	}
	if r.RSSAfterKiB > 0 {
		fmt.Fprintf(w, "  VmRSS KiB: before %d  after %d\n", r.RSSBeforeKiB, r.RSSAfterKiB)
	}
	if v, unit, ok := cpuPerWork(*r); ok {
		fmt.Fprintf(w, "  pid %d used %.0f ms CPU: %.1f %s\n", r.CPUPid, r.CPUms, v, unit)
	}
	if r.TLSInfo != "" {
		fmt.Fprintf(w, "  tls: %s\n", r.TLSInfo)
	}
	if r.Cut {
		fmt.Fprintln(w, "  note: the duration bound ended the run before the count bound")
	}
	if r.FirstError != "" {
		fmt.Fprintf(w, "  first error: %s\n", r.FirstError)
	}
	return nil
}

// tlsInfo describes a negotiated session in one line, so a result says
// which version, suite and group its numbers paid for.
func tlsInfo(cs tls.ConnectionState) string {
	return fmt.Sprintf("%s %s %s", tls.VersionName(cs.Version), tls.CipherSuiteName(cs.CipherSuite), cs.CurveID)
}
