package explain

// Checks for a proxy whose own clock is wrong (proxy_skew): the server's
// certificate is fine, the device verifying it is not.
const (
	checkProxyDates = "Read the server certificate's dates from a host whose clock is right: `openssl s_client -connect {backend} -servername {sni_or_host} </dev/null | openssl x509 -noout -dates`. A window that holds the real time means the certificate is fine and the proxy's clock is not."
	checkProxyClock = "Check the proxy's own clock and its time sync against a reference: `date -u` on it next to `curl -skI {backend_target} | grep -i '^date:'` from elsewhere (the server's own Date; -k since only the header matters), and `chronyc tracking` or `timedatectl` (on BIG-IP `ntpq -p`). Sites that fail through the proxy and work without it, all at once, point at its clock."
)

// clockKnowledge covers a proxy that rejects a good server because its
// own clock is wrong (proxy_skew). BIG-IP logs what it logs for any
// server-side verification failure (the server-ssl handshake failed), so
// these variants carry that group.
func clockKnowledge() map[string]entry {
	const proxy = "On a real network this is a TLS-inspecting proxy, or a load balancer's server-ssl profile, whose own clock is wrong: it verifies the real server's certificate against its own time, so a certificate that is fine for everyone else fails ({verify}), and it refuses the site. A BIG-IP doing this logs the server-side handshake failure (the line above). The fix is the proxy's clock (NTP on the appliance), not the server's certificate."
	return map[string]entry{
		CodeFaultInjected + "/proxy_skew_ahead": {group: groupServerSide,
			cause:     proxy + " On this connection the clock ran {fault_skew} ahead, past the certificate's notAfter, so it looked expired.",
			checks:    []string{checkProxyDates, checkProxyClock, checkFaultOff},
			clientSaw: sawBackend,
			evidence:  []string{"backend_endpoints", "backend_verify", "backend_cert", "sni"},
		},
		CodeFaultInjected + "/proxy_skew_behind": {group: groupServerSide,
			cause:     proxy + " On this connection the clock ran {fault_skew} behind, before the certificate's notBefore, so it looked not yet valid: freshly issued or renewed certificates fail first.",
			checks:    []string{checkProxyDates, checkProxyClock, checkFaultOff},
			clientSaw: sawBackend,
			evidence:  []string{"backend_endpoints", "backend_verify", "backend_cert", "sni"},
		},
	}
}
