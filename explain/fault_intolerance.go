package explain

import (
	"crypto/tls"
	"strings"
)

// intolerancePlaceholder fills the names of a version_intolerance stop's
// texts: the version the device tolerates, as prose and as the client
// flags that cap a client at it, and the offered versions above it that
// it choked on. ok=false leaves the name to others.
func (f *facts) intolerancePlaceholder(name string) (string, bool) {
	v := f.tolerated()
	switch name {
	case "fault_tolerated":
		return VersionName(v), true
	case "fault_tls_max":
		return versionConfig(v), true
	case "fault_openssl_tls":
		if v == tls.VersionTLS10 {
			return "-tls1", true
		}
		return "-tls" + strings.ReplaceAll(versionConfig(v), ".", "_"), true
	case "fault_old_cap":
		// A cap below 1.2 gets through only where the server still takes
		// that version, which a tlsgate listener does not by default.
		if v < tls.VersionTLS12 {
			return f.say("fault_old_cap", "{v}", VersionName(v)), true
		}
		return "", true
	case "fault_closed":
		// How the device ended it; a listener that did not record the
		// rule's then means its default, a reset.
		if f.stop >= 0 && f.o.FaultFirings[f.stop].Then == "fin" {
			return f.say("then_fin"), true
		}
		return f.say("then_rst"), true
	case "fault_refused_versions":
		var above []string
		for _, o := range f.versions {
			if o > v && o <= tls.VersionTLS13 {
				above = append(above, VersionName(o))
			}
		}
		if len(above) == 0 {
			return VersionName(f.maxOffered), true
		}
		return f.list(above), true
	}
	return "", false
}

// tolerated is the highest version the stop's device passes: its rule's
// intolerant_above, or, from a listener that did not record it, the
// version just below the client's highest, which is what it choked on.
func (f *facts) tolerated() uint16 {
	if f.stop >= 0 {
		switch f.o.FaultFirings[f.stop].IntolerantAbove {
		case "1.0":
			return tls.VersionTLS10
		case "1.1":
			return tls.VersionTLS11
		case "1.2":
			return tls.VersionTLS12
		}
	}
	if f.maxOffered > tls.VersionTLS10 && f.maxOffered <= tls.VersionTLS13 {
		return f.maxOffered - 1
	}
	return tls.VersionTLS12
}
