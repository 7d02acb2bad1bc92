package explain

import "sync"

// entry is the knowledge for one diagnosis code, or for one variant of it
// (then only its non-empty fields override the code's; a variant's group
// other than groupNone replaces the code's). Texts are templates
// over the placeholders in facts.vars, so the table holds the words and the
// code holds none.
type entry struct {
	ok        bool
	group     group
	summary   string
	cause     string
	checks    []string
	clientSaw string
	evidence  []string // evidence keys, in display order
	// tail is appended to the cause after a variant replaced it, so a
	// fact that matters for every variant (a failure streak) is said once.
	tail string
	// ownSaw: a fault_injected variant whose client hint beats the stop
	// firing's symptom, which was worded when the rule was planned and
	// cannot know where the fault bit (an MTU stall after a completed
	// handshake is no handshake timeout).
	ownSaw bool
}

// evHello is the evidence set for ClientHello-level failures.
func evHello() []string {
	return []string{"first_bytes", "sni", "versions_offered", "versions_ours", "ciphers_offered", "alpn_offered", "ja3", "ja4"}
}

// Client-symptom texts reused by several entries (client-symptoms.md §3, §5).
const (
	sawAlert70      = "tlsgate answers with alert 70 protocol_version: curl prints `curl: (35) … tlsv1 alert protocol version`, Go `remote error: tls: protocol version not supported`, Java `Received fatal alert: protocol_version`, Chrome ERR_SSL_VERSION_OR_CIPHER_MISMATCH."
	sawTimeout      = "curl prints `curl: (28) Connection timed out after … milliseconds` or `curl: (28) SSL connection timeout`; Go net/http `net/http: TLS handshake timeout`; openssl s_client prints CONNECTED(00000003) and hangs; Chrome ERR_TIMED_OUT."
	sawBackend      = "{backend_saw}"
	checkCA         = "Run `tlsgate ca export{ca_dir_opt}` and add the lab CA to the client's trust store, or pass it directly: `curl --cacert {lab_ca} {curl_target}`."
	checkUpgradeSSL = "Upgrade the client: tlsgate (Go's crypto/tls) cannot serve SSLv2 or SSLv3 at any min_version, and no server should."
	// checkSSLv2Client is the second check for an SSLv2-format hello: an
	// old stack, which today's curl flags do not fit.
	checkSSLv2Client = "Make the client send a TLS-format ClientHello offering {floor} or later: turn off its SSLv2 compatibility (Java: remove SSLv2Hello from the enabled protocols with `SSLSocket.setEnabledProtocols`, or `-Dhttps.protocols=TLSv1.2` for HttpsURLConnection; OpenSSL 1.0.x: `SSL_OP_NO_SSLv2`), or upgrade a stack too old for it: Java 6, OpenSSL 0.9.8 and Internet Explorer 6 stop at TLS 1.0, while TLS 1.2 needs Java 7 or later with it enabled, or OpenSSL 1.0.1 or later."
	// sawTLSOnPlainReset: what a TLS client sees when a plaintext listener
	// resets it.
	sawTLSOnPlainReset = "tlsgate reset the connection: curl prints `curl: (35) Recv failure: Connection reset by peer`, Go `read: connection reset by peer`, Chrome ERR_CONNECTION_RESET."
	checkCAJava        = "For Java, import the lab CA into the truststore (`keytool -importcert -cacerts -file {lab_ca}`); for Python set SSL_CERT_FILE or REQUESTS_CA_BUNDLE."
)

// knowledgeTable is built once and only read afterwards: it is a constant
// in all but syntax, so it holds no mutable state.
var knowledgeTable = sync.OnceValue(knowledge)

// knowledgeTableJA holds the Japanese words of the same keys; only its text
// fields (summary, cause, checks, clientSaw, tail) are read.
var knowledgeTableJA = sync.OnceValue(knowledgeJA)

// knowledge builds the table of codes and variants. Keys are "code" or
// "code/variant".
func knowledge() map[string]entry {
	t := clientKnowledge()
	for _, more := range []map[string]entry{upstreamKnowledge(), passthroughKnowledge(), clientEndKnowledge(), proxyKnowledge(), inspectKnowledge(), faultKnowledge(), recordKnowledge(), clockKnowledge(), alpnKnowledge(), effectKnowledge(), configuredKnowledge(), undecidedKnowledge(), connectKnowledge()} {
		for k, e := range more {
			t[k] = e
		}
	}
	addProxyFragments(t, proxyPortChecks, proxyFragmentTail)
	return t
}

// knowledgeJA builds the Japanese table, keyed like knowledge.
func knowledgeJA() map[string]entry {
	t := clientKnowledgeJA()
	for _, more := range []map[string]entry{upstreamKnowledgeJA(), passthroughKnowledgeJA(), clientEndKnowledgeJA(), proxyKnowledgeJA(), inspectKnowledgeJA(), faultKnowledgeJA(), recordKnowledgeJA(), clockKnowledgeJA(), alpnKnowledgeJA(), effectKnowledgeJA(), configuredKnowledgeJA(), undecidedKnowledgeJA(), connectKnowledgeJA()} {
		for k, e := range more {
			t[k] = e
		}
	}
	addProxyFragments(t, proxyPortChecksJA, proxyFragmentTailJA)
	return t
}

// lookup merges a code's entry with its variant's overrides, in English.
func lookup(v verdict) entry { return merge(knowledgeTable(), v) }

// lookupLang is lookup with the words of lang: the facts of the entry (ok,
// group, evidence keys) stay the English table's, so no language can
// change what a diagnosis shows, only how it is said.
func lookupLang(v verdict, lang string) entry {
	e := lookup(v)
	if lang != LangJA {
		return e
	}
	ja := merge(knowledgeTableJA(), v)
	e.summary, e.cause, e.checks, e.clientSaw, e.tail = ja.summary, ja.cause, ja.checks, ja.clientSaw, ja.tail
	return e
}

// merge merges a code's entry with its variant's overrides in table.
func merge(table map[string]entry, v verdict) entry {
	e, ok := table[v.code]
	if !ok {
		e = table[CodeHandshakeFailed]
	}
	if v.variant == "" {
		return e
	}
	over, ok := table[v.code+"/"+v.variant]
	if !ok {
		return e
	}
	if over.group != groupNone {
		e.group = over.group
	}
	if over.summary != "" {
		e.summary = over.summary
	}
	if over.cause != "" {
		e.cause = over.cause
	}
	if len(over.checks) > 0 {
		e.checks = over.checks
	}
	if over.clientSaw != "" {
		e.clientSaw = over.clientSaw
	}
	if len(over.evidence) > 0 {
		e.evidence = over.evidence
	}
	if over.tail != "" {
		e.tail = over.tail
	}
	e.ownSaw = e.ownSaw || over.ownSaw
	return e
}
