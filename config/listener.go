package config

import (
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/tlsgate/tlsgate/listener"
)

// listenerTables returns the [[listener]] tables.
func listenerTables(root *table) []*table { return arrayTables(root, "listener") }

// arrayTables returns the [[key]] tables. A single [key] table (one bracket
// pair) is the classic slip, so it gets its own message.
func arrayTables(root *table, key string) []*table {
	v, ok := root.m[key]
	if !ok {
		return nil
	}
	var elems []map[string]any
	switch arr := v.(type) {
	case []map[string]any:
		elems = arr
	case []any:
		for i, e := range arr {
			m, isMap := e.(map[string]any)
			if !isMap {
				root.d.probs.add(root.elemPos(key, i), key,
					fmt.Errorf("%s[%d]: want a table, got %s", key, i, describe(e)))
				continue
			}
			elems = append(elems, m)
		}
	case map[string]any:
		root.fail(key, "must be an array of tables: write [[%s]] with double brackets", key)
		return nil
	default:
		root.fail(key, "want [[%s]] tables, got %s", key, describe(v))
		return nil
	}
	tables := make([]*table, len(elems))
	for i, m := range elems {
		tables[i] = &table{d: root.d, path: pathIndex(key, i), name: key, m: m}
	}
	return tables
}

// decodeListener converts one [[listener]] into listener.Options, applying defaults
// and checking every rule that concerns this listener alone. n is its 1-based
// position, which names it when the name key is absent.
func decodeListener(t *table, n int) listener.Options {
	o := listener.Options{
		Name:             fmt.Sprintf("listener%d", n),
		NonSSL:           listener.NonSSLReset,
		PeekTimeout:      listener.DefaultPeekTimeout,
		PeekMax:          listener.DefaultPeekMax,
		HandshakeTimeout: listener.DefaultHandshakeTimeout,
		IdleTimeout:      listener.DefaultIdleTimeout,
		DialTimeout:      listener.DefaultDialTimeout,
		BusyPoll:         listener.DefaultBusyPoll,
	}
	if s, ok := t.str("name"); ok {
		switch {
		case s == "":
			t.fail("name", "empty; leave the key out to get %q", o.Name)
		case strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f }):
			// The name is a field in BIG-IP-style log lines; a space would split it.
			t.fail("name", "%q contains spaces or control characters", s)
		default:
			o.Name = s
		}
	}

	modes := []string{string(listener.Passthrough), string(listener.Terminate), string(listener.Plaintext), string(listener.Auto), string(listener.Inspect)}
	if !t.has("mode") {
		t.fail("mode", "missing in listener %q; say what clients send: mode = %s", o.Name, strings.Join(quoteAll(modes), " | "))
	}
	o.Mode = listener.Mode(t.oneOf("mode", "", modes...))

	o.Listen = addrKey(t, "listen", true, o.Name)
	o.Transparent = t.oneOf("transparent", "", "", listener.TransparentRedirect, listener.TransparentTProxy)
	switch {
	case o.Transparent == "":
		o.Backend = addrKey(t, "backend", false, o.Name)
	case t.has("backend"):
		t.fail("backend", "is ignored with transparent = %q: each connection goes to its original destination; remove the key", o.Transparent)
	}
	if o.Transparent != "" && o.Listen != "" {
		transparentListenNote(t, o.Listen, o.Transparent)
	}
	o.Bypass = bypassList(t)
	o.MimicUpstream = t.boolean("upstream_cert", true) && o.Mode == listener.Inspect
	o.KeyLog = t.filePath("keylog")
	t.checkNewFile("keylog", o.KeyLog)
	o.Capture = t.filePath("capture")
	t.checkDir("capture", o.Capture, true)
	if t.has("plain_backend") {
		o.PlainBackend = addrKey(t, "plain_backend", false, o.Name)
	}

	nonSSLSet := t.has("non_ssl")
	o.NonSSL = listener.NonSSL(t.oneOf("non_ssl", string(listener.NonSSLReset),
		string(listener.NonSSLReset), string(listener.NonSSLHTTP400), string(listener.NonSSLRedirect), string(listener.NonSSLAllow)))

	o.PeekTimeout = t.duration("peek_timeout", o.PeekTimeout, false)
	o.HandshakeTimeout = t.duration("handshake_timeout", o.HandshakeTimeout, false)
	o.IdleTimeout = t.duration("idle_timeout", o.IdleTimeout, false)
	o.DialTimeout = t.duration("dial_timeout", o.DialTimeout, false)
	if o.BusyPoll = t.duration("busy_poll", o.BusyPoll, true); o.BusyPoll > listener.MaxBusyPoll {
		t.fail("busy_poll", "%s is more than %s; a loop polling that long between events spends a CPU on waiting",
			o.BusyPoll, listener.MaxBusyPoll)
	}
	o.ProxyProtocol = t.oneOf("proxy_protocol", "", "", "v1", "v2", "optional")
	o.BackendProxyProtocol = t.oneOf("backend_proxy_protocol", "", "", "v1", "v2")
	o.MaxConnections = t.count("max_connections")
	o.Connect = t.oneOf("connect", "", listener.ConnectTunnel)
	o.Engine = listener.Engine(t.oneOf("engine", "",
		string(listener.EngineAuto), string(listener.EngineEpoll), string(listener.EngineUring), string(listener.EngineGoroutines)))

	cs, csSet := t.sub("client_ssl")
	o.ClientSSL = decodeClientSSL(cs)
	ss, ssSet := t.sub("server_ssl")
	if ssSet {
		o.ServerSSL = decodeServerSSL(ss)
	}
	t.unknown()

	checkModeKeys(t, &o, nonSSLSet, csSet, ssSet)
	if o.Mode == listener.Inspect && o.ClientSSL.CertFile != "" && o.ClientSSL.KeyFile != "" {
		// The inspect path mints every leaf (listener/inspect.go) and never
		// looks at these files: accepting them would let the user believe
		// clients see this certificate.
		cs.fail("cert", "an inspect listener never serves a configured certificate: it mints a leaf from the lab CA for each server it reaches "+
			"(copying that server's names, upstream_cert), so cert and key would be ignored; remove them, or use mode = \"terminate\" to serve %q", o.ClientSSL.CertFile)
	}
	if o.Mode != listener.Inspect {
		for _, k := range []string{"bypass", "upstream_cert"} {
			if t.has(k) {
				t.fail(k, "only applies to mode = \"inspect\", not mode = %q", o.Mode)
			}
		}
	}
	if o.Mode != listener.Terminate && o.Mode != listener.Inspect && (o.Mode != listener.Auto || !csSet) {
		o.ClientSSL = nil // nothing terminates TLS here, so no profile applies
	}
	if t.has("busy_poll") && o.Engine == listener.EngineUring {
		// The io_uring loops do not poll (yet): the key would do nothing.
		t.fail("busy_poll", "only applies to the epoll engine; engine = \"uring\" loops never poll before they park")
	} else if t.has("busy_poll") && o.Mode != "" && o.Engine != listener.EngineEpoll {
		// busy_poll tunes the epoll loops only: on a listener served by
		// goroutines it would do nothing, so it is refused as other keys
		// that do nothing are. engine = "epoll" reports its own blocker.
		why := listener.FastPathBlocker(o)
		if o.Engine == listener.EngineGoroutines {
			why = "engine = \"goroutines\" never runs it"
		}
		if why != "" {
			t.fail("busy_poll", "only applies to the epoll engine, which does not serve this listener: %s", why)
		}
	}
	if (o.Engine == listener.EngineEpoll || o.Engine == listener.EngineUring) && o.Mode != "" {
		// run would refuse to start this listener: say so here, where
		// `config check` and the key's line number can.
		if why := listener.FastPathBlocker(o); why != "" {
			t.fail("engine", "%q cannot serve this listener: %s; use \"auto\" (epoll where it can, goroutines elsewhere) or \"goroutines\"", o.Engine, why)
		}
	}
	return o
}

// checkModeKeys enforces which keys make sense for which mode. A key that a mode
// would silently ignore is an error: the user believes it does something.
func checkModeKeys(t *table, o *listener.Options, nonSSLSet, csSet, ssSet bool) {
	// An auto listener terminates only with a client_ssl table; without one
	// it passes TLS through, as sslh does, and has no TLS of its own to time.
	terminates := o.Mode == listener.Terminate || (o.Mode == listener.Auto && csSet) || o.Mode == listener.Inspect
	if o.Mode == "" {
		return // already reported; every rule below depends on the mode
	}
	if o.Mode == listener.Auto && o.PlainBackend == "" && !t.has("plain_backend") {
		t.fail("plain_backend", "missing in listener %q: mode = \"auto\" sends plaintext clients to plain_backend", o.Name)
	}
	nonSSLIgnored := o.Mode == listener.Auto || o.Mode == listener.Plaintext
	if nonSSLSet && nonSSLIgnored {
		why := "plaintext already goes to plain_backend"
		if o.Mode == listener.Plaintext {
			why = "plaintext is what this listener expects"
		}
		t.fail("non_ssl", "has no effect with mode = %q (%s); it applies to passthrough, terminate and inspect listeners", o.Mode, why)
	}
	if o.NonSSL == listener.NonSSLAllow && !nonSSLIgnored && o.PlainBackend == "" && !t.has("plain_backend") {
		t.fail("plain_backend", "missing in listener %q: non_ssl = \"allow\" relays plaintext clients to plain_backend", o.Name)
	}
	if t.has("plain_backend") && o.Mode != listener.Auto && o.NonSSL != listener.NonSSLAllow {
		t.fail("plain_backend", "is only used with mode = \"auto\" or non_ssl = \"allow\"; this listener has mode = %q, non_ssl = %q", o.Mode, o.NonSSL)
	}
	if !terminates {
		if o.Mode == listener.Auto {
			// Only client_ssl makes an auto listener terminate.
			for _, k := range []string{"handshake_timeout", "server_ssl", "keylog"} {
				if t.has(k) {
					t.fail(k, "needs [listener.client_ssl] on this auto listener: without that table it passes TLS through "+
						"to backend undecrypted (add an empty [listener.client_ssl] to terminate with minted certificates)")
				}
			}
		} else {
			if t.has("handshake_timeout") {
				t.fail("handshake_timeout", "only applies when tlsgate terminates TLS (mode = \"terminate\", \"inspect\", or \"auto\" with [listener.client_ssl]), not mode = %q", o.Mode)
			}
			// No handshake of tlsgate's own means no session keys: the
			// file would be created and stay empty.
			if t.has("keylog") {
				t.fail("keylog", "only applies when tlsgate terminates TLS (mode = \"terminate\", \"inspect\", or \"auto\" with [listener.client_ssl]): with mode = %q tlsgate holds no TLS session keys, so the file would stay empty%s",
					o.Mode, passthroughNote(o.Mode))
			}
		}
		if csSet {
			t.fail("client_ssl", "[listener.client_ssl] needs mode = \"terminate\", \"inspect\" or \"auto\": with mode = %q tlsgate does not terminate TLS%s",
				o.Mode, passthroughNote(o.Mode))
		}
		if ssSet && o.Mode != listener.Auto {
			t.fail("server_ssl", "[listener.server_ssl] needs mode = \"terminate\", \"inspect\" or \"auto\": with mode = %q tlsgate opens no TLS to the backend%s",
				o.Mode, passthroughNote(o.Mode))
		}
	}
	if o.Connect != "" && o.Mode != listener.Plaintext {
		// A CONNECT is plaintext: a TLS listener answers it with its
		// non_ssl action, and an auto one sends it to plain_backend.
		t.fail("connect", "only applies to mode = \"plaintext\", not mode = %q: an explicit proxy is spoken to in plain HTTP "+
			"(https_proxy=http://…), so only a plaintext listener reads a CONNECT", o.Mode)
	}
	if o.Connect != "" && o.Transparent != "" {
		t.fail("connect", "cannot combine with transparent = %q: a client that names its proxy is not intercepted; "+
			"the tunnel goes to backend", o.Transparent)
	}
	for _, k := range []string{"backend", "plain_backend"} {
		addr := o.Backend
		if k == "plain_backend" {
			addr = o.PlainBackend
		}
		if o.Listen != "" && addr != "" && selfLoop(o.Listen, addr) {
			t.fail(k, "%q is this listener's own address %q; every connection would loop back into tlsgate", addr, o.Listen)
		}
	}
}

func passthroughNote(m listener.Mode) string {
	if m == listener.Passthrough {
		return " (passthrough relays the client's TLS untouched, like a BIG-IP virtual without SSL profiles)"
	}
	return ""
}

// addrKey reads a required host:port key.
func addrKey(t *table, key string, listen bool, name string) string {
	s, ok := t.str(key)
	if !ok {
		if !t.has(key) && key != "plain_backend" {
			t.fail(key, "missing in listener %q; write %s = \"host:port\"", name, key)
		}
		return ""
	}
	if err := checkAddr(s, listen); err != nil {
		t.failWrap(key, err, "bad address")
		return ""
	}
	return s
}

// decodeClientSSL reads [listener.client_ssl]. An absent table yields the zero
// profile: crypto/tls defaults and certificates minted per SNI from the lab CA.
func decodeClientSSL(t *table) *listener.ClientSSL {
	c := &listener.ClientSSL{}
	c.MinVersion = version(t, "min_version")
	c.MaxVersion = version(t, "max_version")
	switch {
	case c.MinVersion != 0 && c.MaxVersion != 0 && c.MinVersion > c.MaxVersion:
		t.fail("min_version", "%s is above max_version %s; no version could be negotiated",
			versionName(c.MinVersion), versionName(c.MaxVersion))
	case (!t.has("min_version") || t.m["min_version"] == "") && c.MaxVersion != 0 && c.MaxVersion < defaultMinVersion:
		t.fail("max_version", "%s is below the default min_version %s; no version could be negotiated: set min_version = %q too",
			versionName(c.MaxVersion), versionName(defaultMinVersion), versionName(c.MaxVersion))
	}
	names, idx, present := t.strList("ciphers")
	if arr, ok := t.m["ciphers"].([]any); present && ok && len(arr) == 0 {
		t.fail("ciphers", "empty list would allow no suite at all; remove the key to use crypto/tls defaults")
	}
	allKnown := true
	for i, n := range names {
		id, good := lookupCipher(n)
		if !good {
			t.d.probs.add(t.elemPos("ciphers", idx[i]), t.keyName("ciphers"),
				fmt.Errorf("%s[%d]: unknown cipher %q: %s", t.keyName("ciphers"), idx[i], n, cipherHint(n)))
			allKnown = false
			continue
		}
		c.Ciphers = append(c.Ciphers, id)
	}
	if allKnown && len(c.Ciphers) > 0 {
		checkCipherVersions(t, c)
	}
	var certOK, keyOK bool
	c.CertFile, certOK = t.file("cert")
	c.KeyFile, keyOK = t.file("key")
	switch {
	case c.CertFile != "" && c.KeyFile == "":
		t.fail("cert", "set without key; a certificate needs its private key")
	case c.CertFile == "" && c.KeyFile != "":
		t.fail("key", "set without cert; a private key needs its certificate")
	case certOK && keyOK:
		t.checkKeyPair("cert", c.CertFile, "key", c.KeyFile)
	}
	if allKnown && c.CertFile == "" && t.has("ciphers") {
		noteRSAOnly(t, c.Ciphers)
	}
	c.SNIRequire = t.boolean("sni_require", false)
	c.ClientCert = t.oneOf("client_cert", "",
		listener.ClientCertIgnore, listener.ClientCertRequest, listener.ClientCertRequire)
	if c.ClientCert == listener.ClientCertIgnore {
		c.ClientCert = "" // the zero value means ignore
	}
	var caOK bool
	c.ClientCA, caOK = t.file("client_ca")
	switch {
	case c.ClientCA != "" && c.ClientCert == "":
		t.fail("client_ca", "has no effect with client_cert = \"ignore\"; set client_cert = \"request\" or \"require\"")
	case caOK:
		t.checkCAFile("client_ca", c.ClientCA)
	}
	t.unknown()
	return c
}

// bypassList reads inspect-mode bypass entries: SNI globs, IPs or CIDRs.
func bypassList(t *table) []string {
	vals, idx, _ := t.strList("bypass")
	var out []string
	for i, v := range vals {
		if err := listener.CheckBypassEntry(v); err != nil {
			t.d.probs.add(t.elemPos("bypass", idx[i]), t.keyName("bypass"),
				fmt.Errorf("%s[%d]: %q: %w", t.keyName("bypass"), idx[i], v, err))
			continue
		}
		out = append(out, v)
	}
	return out
}

func version(t *table, key string) uint16 {
	s, ok := t.str(key)
	if !ok || s == "" {
		return 0 // crypto/tls default
	}
	v, good := parseVersion(s)
	if !good {
		t.fail(key, "%q is not a TLS version; use \"1.0\", \"1.1\", \"1.2\" or \"1.3\"", s)
	}
	return v
}

// checkServerName says why name can never name a server, or nil: a host
// name is letters, digits, '.', '-' and '_' (no wildcard: it names one
// server), and an IP literal is checked against the certificate's IP SANs.
// Empty is the default (the client's SNI, else the backend's host).
func checkServerName(name string) error {
	if name == "" {
		return nil
	}
	if _, err := netip.ParseAddr(name); err == nil {
		return nil
	}
	for _, r := range name {
		if !(r == '.' || r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return fmt.Errorf("character %q", r)
		}
	}
	return nil
}

// decodeServerSSL reads [listener.server_ssl]; its presence alone turns on TLS to
// the backend, verified by default as BIG-IP's server-ssl with a CA would be.
func decodeServerSSL(t *table) *listener.ServerSSL {
	s := &listener.ServerSSL{Verify: true}
	var caOK, certOK, keyOK bool
	s.CAFile, caOK = t.file("ca")
	if name, ok := t.str("server_name"); ok {
		s.ServerName = name
		if err := checkServerName(name); err != nil {
			t.fail("server_name", "%q is not a host name or an IP address (%v): it is sent as SNI and checked against the backend's certificate, which no certificate can match", name, err)
		}
	}
	s.Verify = t.boolean("verify", true)
	switch {
	case s.CAFile != "" && !s.Verify:
		// crypto/tls skips the chain check altogether, trust roots included.
		t.fail("ca", "has no effect with verify = false: the backend's certificate is not checked against any CA; remove ca or set verify = true")
	case caOK:
		t.checkCAFile("ca", s.CAFile)
	}
	s.Cert, certOK = t.file("cert")
	s.Key, keyOK = t.file("key")
	switch {
	case (s.Cert == "") != (s.Key == ""):
		t.fail("cert", "cert and key go together: the client certificate presented to the backend needs its key")
	case certOK && keyOK:
		t.checkKeyPair("cert", s.Cert, "key", s.Key)
	}
	t.unknown()
	return s
}

// transparentListenNote notes a transparent listener bound to one address:
// a REDIRECT in PREROUTING delivers to the incoming interface's primary
// address, and TPROXY without --on-ip likewise, where a socket on, say,
// 127.0.0.1 does not listen. It can still be reached (a DNAT to it, TPROXY
// --on-ip it, an OUTPUT REDIRECT to loopback), so this is a note, not a
// refusal; the doctor prints the rules that deliver there.
func transparentListenNote(t *table, listen, mode string) {
	host, port, err := net.SplitHostPort(listen)
	if err != nil || host == "" {
		return
	}
	if ip, err := netip.ParseAddr(host); err == nil && ip.IsUnspecified() {
		return
	}
	how := "a REDIRECT in PREROUTING delivers to the incoming interface's primary address"
	if mode == listener.TransparentTProxy {
		how = "TPROXY without --on-ip delivers to the incoming interface's primary address"
	}
	t.note("listen", "transparent listener on %s only: %s, where this socket does not listen, so such clients are refused; "+
		"listen on \"0.0.0.0:%s\" (or \"[::]:%s\"), or use the rules `tlsgate doctor transparent -c <this file>` prints for %s",
		host, how, port, port, host)
}
