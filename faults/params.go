package faults

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/tlsgate/tlsgate/sniff"
)

// Duration is a time.Duration written as a string ("100ms", "-24h") in JSON
// and TOML. A bare number is read as milliseconds, as Toxiproxy's attributes are.
type Duration time.Duration

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// MarshalText writes the Go duration syntax.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// UnmarshalText parses the Go duration syntax ("1.5s", "300ms", "-24h").
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(strings.TrimSpace(string(b)))
	if err != nil {
		return fmt.Errorf("faults: duration %q: want a number with a unit, like \"250ms\" or \"5s\"", b)
	}
	*d = Duration(v)
	return nil
}

// jsonText handles what every parameter's UnmarshalJSON accepts besides
// its own number form: null (no change) and a JSON string (given to text).
// done is false when b is a bare token, returned trimmed for the caller.
func jsonText(b []byte, what string, text func([]byte) error) (bare []byte, done bool, err error) {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil, true, nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return nil, true, fmt.Errorf("faults: %s %s: %w", what, b, err)
		}
		return nil, true, text([]byte(s))
	}
	return b, false, nil
}

// maxDurationMS is the largest number of milliseconds a time.Duration can
// hold; a larger number would wrap around (and read as negative).
const maxDurationMS = math.MaxInt64 / int64(time.Millisecond)

// UnmarshalJSON accepts a duration string or a number of milliseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	b, done, err := jsonText(b, "duration", d.UnmarshalText)
	if done {
		return err
	}
	ms, err := strconv.ParseFloat(string(b), 64)
	if err != nil || ms != ms {
		return fmt.Errorf("faults: duration %s: want a string like \"250ms\" or a number of milliseconds", b)
	}
	if ms > float64(maxDurationMS) || ms < -float64(maxDurationMS) {
		return fmt.Errorf("faults: duration %s ms is beyond what a duration holds (about 292 years)", b)
	}
	*d = Duration(ms * float64(time.Millisecond))
	return nil
}

// UnmarshalTOML accepts a duration string or an integer number of
// milliseconds. BurntSushi/toml calls it without faults importing toml.
func (d *Duration) UnmarshalTOML(v any) error {
	switch x := v.(type) {
	case string:
		return d.UnmarshalText([]byte(x))
	case int64:
		if x > maxDurationMS || x < -maxDurationMS {
			return fmt.Errorf("faults: duration %d ms is beyond what a duration holds (about 292 years)", x)
		}
		*d = Duration(time.Duration(x) * time.Millisecond)
		return nil
	}
	return fmt.Errorf("faults: duration %v: want a string like \"250ms\"", v)
}

// Alert is a TLS alert description, written as a number (48) or a name
// ("unknown_ca"). It is an int so that an out-of-range number survives
// decoding and Validate can name the field.
type Alert int

// Code returns the alert as a wire byte and whether it fits in one.
func (a Alert) Code() (uint8, bool) { return uint8(a), a >= 0 && a <= 255 }

// String is the RFC name, or the number when the code has none.
func (a Alert) String() string {
	if c, ok := a.Code(); ok && !strings.HasPrefix(sniff.AlertName(c), "alert(") {
		return sniff.AlertName(c)
	}
	return strconv.Itoa(int(a))
}

// MarshalText writes the name when the code has one, else the number.
func (a Alert) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// MarshalJSON writes a known alert as its name and any other as a number.
func (a Alert) MarshalJSON() ([]byte, error) {
	s := a.String()
	if _, err := strconv.Atoi(s); err == nil {
		return []byte(s), nil
	}
	return json.Marshal(s)
}

// UnmarshalText accepts a number or an alert name, in any case, with or
// without underscores ("unknown_ca", "UnknownCA", "48").
func (a *Alert) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	if n, err := strconv.Atoi(s); err == nil {
		*a = Alert(n)
		return nil
	}
	want := squash(s)
	for c := 0; c <= 255; c++ {
		name := sniff.AlertName(uint8(c))
		// A reserved code is found by its name with or without the
		// _RESERVED suffix, which String writes.
		if !strings.HasPrefix(name, "alert(") && (squash(name) == want || squash(strings.TrimSuffix(name, "_RESERVED")) == want) {
			*a = Alert(c)
			return nil
		}
	}
	return fmt.Errorf("faults: unknown alert %q: want a number 0..255 or a name such as unknown_ca or handshake_failure", s)
}

// UnmarshalJSON accepts a JSON number or string.
func (a *Alert) UnmarshalJSON(b []byte) error {
	b, done, err := jsonText(b, "alert", a.UnmarshalText)
	if done {
		return err
	}
	n, err := strconv.ParseInt(string(b), 10, 32)
	if err != nil {
		return fmt.Errorf("faults: alert %s: want a number 0..255 or a name such as unknown_ca", b)
	}
	*a = Alert(n)
	return nil
}

// UnmarshalTOML accepts an integer or a string.
func (a *Alert) UnmarshalTOML(v any) error {
	switch x := v.(type) {
	case string:
		return a.UnmarshalText([]byte(x))
	case int64:
		if x < -1<<31 || x > 1<<31-1 {
			return fmt.Errorf("faults: alert %d: want a number 0..255", x)
		}
		*a = Alert(x)
		return nil
	}
	return fmt.Errorf("faults: alert %v: want a number 0..255 or a name such as unknown_ca", v)
}

// squash lower-cases s and drops underscores, so names compare loosely.
func squash(s string) string { return strings.ReplaceAll(strings.ToLower(s), "_", "") }

// Version is a protocol version, written "1.0" … "1.3" as in the listener's
// client_ssl table, or "ssl3". Zero means unset.
type Version uint16

// The versions a rule can name.
const (
	VersionSSL30 Version = 0x0300
	VersionTLS10 Version = tls.VersionTLS10
	VersionTLS11 Version = tls.VersionTLS11
	VersionTLS12 Version = tls.VersionTLS12
	VersionTLS13 Version = tls.VersionTLS13
)

// String is the config spelling.
func (v Version) String() string {
	switch v {
	case VersionSSL30:
		return "ssl3"
	case VersionTLS10:
		return "1.0"
	case VersionTLS11:
		return "1.1"
	case VersionTLS12:
		return "1.2"
	case VersionTLS13:
		return "1.3"
	case 0:
		return ""
	}
	return fmt.Sprintf("0x%04x", uint16(v))
}

// MarshalText writes the config spelling.
func (v Version) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// UnmarshalText reads "1.0" … "1.3" or "ssl3".
func (v *Version) UnmarshalText(b []byte) error {
	s := strings.ToLower(strings.TrimSpace(string(b)))
	for _, c := range []Version{VersionSSL30, VersionTLS10, VersionTLS11, VersionTLS12, VersionTLS13} {
		if s == c.String() {
			*v = c
			return nil
		}
	}
	if s == "" {
		*v = 0
		return nil
	}
	return fmt.Errorf("faults: version %q: want \"1.0\", \"1.1\", \"1.2\", \"1.3\" or \"ssl3\"", s)
}

// UnmarshalJSON accepts a string, or a number such as 1.2.
func (v *Version) UnmarshalJSON(b []byte) error {
	b, done, err := jsonText(b, "version", v.UnmarshalText)
	if done {
		return err
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("faults: version %s: want \"1.0\" … \"1.3\"", b)
	}
	return v.UnmarshalText([]byte(strconv.FormatFloat(f, 'f', 1, 64)))
}

// UnmarshalTOML accepts a string, or a float such as 1.2.
func (v *Version) UnmarshalTOML(x any) error {
	switch t := x.(type) {
	case string:
		return v.UnmarshalText([]byte(t))
	case float64:
		return v.UnmarshalText([]byte(strconv.FormatFloat(t, 'f', 1, 64)))
	}
	return fmt.Errorf("faults: version %v: want \"1.0\" … \"1.3\"", x)
}

// extraSuites are suites crypto/tls does not implement but a hand-written
// ServerHello may name, so unoffered_cipher can pick the classic ones.
func extraSuites() map[string]uint16 {
	return map[string]uint16{
		"TLS_RSA_EXPORT_WITH_RC4_40_MD5":      0x0003,
		"TLS_RSA_WITH_RC4_128_MD5":            0x0004,
		"TLS_RSA_WITH_NULL_SHA256":            0x003b,
		"TLS_DHE_RSA_WITH_AES_128_CBC_SHA":    0x0033,
		"TLS_DHE_RSA_WITH_AES_128_GCM_SHA256": 0x009e,
	}
}

// lookupSuite finds a suite by IANA name (any case) or 0xNNNN literal. goOnly
// limits it to suites crypto/tls can negotiate; tls13 reports a TLS 1.3 suite.
func lookupSuite(name string, goOnly bool) (id uint16, tls13 bool, ok bool) {
	for _, list := range [][]*tls.CipherSuite{tls.CipherSuites(), tls.InsecureCipherSuites()} {
		for _, cs := range list {
			if strings.EqualFold(cs.Name, name) {
				return cs.ID, len(cs.SupportedVersions) == 1 && cs.SupportedVersions[0] == tls.VersionTLS13, true
			}
		}
	}
	if goOnly {
		return 0, false, false
	}
	if id, found := extraSuites()[strings.ToUpper(name)]; found {
		return id, false, true
	}
	if h, found := strings.CutPrefix(strings.ToLower(name), "0x"); found && len(h) == 4 {
		if n, err := strconv.ParseUint(h, 16, 16); err == nil {
			return uint16(n), false, true
		}
	}
	return 0, false, false
}
