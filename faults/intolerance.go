package faults

import (
	"fmt"
	"slices"
	"strings"
)

// A version_intolerance rule is a middlebox or old TLS stack that chokes
// on a ClientHello offering a version newer than it knows: the match
// (matcher.intolerantAbove) reads the hello's highest offered version,
// Apply closes or resets the connection unanswered, and this file holds
// its validation and the words of its symptom.

// closesOnVersion reports whether the rule is a version_intolerance: it
// reads the versions the hello offers, as a selector would.
func (r *Rule) closesOnVersion() bool { return r.Action == ActVersionIntolerance }

// intolerantAboves are the values intolerant_above takes: a device that
// passes TLS 1.0 hellos and chokes on 1.1 and 1.2 ones (1.0), one of the
// TLS 1.1 era (1.1), and the common one that chokes on TLS 1.3 (1.2).
func intolerantAboves() []Version { return []Version{VersionTLS10, VersionTLS11, VersionTLS12} }

// validateIntolerance checks a version_intolerance rule: the version it
// tolerates up to, its follow-up, and a max_offered_version that would
// leave it nothing to close.
func (r *Rule) validateIntolerance(fail failFunc) error {
	want := joinVersions(intolerantAboves())
	switch v := r.IntolerantAbove; {
	case v == 0:
		return fail("intolerant_above", "missing: version_intolerance needs the highest version the middlebox passes (want %s; \"1.2\" closes every hello that offers TLS 1.3)", want)
	case v == VersionTLS13:
		return fail("intolerant_above", "1.3: no TLS version above 1.3 exists, so no hello would ever be closed (want %s)", want)
	case v == VersionSSL30:
		return fail("intolerant_above", "ssl3: every TLS client offers more than SSL 3.0, so no client could ever pass; to refuse them all use action reset or close (want %s)", want)
	case !slices.Contains(intolerantAboves(), v):
		return fail("intolerant_above", "unknown version %s (want %s)", v, want)
	}
	if r.Then != "" && r.Then != ThenFIN && r.Then != ThenRST {
		return fail("then", "version_intolerance closes the hello unanswered: want fin or rst, not %q", r.Then)
	}
	if r.MaxOfferedVersion != 0 && r.MaxOfferedVersion <= r.IntolerantAbove {
		return fail("max_offered_version", "%s selects hellos that offer at most %s, which intolerant_above %s never closes: the rule would never fire (leave max_offered_version out, or raise it above %s)",
			r.MaxOfferedVersion, r.MaxOfferedVersion, r.IntolerantAbove, r.IntolerantAbove)
	}
	return nil
}

// joinVersions writes a "want" list of quoted versions: "1.0", "1.1".
func joinVersions(vs []Version) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = `"` + v.String() + `"`
	}
	return strings.Join(s, ", ")
}

// intoleranceDetail says whom a version_intolerance rule stops: the
// clients that offer a version above its intolerant_above, and how the
// same client capped at that version gets through (curl --tls-max 1.2
// and openssl s_client -tls1_2 against a 1.2 rule: e2e TestVersionIntolerance).
func intoleranceDetail(r *Rule) string {
	if r == nil || r.IntolerantAbove == 0 {
		return "; only for clients whose ClientHello offers a version above the rule's intolerant_above; capped at it they get through"
	}
	v := r.IntolerantAbove
	old := ""
	if v < VersionTLS12 {
		// The listener's own floor (1.2 unless client_ssl lowers it) and
		// OpenSSL 3's security level refuse such a client first.
		old = " where the server accepts " + v.String() + " (client_ssl min_version) and, for OpenSSL 3 clients, with @SECLEVEL=0"
	}
	return fmt.Sprintf("; only for clients whose ClientHello offers a version above %s (%s, as curl, openssl and Go do by default); "+
		"capped at %[1]s the same client gets through%[5]s: curl --tls-max %[1]s, openssl s_client %[3]s, Go MaxVersion tls.VersionTLS%[4]s",
		v, versionsAbove(v), openSSLVersionFlag(v), strings.ReplaceAll(v.String(), ".", ""), old)
}

// versionsAbove names the TLS versions above v, the ones a device
// intolerant above v chokes on.
func versionsAbove(v Version) string {
	var names []string
	for _, x := range []Version{VersionTLS10, VersionTLS11, VersionTLS12, VersionTLS13} {
		if x > v {
			names = append(names, x.String())
		}
	}
	switch len(names) {
	case 0:
		return "none"
	case 1:
		return "TLS " + names[0]
	}
	return "TLS " + strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// openSSLVersionFlag is the openssl s_client flag that pins version v:
// -tls1 for 1.0, -tls1_1, -tls1_2, -tls1_3; "" for another.
func openSSLVersionFlag(v Version) string {
	switch v {
	case VersionTLS10:
		return "-tls1"
	case VersionTLS11:
		return "-tls1_1"
	case VersionTLS12:
		return "-tls1_2"
	case VersionTLS13:
		return "-tls1_3"
	}
	return ""
}
