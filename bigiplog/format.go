// Package bigiplog renders connection diagnoses the way an F5 BIG-IP writes
// /var/log/ltm (verified message templates only), adds tlsgate's own
// explanation lines next to them, and ships both as zap encoders (bigip,
// json, console) or as RFC 3164 syslog.
package bigiplog

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tlsgate/tlsgate/explain"
)

// Options configure rendering.
type Options struct {
	Format string // bigip | json | console
	Host   string // hostname written in each line; "" = the short OS hostname
	PID    int    // PID written for tmm and tlsgate lines; 0 = this process
	TMMs   int    // tmm instances connections are spread over; 0 = 2
	Lang   string // language of our explanation lines: "" or "en" (English), "ja" (Japanese)
}

// Our own lines carry this process name and never a BIG-IP message ID.
const ownProcess = "tlsgate"

// The severity of our own notices about forwarding, and the facility all
// lines use. A connection's lines take their severity from Level.
const (
	sevWarning     = 4
	facilityLocal0 = 16 // BIG-IP logs LTM messages to local0 (bigip-log.md §1.2)
)

// SeverityWord is the syslog level name BIG-IP writes before the process
// for severity digit sev (0 emerg … 7 debug). Out-of-range values are
// clamped so a line is always well formed.
func SeverityWord(sev int) string {
	words := [...]string{"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"}
	return words[clampSev(sev)]
}

func clampSev(sev int) int {
	return min(max(sev, 0), 7)
}

// Timestamp formats ts as BSD syslog does: no year, single-digit days
// space-padded ("Feb  1 08:12:14").
func Timestamp(ts time.Time) string { return ts.Format(timestampLayout) }

const timestampLayout = "Jan _2 15:04:05"

// FormatLine renders one BIG-IP line exactly as /var/log/ltm shows it:
//
//	Feb  1 08:12:14 host warning tmm1[9244]: 01260013:4: SSL Handshake failed for TCP …
//
// The severity word is derived from the line's digit so the two can never
// disagree. A line without a message ID (the 17.1 session-log events,
// like iRule output) has no "ID:sev:" part at all:
//
//	Feb  1 08:12:15 host info tmm1[9244]: SSL Handshake details for TCP …
func FormatLine(ts time.Time, host, proc string, pid int, l explain.Line) string {
	sev := clampSev(l.Sev)
	return Timestamp(ts) + " " + oneLine(host) + " " + SeverityWord(sev) + " " + oneLine(proc) +
		"[" + strconv.Itoa(pid) + "]: " + oneLine(LineText(l))
}

// FormatSyslog is FormatLine with the RFC 3164 <PRI> prefix, facility
// local0: PRI = 128 + severity (<132> for warning).
func FormatSyslog(ts time.Time, host, proc string, pid int, l explain.Line) string {
	return pri(l.Sev) + FormatLine(ts, host, proc, pid, l)
}

// FormatOwn renders one of tlsgate's own lines. They use the same syslog
// shape as BIG-IP lines but the process "tlsgate" and no message ID, so
// nobody mistakes them for BIG-IP output.
func FormatOwn(ts time.Time, host string, pid, sev int, text string) string {
	return Timestamp(ts) + ownMiddle(host, pid, sev) + oneLine(text)
}

// ownMiddle is what our lines carry between the timestamp and the text:
// " host info tlsgate[PID]: ".
func ownMiddle(host string, pid, sev int) string {
	return " " + oneLine(host) + " " + SeverityWord(sev) + " " + ownProcess + "[" + strconv.Itoa(pid) + "]: "
}

// pri is the RFC 3164 priority prefix for facility local0.
func pri(sev int) string {
	return "<" + strconv.Itoa(facilityLocal0*8+clampSev(sev)) + ">"
}

// TMMName is the tmm instance a connection is logged from: connections are
// spread by ID over n instances, and instance 0 is written "tmm", not "tmm0".
func TMMName(id uint64, n int) string {
	if n <= 0 {
		n = 2
	}
	k := id % uint64(n)
	if k < uint64(len(tmmNames)) {
		return tmmNames[k] // every line group names one: no concatenation
	}
	return "tmm" + strconv.FormatUint(k, 10)
}

// tmmNames are the instances a BIG-IP of up to 16 cores names.
var tmmNames = [...]string{"tmm", "tmm1", "tmm2", "tmm3", "tmm4", "tmm5", "tmm6", "tmm7",
	"tmm8", "tmm9", "tmm10", "tmm11", "tmm12", "tmm13", "tmm14", "tmm15"}

// oneLine keeps a log line a single line: bytes from the wire (SNI, Host,
// error texts) may hold control characters, which are escaped as \xNN.
func oneLine(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f {
			fmt.Fprintf(&b, `\x%02x`, c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
