package explain

// A connection no client-ssl profile ran for (facts.noProfile: a
// passthrough listener, TLS passed through, an auto listener's connection
// it never terminated) stands for a BIG-IP virtual server with no
// client-ssl profile, which forwards whatever bytes come and has no
// handshake timer: the BIG-IP comparisons in advice written for a
// client-ssl virtual (remove the profile, Non-SSL Connections, the
// handshake timeout) do not apply to it and are worded for it instead,
// and no BIG-IP line is shown to read. Which certificate a client refuses
// is another question: the backend's only where the TLS is passed through
// (facts.passedTLS).

// modePlaceholder fills the names whose BIG-IP comparison depends on the
// listener's mode; ok=false leaves a name unknown.
func (f *facts) modePlaceholder(name string) (string, bool) {
	switch name {
	case "bigip_plain_mode":
		if f.noProfile {
			return f.say("bigip_plain_mode_pass"), true
		}
		return f.say("bigip_plain_mode_ssl"), true
	case "bigip_allow":
		if f.noProfile {
			return f.say("bigip_allow_pass"), true
		}
		return f.say("bigip_allow_ssl"), true
	case "cause_arrows":
		// No line to read where no client-ssl profile ran
		// (clientSSL); diagnose says why once, after the cause.
		if f.noProfile {
			return "", true
		}
		return f.expand(f.say("cause_arrows")), true
	case "trust_hint":
		// Through passthrough the certificate a client refuses is the
		// backend's: the lab CA would not help it. A connection an auto
		// listener closed undecided saw no certificate from either.
		if f.passedTLS {
			return f.say("trust_hint_pass"), true
		}
		return f.expand(f.say("trust_hint_ssl")), true
	case "bigip_silent":
		if f.noProfile {
			// Its {peek_timeout} is filled here: a placeholder's value
			// is not expanded again.
			return f.expand(f.say("bigip_silent_pass")), true
		}
		return f.say("bigip_silent_ssl"), true
	}
	return "", false
}
