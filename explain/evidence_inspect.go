package explain

import (
	"crypto/tls"
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
			return legText(b) + " (" + addrText(local) + " -> " + addrText(remote) + ")"
		}
	case "server_verify":
		return verifyText(b)
	case "server_cert":
		return strings.Join(b.PeerCert, " <- ")
	case "mimicked":
		if o.Route != "inspect" {
			return ""
		}
		if o.Mimicked {
			return "yes: the leaf copies the real server's subject and SANs"
		}
		return "no: the leaf names only the SNI (or the destination IP)"
	case "transparent":
		return o.Transparent
	case "orig_dst":
		if o.OrigDst.IsValid() {
			return addrText(o.OrigDst)
		}
	case "orig_dst_err":
		return o.OrigDstErr
	case "listen_addr":
		return addrText(o.Virtual)
	case "bypass":
		return o.Bypass
	case "http_exchanges":
		return exchangesText(o)
	case "fail_streak":
		switch {
		case o.FailStreak == 1:
			return "first failure for SNI " + orNone(f.sni()) + " and JA4 " + orNone(o.JA4)
		case o.FailStreak > 1:
			return strconv.Itoa(o.FailStreak) + " in a row for SNI " + orNone(f.sni()) + " and JA4 " + orNone(o.JA4)
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
	s := VersionName(l.Version) + " " + tls.CipherSuiteName(l.CipherSuite) + " alpn=" + orNone(l.ALPN)
	if l.Group != "" {
		s += " group=" + l.Group
	}
	if l.Mutual {
		s += " client-certificate=accepted"
	}
	return s
}

// verifyText is the server leg's verification result in words.
func verifyText(b Leg) string {
	switch {
	case !b.Attempted:
		return ""
	case b.VerifySkipped:
		return "skipped (server_ssl verify = false): any certificate would have been accepted"
	case b.Done:
		if b.ServerName != "" {
			return "verified for " + b.ServerName
		}
		return "verified"
	}
	return firstNonEmpty(b.Verify, b.Err)
}

// exchangesText lists the decrypted HTTP/1 exchanges as
// "GET lab.test/path → 200 (req 0 B, resp 1234 B)".
func exchangesText(o *Outcome) string {
	if len(o.HTTP1) == 0 {
		return ""
	}
	parts := make([]string, 0, len(o.HTTP1)+1)
	for _, x := range o.HTTP1 {
		parts = append(parts, ExchangeText(x))
	}
	if o.HTTPDropped > 0 {
		parts = append(parts, "(+"+strconv.Itoa(o.HTTPDropped)+" more not kept)")
	}
	return strings.Join(parts, "; ")
}

// ExchangeText renders one decrypted HTTP exchange for people:
// "GET lab.test/path → 200 (req 0 B, resp 1234 B)". An origin-form target
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
	s := x.Method + " " + target + " → " + status +
		" (req " + strconv.FormatInt(x.ReqBytes, 10) + " B, resp " + strconv.FormatInt(x.RespBytes, 10) + " B)"
	if x.Upgraded {
		// Bytes after a 101 or a CONNECT 2xx are another protocol.
		s += " upgraded"
	}
	return s
}
