package explain

import "sync"

// lineEntry is the knowledge for one pasted-line key: a message ID, an
// 01260009 reason ("01260009/not SSL"), or one of the kinds a line can be
// without a known ID (throttle, session, irule, no_id, unknown). Texts are
// templates over the names lineVars fills; the scenarios name the lab
// catalog's scenarios that reproduce the line, most likely first.
type lineEntry struct {
	title     string
	meaning   string
	left      string // role of the left endpoint, "" when the line has none
	right     string
	causes    []string // most likely first
	checks    []string
	scenarios []string // language-free: set in the English table only
}

// Keys of lineKnowledge that are not a message ID.
const (
	lineThrottle      = "throttle"
	lineSession       = "session"
	lineSessionClient = "session/client"
	lineSessionServer = "session/server"
	lineIRule         = "irule"
	lineNoID          = "no_id"
	lineUnknown       = "unknown"
)

// Roles shared by the lines whose endpoints may be either side of BIG-IP.
const (
	roleLeftEither  = "client: its address and ephemeral source port (server side: the BIG-IP self IP or SNAT address)"
	roleRightEither = "virtual server: the address and port the client connected to (server side: the pool member)"
)

// Checks shared by several lines.
const (
	lineCheckSides   = "Tell the sides apart: `tmsh list ltm virtual one-line | grep '{right_ip}'` finds a virtual server (client side); `tmsh list ltm pool one-line | grep '{right_ip}'` finds a pool member (server side)."
	lineCheckReason  = "Look just above this line for a `01260009` or `01260026` line with the same timestamp and {process}[{pid}]: it names the reason."
	lineCheckCapture = "Capture the handshake on the BIG-IP: `tcpdump -ni 0.0:nnn -s0 -w /var/tmp/hs.pcap host {client_ip} and port {vs_port}`, then `ssldump -A -nr /var/tmp/hs.pcap` shows which side sent which alert."
	lineCheckCiphers = "List what the profile allows: `tmm --clientciphers '<cipher string>'` on the BIG-IP, with the string from `tmsh list ltm profile client-ssl <profile> ciphers`."
	lineCheckEnum    = "List what the virtual server accepts from outside: `nmap --script ssl-enum-ciphers -p {vs_port} {vs_ip}`, or test one suite: `openssl s_client -connect {vs} -cipher <name> </dev/null`."
	lineCheckUsedBy  = "Find where it is used: `tmsh list ltm profile client-ssl one-line | grep {file}` (and the same for server-ssl)."
	lineCheckGroups  = "Check the key exchange groups too, not only the suites: test one group at a time, `openssl s_client -connect {vs} -groups X25519 </dev/null`, then `-groups P-256` and `-groups P-384` (the ones that complete are the virtual server's), and compare with the client's supported_groups and key_share extensions (Wireshark shows both in the ClientHello). On the BIG-IP the groups come from the DH groups of the cipher rule in the profile's cipher group (`tmsh list ltm cipher rule <rule>`)."
)

// lineCauseGroups is the cause the suite lists cannot show: bigip-log.md
// has no message for a group mismatch, and BIG-IP picking the group while
// it selects the suite would end it in this same reason. That is inferred,
// not confirmed, so the text hedges it.
const lineCauseGroups = "No key exchange group in common, while versions and suites would do: the client's supported_groups (and its TLS 1.3 key_share) lists none of the groups the profile allows, such as a FIPS or hardened profile limited to NIST curves (P-256, P-384) against a client that offers only X25519, or a profile that insists on a post-quantum hybrid facing a classic client. Every TLS 1.3 handshake, and ECDHE below it, needs a shared group; BIG-IP likely picks it while it selects the suite, so the mismatch is probably logged as this same `no shared ciphers` (40)."

// lineKnowledgeTables are built once and only read.
var lineKnowledgeTables = sync.OnceValue(func() map[string]map[string]lineEntry {
	return map[string]map[string]lineEntry{LangEN: lineKnowledgeEN(), LangJA: lineKnowledgeJA()}
})

// lineKnowledgeEN is the English table.
func lineKnowledgeEN() map[string]lineEntry {
	return map[string]lineEntry{
		IDHandshakeFailed: {
			title: "SSL handshake failed (the summary line)",
			meaning: "TMM gave up on a TLS handshake on the connection {left} -> {right}. The arrow is the direction of the TCP connection: the left side opened it, the right side accepted it. " +
				"On the client side (a client-ssl profile) the left is the client's address with its ephemeral source port and the right is the virtual server's address and port. " +
				"On the server side (a server-ssl profile) the left is BIG-IP's self IP or SNAT address and the right is the pool member. " +
				"The line alone does not say which side it is: if {right_ip} is a virtual server's destination it is the client side, if it is a pool member's address it is the server side. " +
				"The line carries no reason; a `01260009` line just before it, in the same second from the same tmm, usually does.",
			left:  roleLeftEither,
			right: roleRightEither,
			causes: []string{
				"The client rejected the certificate and aborted (an alert such as 48 unknown_ca or 42 bad_certificate, or a silent close): an untrusted or private root CA, a missing intermediate certificate, an expired certificate, or a name that does not match. BIG-IP logs no reason line for the client's alert, so a lone 01260013 most often means this.",
				"The client or something in its path gave up mid-handshake: a TCP health monitor or a scanner closing after its ClientHello, a firewall or IPS resetting the connection, or a client with a short timeout of its own.",
				"A handshake timeout (handshake-timeout, 10 s by default): the client stalled, often because the certificate flight was lost on a path with an MTU black hole.",
				"A version, cipher or non-TLS problem: then a `01260009` reason line (unsupported version, no shared ciphers, not SSL) comes just before this one in the same second.",
				"Server side: the pool member does not speak TLS on that port, refuses BIG-IP's server-ssl offer, or its certificate fails the server-ssl checks.",
			},
			checks: []string{
				lineCheckSides,
				lineCheckReason,
				"From a client, look at what the virtual server sends: `openssl s_client -connect {vs} -servername <name> -showcerts </dev/null` (is the chain complete, is it expired, does the name match?), or `tlsgate probe {vs} --sni <name>` for the whole checklist.",
				lineCheckCapture,
				"For more detail in /var/log/ltm, set `tmsh modify sys db log.ssl.level value Debug` for a short while, then back to Warning.",
			},
			scenarios: []string{"untrusted-root", "incomplete-chain", "self-signed", "expired", "clock-ahead", "pmtud-blackhole", "sni-required", "mtls-required"},
		},

		IDConnectionError + "/not SSL": {
			title: "not SSL: the first bytes were not TLS",
			meaning: "TMM read the first bytes of the connection and they are not a TLS record (a TLS handshake starts with the byte 0x16), so there is no ClientHello to answer. " +
				"{func}:{line_no} is a TMM source location that changes between builds; ({alert}) is the alert number BIG-IP logs, although on the wire it just closes the connection without an alert. " +
				"The summary line that follows (01260013, same second, same tmm) names the client on the left of the arrow and the virtual server on the right.",
			causes: []string{
				"Plain HTTP sent to the HTTPS virtual server: an http:// URL with the TLS port (http://host:443/), or an application configured without TLS.",
				"A health monitor (another load balancer, a monitoring system) sending plain HTTP or a bare TCP payload to the TLS port.",
				"A client-ssl profile attached to a virtual server that is meant to be plaintext, such as port 80.",
				"Another protocol on the port: a PROXY protocol header added by a load balancer in front, SSH, or cleartext HTTP/2.",
				"Server side: with a server-ssl profile, a pool member that answers BIG-IP's ClientHello in plaintext (its port speaks plain HTTP).",
			},
			checks: []string{
				"Find the client in the 01260013 line that follows (left of the arrow) and what it is: a browser, a script, a monitor?",
				"See the bytes: `tcpdump -ni 0.0:nnn -A -s0 host {client_ip} and port {vs_port}` shows `GET / HTTP/1.1` in clear text.",
				"If this virtual server must accept plaintext too, enable Non-SSL Connections (allow-non-ssl) on the client-ssl profile; better, serve plain HTTP on port 80 with a redirect to HTTPS.",
				"If the virtual server is meant to be plaintext, remove the client-ssl profile from it.",
			},
			scenarios: []string{"http-to-tls-port"},
		},
		IDConnectionError + "/unsupported version": {
			title: "unsupported version: no protocol version in common",
			meaning: "The ClientHello offered no protocol version the SSL profile allows, so TMM stopped at the ClientHello ({func}, source line {line_no}). " +
				"({alert}) is the alert number logged: BIG-IP often reports 40 handshake_failure where the RFC would send 70 protocol_version, likely because of the default generic-alert setting. " +
				"The 01260013 line that follows names the client and the virtual server.",
			causes: []string{
				"An old client that offers only TLS 1.0 or 1.1 (or SSLv3) against a profile that disables them (no-tlsv1, no-tlsv1.1): embedded devices, old Java, Windows 7-era stacks, scripts pinned to an old version.",
				"A TLS 1.3-only client against a profile that keeps TLS 1.3 off (the no-tlsv1.3 option, set by default in many BIG-IP versions).",
				"A scanner probing old versions.",
				"Server side: a pool member that speaks only versions the server-ssl profile excludes.",
			},
			checks: []string{
				"Test each version against the virtual server: `openssl s_client -connect {vs} -tls1 </dev/null`, then `-tls1_1`, `-tls1_2` and `-tls1_3`.",
				"Read the profile's options: `tmsh list ltm profile client-ssl <profile> options` (look for no-tlsv1, no-tlsv1.1, no-tlsv1.3).",
				"Identify the client from the 01260013 line that follows and upgrade it; lower the profile's floor only as a deliberate, time-limited exception.",
				"A capture read with `ssldump -A -nr <file>` shows the versions the ClientHello offered.",
			},
			scenarios: []string{"old-client-tls10", "server-tls13-only"},
		},
		IDConnectionError + "/no shared ciphers": {
			title: "no shared ciphers: no cipher suite in common",
			meaning: "The client's cipher suites and the SSL profile's cipher string have nothing in common, so TMM could not select a suite ({func}, source line {line_no}) and failed with ({alert}). " +
				"A `01260026` line with the two peers and the `01260013` summary usually follow in the same second.",
			causes: []string{
				"An old client offering only suites a hardened profile excludes: RC4, 3DES, CBC or static-RSA suites against a cipher string of ECDHE with AES-GCM only.",
				"A profile restricted further than its clients (a FIPS or compliance cipher string, a custom cipher group), or a certificate key type the client's suites cannot use (an ECDSA-only certificate and a client offering only RSA suites).",
				lineCauseGroups,
				"Server side: the server-ssl cipher string shares no suite with the pool member.",
			},
			checks: []string{
				lineCheckCiphers,
				lineCheckEnum,
				"Compare with the client's offer (a capture read with `ssldump -A` shows the ClientHello's suites); enable a suite the client offers, or upgrade the client.",
				lineCheckGroups,
			},
			scenarios: []string{"no-shared-cipher"},
		},
		IDConnectionError + "/TLS_FALLBACK_SCSV with a lower protocol": {
			title: "TLS_FALLBACK_SCSV: a downgraded retry refused",
			meaning: "The client sent the TLS_FALLBACK_SCSV signal (RFC 7507), which says \"this is a retry at a lower version after a failed attempt\", while offering a version below the highest BIG-IP supports. " +
				"That is what a downgrade attack looks like, so BIG-IP refused with ({alert}) ({func}, source line {line_no}).",
			causes: []string{
				"The client's first attempt at its highest version failed because something in the path broke it (a middlebox intolerant of TLS 1.2 or 1.3, of large ClientHellos or of some extension), and its fallback retry is refused by design.",
				"A client with faulty fallback logic that retries at a lower version after a network error that had nothing to do with TLS.",
				"A scanner testing fallback protection.",
			},
			checks: []string{
				"Look for an earlier failure from the same client address just before this line: that is the attempt that really failed.",
				"Reproduce it: `openssl s_client -connect {vs} -tls1_2 -fallback_scsv </dev/null` is refused the same way when the profile allows TLS 1.3 (`-tls1_1` when it stops at TLS 1.2 and still allows 1.1); without -fallback_scsv the ClientHello reaches the version check.",
				"Find what broke the first attempt: capture next to the client and next to the BIG-IP at the same time, and compare.",
			},
			scenarios: []string{"fallback-scsv"},
		},
		IDConnectionError: {
			title: "connection error: {reason}",
			meaning: "TMM's SSL code stopped the connection in {func} (source line {line_no}) with the reason `{reason}` and the TLS alert ({alert}). " +
				"This reason is not one of the verified ones tlsgate knows (unsupported version, no shared ciphers, TLS_FALLBACK_SCSV with a lower protocol, not SSL), so it does not guess beyond the alert, which names the kind of failure.",
			checks: []string{
				"Read the 01260013 line that follows (same second, same tmm) for the two endpoints.",
				"Search F5's knowledge base (my.f5.com) for the exact reason `{reason}`.",
				lineCheckCapture,
			},
		},

		IDNoSharedCiphers: {
			title: "no shared ciphers between SSL peers (the detail line)",
			meaning: "The detail line of a cipher mismatch: the two peers of the failed handshake, written with a dot before each port and a colon between the peers ({left} and {right}). " +
				"It sits between the `no shared ciphers` reason (01260009) and the summary (01260013) of the same connection. The first peer is the client (server side: BIG-IP's self IP or SNAT address), the second the virtual server (server side: the pool member).",
			left:  roleLeftEither,
			right: roleRightEither,
			causes: []string{
				"An old client offering only suites a hardened profile excludes: RC4, 3DES, CBC or static-RSA suites against a cipher string of ECDHE with AES-GCM only.",
				"A profile restricted further than its clients (a FIPS or compliance cipher string), or a certificate key type the client's suites cannot use.",
				lineCauseGroups,
				"Server side: the server-ssl cipher string shares no suite with the pool member.",
			},
			checks:    []string{lineCheckSides, lineCheckCiphers, lineCheckEnum, lineCheckGroups},
			scenarios: []string{"no-shared-cipher"},
		},

		IDTPSLimit: {
			title: "SSL TPS rate limit reached",
			meaning: "The licensed SSL transactions-per-second cap was reached: new handshakes are refused or queued until the rate drops. " +
				"The pairing of this ID with this text comes from study notes quoting F5 K7747, not from a verified sample: medium confidence.",
			causes: []string{
				"A traffic surge beyond the licensed SSL TPS.",
				"A platform licensed below its real load.",
				"Many full handshakes: clients that do not resume sessions, or a scanner or flood opening TLS connections.",
			},
			checks: []string{
				"Check the licensed SSL TPS: `tmsh show sys license detail` (look for the SSL TPS limit).",
				"Compare it with the handshake rate of the busiest virtual servers, and find the source of the surge.",
				"Check that session resumption works for the main clients (session cache, tickets): a resumed handshake costs far less.",
			},
		},

		IDCertWillExpire: {
			title: "certificate will expire soon",
			meaning: "A periodic check by tmsh found the certificate `{subject}` in {file} close to its end date: it expires on {date} GMT. " +
				"Nothing has failed yet; from that date, handshakes that use it fail on every client that validates certificates.",
			causes: []string{"The certificate's validity period is ending and it has not been renewed yet."},
			checks: []string{
				lineCheckUsedBy,
				"Check its dates: `tmsh list sys file ssl-cert {file}`.",
				"Renew it before {date} and update the profiles (or import the renewed certificate over the same object).",
			},
			scenarios: []string{"expired"},
		},
		IDCertExpired: {
			title: "certificate expired",
			meaning: "A periodic check by tmsh found the certificate `{subject}` in {file} already expired, on {date} GMT. " +
				"If an SSL profile serves it, every client that validates certificates now rejects the handshake (curl: `certificate has expired`), and BIG-IP logs only 01260013 summaries because it is the client that sends the alert.",
			causes: []string{
				"The certificate was not renewed in time.",
				"A renewed certificate was imported under another name and the profile still points at the old one.",
				"It is a CA or client-certificate bundle for client authentication (ca-file): then client certificates chaining to it fail instead.",
				"An old certificate left in the store that no profile uses: then nothing fails, and it can be deleted.",
			},
			checks: []string{
				lineCheckUsedBy,
				"Renew it, update the profiles, and check the intermediate certificates are served with it.",
				"Check the BIG-IP's clock and NTP: `date` and `tmsh show sys ntp`.",
			},
			scenarios: []string{"expired"},
		},

		IDRSTLimit: {
			title: "TCP resets rate-limited",
			meaning: "TMM limits how many TCP resets per second it sends: the {rst_what} responses reached {rst_from} per second and were held at {rst_to} (traffic group {traffic_group}). " +
				"It is background noise during floods of unwanted or rejected connections, not an SSL failure in itself; some resets clients should have seen were not sent.",
			causes: []string{
				"A port scan, or a flood of connections to ports or addresses BIG-IP rejects.",
				"Many connections rejected at once, such as plain-HTTP clients reset by a client-ssl virtual server, or a pool with no member available.",
				"A SYN flood, or a misbehaving client retrying in a tight loop.",
			},
			checks: []string{
				"Find the sources: `tcpdump -ni 0.0:nnn -c 200 'tcp[tcpflags] & tcp-rst != 0'` shows who is getting the resets.",
				"Look at the SSL and connection lines around the same time for the rejected connections.",
				"If it is an attack, filter it upstream (ACLs, rate limits); the limit itself protects the BIG-IP.",
			},
		},

		IDPoolMemberDown: {
			title: "pool member marked down by its health monitor",
			meaning: "mcpd marked member {member} of pool {pool} {status}: {monitor_failed}; {duration}. " +
				"HTTPS monitors that fail their TLS handshake show up here, not as 0126xxxx SSL lines. BIG-IP sends the member no new connections until it is up again, and a pool with no member up resets or refuses clients.",
			causes: []string{
				"The service on the member is down or not listening on that port.",
				"A firewall or routing problem between the BIG-IP's self IP and the member.",
				"The monitor does not match the service: an HTTPS monitor against a plain port, an HTTP monitor against a TLS port, a TLS version, cipher or SNI the member refuses, or a receive string that no longer matches.",
				"With tcp_half_open (as in the sample line): the member did not answer the SYN with a SYN-ACK, so the port is closed or filtered.",
			},
			checks: []string{
				"`tmsh show ltm pool {pool} members` shows each member's state and the monitor's reason.",
				"Test from the BIG-IP itself, from its self IP: `curl -vk --interface <self IP> https://<member address>:<port>/` for an HTTPS monitor, `nc -vz <member address> <port>` for a TCP one.",
				"Read the monitor's definition: `tmsh list ltm monitor <type> {monitor}` shows what it sends and expects.",
			},
		},

		IDRSTSent: {
			title: "TCP reset sent (reset-cause logging)",
			meaning: "BIG-IP sent a TCP reset from {left} to {right} and logged why: [{rst_code}] {rst_reason}. These lines appear only while the db key tm.rstcause.log is enabled. " +
				"The wording of this message is inferred from log parsers, not seen verbatim, so treat the fields as a best reading.",
			left:  "the BIG-IP side that sent the reset (a virtual server, or a self IP on the server side)",
			right: "the peer that received the reset",
			causes: []string{
				"The reason after the code names the cause: an iRule error, a handshake failure or timeout, no pool member available, and so on.",
			},
			checks: []string{
				"Read the reason `{rst_reason}`, and look for SSL lines for the same endpoints just before.",
				"Turn reset-cause logging off again when done: `tmsh modify sys db tm.rstcause.log value disable`.",
			},
		},

		IDPeerCertVerify: {
			title: "peer certificate verify error",
			meaning: "BIG-IP could not verify the peer's certificate: `{verify_reason}` at depth {depth} (0 is the peer's own certificate, 1 its issuer, and so on) for {cert_subject}. " +
				"It happens on the server side when the server-ssl profile checks the pool member's certificate, or on the client side when the client-ssl profile requires client certificates (peer-cert-mode require). " +
				"The wording of this message comes from F5 articles, not from a verified sample: low to medium confidence.",
			causes: []string{
				"The issuer is not in the profile's trusted CA bundle (ca-file): an unknown or private CA, or a missing intermediate certificate.",
				"The certificate has expired or is not valid yet (check both clocks).",
				"A self-signed certificate, or a chain longer than authenticate-depth (9 by default).",
			},
			checks: []string{
				"Read the verify reason: `unable to get local issuer certificate` means a missing intermediate or CA; `certificate has expired` a date problem.",
				"Check the profile: `tmsh list ltm profile server-ssl <profile> ca-file peer-cert-mode` (client-ssl for client certificates).",
				"Look at the peer's chain: `openssl s_client -connect <peer address>:<port> -showcerts </dev/null`.",
			},
			scenarios: []string{"mtls-required"},
		},

		lineThrottle: {
			title: "log throttling notice for message {id}{throttled_title}",
			meaning: "`{throttle}` is a log-throttling notice. BIG-IP writes it under the ID of the message it throttles ({id}), not under an ID of its own: " +
				"a burst of identical {id} messages went over the log rate, and some of them are missing from the log from here on, so counting lines undercounts the events.",
			causes: []string{
				"A burst of identical messages: a scanner or a flood producing many handshake failures, or one broken client retrying in a loop.",
				"Many clients failing at once after a change (a certificate, a profile, a pool).",
			},
			checks: []string{
				"Read the {id} messages just before this line: they are the ones being throttled.",
				"Count failures from statistics, not from log lines: `tmsh show ltm profile client-ssl <profile>` counts handshake failures even while the log is throttled.",
				"Find the source of the burst from the addresses in those messages.",
			},
		},

		lineSession: {
			title:   "SSL handshake details: a completed handshake (17.1 session log)",
			meaning: "BIG-IP 17.1 and later write this event, without a message ID, for a completed handshake when SSL session logging is on: {left} -> {right} used {version} with {cipher}. Nothing failed.",
			left:    "the side that opened the connection (client, or BIG-IP self IP/SNAT on the server side)",
			right:   "the side that accepted it (virtual server, or pool member on the server side)",
			checks:  []string{"Nothing to fix. Compare with a failing client's lines for the same virtual server: a different version or cipher often shows what it lacks."},
		},
		lineSessionClient: {
			title: "SSL handshake details: a completed client-side handshake (17.1 session log)",
			meaning: "BIG-IP 17.1 and later write this event, without a message ID, for a completed handshake when SSL session logging is on. " +
				"entity: client means the client side: {left} is the client and {right} the virtual server. The handshake used {version} with {cipher}; nothing failed.",
			left:   "client",
			right:  "virtual server",
			checks: []string{"Nothing to fix. Compare with a failing client's lines for the same virtual server: a different version or cipher often shows what it lacks."},
		},
		lineSessionServer: {
			title: "SSL handshake details: a completed server-side handshake (17.1 session log)",
			meaning: "BIG-IP 17.1 and later write this event, without a message ID, for a completed handshake when SSL session logging is on. " +
				"entity: server means the server side: {left} is BIG-IP's self IP or SNAT address and {right} the pool member. The handshake used {version} with {cipher}; nothing failed.",
			left:   "BIG-IP self IP or SNAT address",
			right:  "pool member",
			checks: []string{"Nothing to fix. If clients still fail, their problem is on the client side of this virtual server."},
		},

		lineIRule: {
			title:   "iRule log output ({irule})",
			meaning: "Lines that start with `Rule <name> <EVENT>:` come from an iRule's `log` command: the text is whatever the rule's author wrote, so it has no message ID and no fixed meaning.",
			checks:  []string{"Read the rule: `tmsh list ltm rule {irule}`, and find the `log` command that writes this text."},
		},

		lineNoID: {
			title:   "no message ID",
			meaning: "The line carries no BIG-IP message ID and its text matches none of the messages tlsgate knows, so tlsgate cannot say which message this is. What could still be read from it is listed below.",
			checks: []string{
				"Paste the whole line as it is in /var/log/ltm, with its `ID:severity:` part (such as `01260013:4:`).",
				"Look at the lines around it with the same second and process.",
			},
		},
		lineUnknown: {
			title: "unknown message ID {id}: not one tlsgate knows",
			meaning: "tlsgate has no verified text for message ID {id}, so it does not guess what it means. " +
				"The ID reads as product {id_product}, subset {id_subset}, message {id_number} (F5's K16197 layout; product 01 is BIG-IP).{id_subset_note} What could still be read from the line is listed below.",
			checks: []string{
				"Search F5's knowledge base (my.f5.com) for `{id}`.",
				"Look at the lines around it with the same second and process: a known message next to it often explains it.",
			},
		},
	}
}

// Keys of lineNotes.
const (
	noteArrow         = "arrow"
	noteLowPort       = "low_source_port"
	noteVSPort80      = "vs_port_80"
	noteRouteDomain   = "route_domain"
	noteBadPort       = "bad_port"
	noteNullConnflow  = "null_connflow"
	noteIDFromText    = "id_from_text"
	noteSevMismatch   = "severity_mismatch"
	notePRIMismatch   = "pri_mismatch"
	noteGroup         = "group"
	notePeersMismatch = "peers_mismatch"
	noteSubset26      = "subset_26"
	noteSubset42      = "subset_42"
	noteThrottleKnown = "throttled_known"
	noteThrottleOther = "throttled_unknown"
	noteUnknownValue  = "unknown_value"
	noteNone          = "none"
	noteNoClient      = "no_client"
	noteNoVSAddr      = "no_vs_addr"
	noteNoVSPort      = "no_vs_port"
	noteNoVS          = "no_vs"
	// The parts of an 01070638 line that a cut line may lack.
	noteMonitorNamed   = "monitor_named"
	noteMonitorUnnamed = "monitor_unnamed"
	noteUpUnknown      = "up_unknown"
	noteNoMonitor      = "no_monitor"
)

// lineNotes holds the sentences added to a line's explanation when its
// facts call for them, and the small words of the line templates.
func lineNotes(lang string) map[string]string {
	if normLang(lang) == LangJA {
		return lineNotesJA()
	}
	return lineNotesEN()
}

func lineNotesEN() map[string]string {
	return map[string]string{
		noteArrow:    "The arrow is the direction of the TCP connection, not a port mapping: `x:80 -> y:443` is a client whose ephemeral source port happened to be 80 connecting to port 443; nothing was forwarded from port 80 to port 443.",
		noteLowPort:  "The left port here is {left_port}. Low as it is, it is the client's source port (clients and NAT devices may use any free port), not a service listening on port {left_port}.",
		noteVSPort80: "The right side is port 80: a client-ssl profile on a port-80 virtual server makes every plain-HTTP client fail like this; look for a `not SSL` line in the same second.",
		noteRouteDomain: "A `%N` after an address is a BIG-IP route domain ({rd_addrs}: route domain {rd}). Each route domain is a routing table of its own, so the same IP in another route domain is another network and another host. " +
			"tmsh writes and takes the address with its `%N` ({rd_ip}), so look it up that way; capture filters and clients take the bare address, so capture on the route domain's VLANs (`tmsh list net route-domain` shows each one's id and VLANs) rather than on 0.0, where the same IP from another route domain matches too, and test from a client in that network.",
		noteBadPort:        "{bad_ports}: a TCP port is a number from 0 to 65535, so no BIG-IP wrote that port. The line was damaged or edited on its way (a collector, a copy, a hand): tlsgate leaves that address out of the commands, and the original line in /var/log/ltm holds the real port.",
		noteNullConnflow:   "`(null connflow)`: TMM had no connection context for this message, so it could not tie it to a connection.",
		noteIDFromText:     "The line has no message ID; tlsgate recognised the text of {id}.",
		noteSevMismatch:    "The severity word ({sev_word}) and the digit after the ID ({sev}) disagree: the line may have been edited, or rewritten by a collector.",
		notePRIMismatch:    "The syslog priority <{pri}> ({pri_name}) and the line's own severity ({sev} {sev_name}) disagree: a collector or relay rewrote the priority on the way, so filter and alert on the severity in the line, not on the PRI. A BIG-IP forwards LTM lines as local0 with the line's severity (<132> for warning, <134> for info).",
		noteGroup:          "These {n} lines are one failed connection: the same second and the same {process}[{pid}], the reason first and the summary last, as BIG-IP writes them.",
		notePeersMismatch:  "The 01260026 peers ({peer_left}, {peer_right}) differ from the 01260013 endpoints ({left} -> {right}): these lines may not belong to one connection.",
		noteSubset26:       " Subset 26 is TMM's SSL code, so it concerns SSL, but its text is not verified.",
		noteSubset42:       " Subset 42 is where tmsh logs its certificate checks.",
		noteThrottleKnown:  " ({title})",
		noteThrottleOther:  " (an ID tlsgate does not know)",
		noteUnknownValue:   "(not in the line)",
		noteNone:           "(none)",
		noteNoClient:       "<client address>",
		noteNoVSAddr:       "<virtual address>",
		noteNoVSPort:       "<virtual port>",
		noteNoVS:           "<virtual address>:<port>",
		noteMonitorNamed:   "its health monitor {monitor} failed (last error: {last_error})",
		noteMonitorUnnamed: "its health monitor failed (the line names neither the monitor nor its last error)",
		noteUpUnknown:      "the line does not say how long the member had been up",
		noteNoMonitor:      "<monitor>",
	}
}
