package explain

// A passthrough listener stands for a BIG-IP virtual server with no
// client-ssl profile, which forwards whatever bytes come and has no
// handshake timer: the BIG-IP comparisons in advice written for a
// client-ssl virtual (remove the profile, Non-SSL Connections, the
// handshake timeout) do not apply to it and are worded for it instead.

// modePlaceholder fills the names whose BIG-IP comparison depends on the
// listener's mode; ok=false leaves a name unknown.
func (f *facts) modePlaceholder(name string) (string, bool) {
	pass := f.o.Mode == "passthrough"
	switch name {
	case "bigip_plain_mode":
		if pass {
			return f.say("bigip_plain_mode_pass"), true
		}
		return f.say("bigip_plain_mode_ssl"), true
	case "bigip_allow":
		if pass {
			return f.say("bigip_allow_pass"), true
		}
		return f.say("bigip_allow_ssl"), true
	case "cause_arrows":
		// A listener that passes TLS through shows no line to read
		// (clientSSL); diagnose says why once, after the cause.
		if f.passedTLS {
			return "", true
		}
		return f.expand(f.say("cause_arrows")), true
	case "trust_hint":
		// Through passthrough the certificate a client refuses is the
		// backend's: the lab CA would not help it.
		if f.passedTLS {
			return f.say("trust_hint_pass"), true
		}
		return f.expand(f.say("trust_hint_ssl")), true
	case "bigip_silent":
		if pass {
			// Its {peek_timeout} is filled here: a placeholder's value
			// is not expanded again.
			return f.expand(f.say("bigip_silent_pass")), true
		}
		return f.say("bigip_silent_ssl"), true
	}
	return "", false
}
