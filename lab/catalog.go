package lab

import (
	"slices"
	"time"

	"github.com/tlsgate/tlsgate/faults"
)

// BIG-IP /var/log/ltm templates, verbatim from the verified lines in
// bigip-log.md (reason first, detail, summary last). No scenario invents a
// message ID: when the reason a BIG-IP would log is unconfirmed, only the
// summary line is given.
const (
	ltmHandshakeFailed = "01260013:4: SSL Handshake failed for TCP {client} -> {vs}"
	ltmUnsupportedVer  = "01260009:4: Connection error: ssl_hs_rxhello:10026: unsupported version (40)"
	ltmNoSharedCiphers = "01260009:4: Connection error: ssl_select_suite:8181: no shared ciphers (40)"
	ltmNoSharedPeers   = "01260026:4: No shared ciphers between SSL peers {client_dot}:{vs_dot}."
	ltmNotSSL          = "01260009:4: Connection error: ssl_passthru:5234: not SSL (40)"
	ltmFallbackSCSV    = "01260009:4: Connection error: ssl_select_suite:9301: TLS_FALLBACK_SCSV with a lower protocol (86)"
)

// Commands the scenarios share. Host names, not IPs, so curl sends SNI and
// checks the lab-CA leaf minted for that name.
const (
	curlTrusted = "curl --cacert {ca} https://localhost:{port}/"
	curlByIP    = "curl --cacert {ca} https://127.0.0.1:{port}/"
)

// Catalog returns every scenario, client causes first, then server, then
// network, then the server clock scenarios, the version intolerance one
// the name-constrained intermediate and the explicit proxy, added after
// those. The order
// fixes each scenario's port (base + index), so new scenarios go at the
// end: a scenario added to an earlier family's list would move every port
// after it, and trainers' notes name ports. What people read (the docs,
// `tlsgate lab --list`, the table a running lab prints) groups scenarios
// by family whatever their place: see ByFamily.
func Catalog() []Scenario {
	return slices.Concat(clientScenarios(), serverScenarios(), networkScenarios(), serverClockScenarios(), versionIntoleranceScenarios(),
		constraintsScenarios(), proxyScenarios())
}

// days is a whole number of days as a rule duration.
func days(n int) faults.Duration { return faults.Duration(time.Duration(n) * 24 * time.Hour) }

// chainRule serves one of pki's bad chains.
func chainRule(name string, c faults.Chain) faults.Rule {
	return faults.Rule{Name: name, Action: faults.ActChain, Chain: c}
}
