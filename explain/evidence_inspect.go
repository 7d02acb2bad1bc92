package explain

import (
	"strconv"
	"strings"
)

// inspectEvidence computes the evidence items of transparent interception
// and inspect mode; "" means "not applicable here".
func (f *facts) inspectEvidence(key string) string {
	o := f.o
	c, b := o.ClientTLS, o.Backend.TLS
	switch key {
	case "client_leg":
		if c.Done {
			return legText(c)
		}
	case "server_leg":
		if b.Done {
			local, remote := backendEndpoints(o)
			return legText(b) + " (" + f.addr(local) + " -> " + f.addr(remote) + ")"
		}
	case "server_verify":
		return f.verifyText(b)
	case "server_cert":
		return strings.Join(b.PeerCert, " <- ")
	case "mimicked":
		if o.Route != "inspect" {
			return ""
		}
		if o.Mimicked {
			return f.say("mimicked_yes")
		}
		return f.say("mimicked_no")
	case "transparent":
		return o.Transparent
	case "orig_dst":
		if o.OrigDst.IsValid() {
			return f.addr(o.OrigDst)
		}
	case "orig_dst_err":
		return o.OrigDstErr
	case "accept_err":
		return o.AcceptErr
	case "listen_addr":
		return f.addr(o.Virtual)
	case "bypass":
		return o.Bypass
	case "http_exchanges":
		return f.exchangesText()
	case "fail_streak":
		switch {
		case o.FailStreak == 1:
			return f.say("streak_first", "{sni}", f.orNone(f.sni()), "{ja4}", f.orNone(o.JA4))
		case o.FailStreak > 1:
			return f.say("streak_n", "{n}", strconv.Itoa(o.FailStreak), "{sni}", f.orNone(f.sni()), "{ja4}", f.orNone(o.JA4))
		}
	case "cert_alert":
		return alertLabel(f.clientCertAlert())
	case "leg_version":
		if v := f.legVersion(); v != 0 {
			return VersionName(v)
		}
	}
	return ""
}

// legText is one TLS leg for evidence, with IANA suite names like the rest
// of the evidence.
func legText(l Leg) string {
	s := VersionName(l.Version) + " " + CipherName(l.CipherSuite) + " alpn=" + orNone(l.ALPN)
	if l.Group != "" {
		s += " group=" + l.Group
	}
	if l.Mutual {
		s += " client-certificate=accepted"
	}
	return s
}

// verifyText is the server leg's verification result in words.
func (f *facts) verifyText(b Leg) string {
	switch {
	case !b.Attempted:
		return ""
	case b.VerifySkipped:
		return f.say("verify_skipped")
	case b.Done:
		if n := verifyName(b); n != "" {
			return f.say("verified_for", "{name}", n)
		}
		return f.say("verified")
	}
	return firstNonEmpty(b.Verify, b.Err)
}

// exchangesText lists the decrypted HTTP/1 exchanges as
// "GET lab.test/path → 200 (req 0 B, resp 1234 B)".
func (f *facts) exchangesText() string {
	o := f.o
	if len(o.HTTP1) == 0 {
		return ""
	}
	parts := make([]string, 0, len(o.HTTP1)+1)
	for _, x := range o.HTTP1 {
		parts = append(parts, ExchangeText(x))
	}
	if o.HTTPDropped > 0 {
		parts = append(parts, f.say("more_not_kept", "{n}", strconv.Itoa(o.HTTPDropped)))
	}
	return strings.Join(parts, "; ")
}

// ExchangeText renders one decrypted HTTP exchange for people:
// "GET lab.test/path → 200 (req 0 B, resp 1234 B)", or "→ 200 not
// delivered" when a fault kept the backend's response from the client. An origin-form target
// is prefixed with the Host; absolute-form, authority-form (CONNECT) and
// "*" targets stand alone.
func ExchangeText(x HTTPExchange) string {
	target := x.Target
	if strings.HasPrefix(target, "/") {
		target = x.Host + target
	}
	status := "no response"
	if x.Status > 0 {
		status = strconv.Itoa(x.Status)
	}
	if x.Status > 0 && x.Undelivered {
		// The backend's answer, which a fault kept from the client.
		status += " not delivered"
	}
	s := x.Method + " " + target + " → " + status +
		" (req " + strconv.FormatInt(x.ReqBytes, 10) + " B, resp " + strconv.FormatInt(x.RespBytes, 10) + " B)"
	if x.Upgraded {
		// Bytes after a 101 or a CONNECT 2xx are another protocol.
		s += " upgraded"
	}
	return s
}
