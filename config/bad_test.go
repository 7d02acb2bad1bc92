package config

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// A listener that is valid on its own; cases append keys to it or add more listeners.
const web = `[[listener]]
name = "web"
listen = "127.0.0.1:9443"
backend = "127.0.0.1:9080"
mode = "terminate"
`

// Each case is a config with one problem (two in one case). Each line that must be
// blamed ends with the marker "#<-" (no marker: the problem belongs to the whole file);
// there must be one error per marker, no more, and one of them must contain want,
// which names the key.
func TestBadConfigs(t *testing.T) {
	dir := t.TempDir()
	writePEMs(t, dir)
	tests := []struct {
		name string
		src  string
		want string
	}{
		// Syntax.
		{"syntax", "[log]\nformat = #<-\n" + web, "toml syntax:"},
		{"duplicate key", web + "mode = \"auto\" #<-\n", "toml syntax:"},

		// Unknown keys and tables, with hints.
		{"unknown top key", "bogus = 1 #<-\n" + web, "unknown key bogus"},
		{"unknown table", "[metrics] #<-\nlisten = \"127.0.0.1:9000\"\n" + web, "unknown table metrics"},
		{"unknown log key", "[log]\nlevl = \"info\" #<-\n" + web, "unknown key log.levl (did you mean level?)"},
		{"unknown listener key", web + "backned = \"x:1\" #<-\n", "unknown key listener.backned (did you mean backend?)"},
		{"unknown client_ssl key", web + "[listener.client_ssl]\ncipher = [\"x\"] #<-\n",
			"unknown key listener.client_ssl.cipher (did you mean ciphers?)"},
		{"tmsh hyphen", web + "[listener.client_ssl]\nsni-require = true #<-\n",
			"unknown key listener.client_ssl.sni-require (did you mean sni_require?)"},
		{"capitalised key", web + "Idle_Timeout = \"1s\" #<-\n", "(did you mean idle_timeout?)"},
		{"unknown key in second listener", web + strings.ReplaceAll(strings.ReplaceAll(web, "web", "api"), "94", "95") + "bogus = 1 #<-\n",
			"unknown key listener.bogus"},
		{"unknown server_ssl key", web + "[listener.server_ssl]\nverify_depth = 9 #<-\n", "unknown key listener.server_ssl.verify_depth"},
		{"listener key at top level", "backend = \"127.0.0.1:1\" #<-\n" + web, "unknown key backend (it belongs in [[listener]])"},
		{"client_ssl at top level", "[client_ssl] #<-\nsni_require = true\n" + web, "unknown table client_ssl (it belongs in [[listener]])"},
		{"unknown key in inline listener",
			`listener = [{name = "a", listen = "127.0.0.1:9443", backend = "127.0.0.1:9080", mode = "terminate", bogus = 1}] #<-` + "\n",
			"unknown key listener.bogus"},
		{"unknown key in inline table", web + "client_ssl = { sni_require = true,\n  cert_file = \"x\" } #<-\n",
			"unknown key listener.client_ssl.cert_file (did you mean cert?)"},

		// Shape of the listener list.
		{"single bracket listener", "[listener] #<-\nname = \"web\"\n", "listener: must be an array of tables: write [[listener]]"},
		{"listener is a string", "listener = \"web\" #<-\n", "listener: want [[listener]] tables, got string"},
		{"no listener", "[log]\nformat = \"bigip\"\n", "no [[listener]] table"},
		{"empty listener list", "listener = [] #<-\n", "listener: empty list"},

		// Addresses.
		{"listen without port", strings.Replace(web, `listen = "127.0.0.1:9443"`, `listen = "127.0.0.1" #<-`, 1),
			`listener.listen: bad address: "127.0.0.1" is not host:port`},
		{"named port", strings.Replace(web, `listen = "127.0.0.1:9443"`, `listen = "127.0.0.1:https" #<-`, 1),
			`listener.listen: bad address: "127.0.0.1:https": port "https" must be a number`},
		{"port out of range", strings.Replace(web, `backend = "127.0.0.1:9080"`, `backend = "127.0.0.1:70000" #<-`, 1),
			"listener.backend: bad address: \"127.0.0.1:70000\": port 70000 is out of range"},
		{"backend port 0", strings.Replace(web, `backend = "127.0.0.1:9080"`, `backend = "127.0.0.1:0" #<-`, 1),
			"listener.backend: bad address: \"127.0.0.1:0\": port 0 is out of range (1 to 65535)"},
		{"backend without host", strings.Replace(web, `backend = "127.0.0.1:9080"`, `backend = ":9080" #<-`, 1),
			`listener.backend: bad address: ":9080": a backend needs a host`},
		{"backend wrong type", strings.Replace(web, `backend = "127.0.0.1:9080"`, `backend = 9080 #<-`, 1),
			"listener.backend: want a string, got integer 9080"},
		{"missing backend", strings.Replace(strings.Replace(web, `backend = "127.0.0.1:9080"`+"\n", "", 1), "[[listener]]", "[[listener]] #<-", 1),
			`listener.backend: missing in listener "web"`},
		{"missing listen", strings.Replace(strings.Replace(web, `listen = "127.0.0.1:9443"`+"\n", "", 1), "[[listener]]", "[[listener]] #<-", 1),
			`listener.listen: missing in listener "web"`},
		{"backend is itself", strings.Replace(web, `backend = "127.0.0.1:9080"`, `backend = "127.0.0.1:9443" #<-`, 1),
			"listener.backend: \"127.0.0.1:9443\" is this listener's own address"},
		{"wildcard listener loops to loopback", strings.Replace(strings.Replace(web, `backend = "127.0.0.1:9080"`, `backend = "localhost:9443" #<-`, 1), `"127.0.0.1:9443"`, `":9443"`, 1),
			"listener.backend: \"localhost:9443\" is this listener's own address"},
		{"demo address", "[demo]\nlisten = \"localhost\" #<-\n" + web, `demo.listen: bad address: "localhost" is not host:port`},

		// Mode and mode-dependent keys.
		{"missing mode", strings.Replace(strings.Replace(web, `mode = "terminate"`+"\n", "", 1), "[[listener]]", "[[listener]] #<-", 1),
			`listener.mode: missing in listener "web"`},
		{"unknown mode", strings.Replace(web, `mode = "terminate"`, `mode = "passthru" #<-`, 1),
			`listener.mode: "passthru" is not one of "passthrough", "terminate", "plaintext", "auto"`},
		{"auto without plain_backend", strings.Replace(strings.Replace(web, `mode = "terminate"`, `mode = "auto"`, 1), "[[listener]]", "[[listener]] #<-", 1),
			`listener.plain_backend: missing in listener "web": mode = "auto"`},
		{"allow without plain_backend", strings.Replace(web, "[[listener]]", "[[listener]] #<-", 1) + "non_ssl = \"allow\"\n",
			`listener.plain_backend: missing in listener "web": non_ssl = "allow"`},
		{"plain_backend unused", web + "plain_backend = \"127.0.0.1:9081\" #<-\n",
			`listener.plain_backend: is only used with mode = "auto" or non_ssl = "allow"`},
		{"bad plain_backend", web + "non_ssl = \"allow\"\nplain_backend = \"nohost\" #<-\n", `listener.plain_backend: bad address: "nohost"`},
		{"unknown non_ssl", web + "non_ssl = \"drop\" #<-\n", `listener.non_ssl: "drop" is not one of "reset", "http400", "redirect", "allow"`},
		{"non_ssl on auto", strings.Replace(web, `mode = "terminate"`, `mode = "auto"`, 1) + "plain_backend = \"127.0.0.1:9081\"\nnon_ssl = \"http400\" #<-\n",
			`listener.non_ssl: has no effect with mode = "auto"`},
		{"allow on plaintext needs no plain_backend", strings.Replace(web, `mode = "terminate"`, `mode = "plaintext"`, 1) + "non_ssl = \"allow\" #<-\n",
			`listener.non_ssl: has no effect with mode = "plaintext"`},
		{"non_ssl on plaintext", strings.Replace(web, `mode = "terminate"`, `mode = "plaintext"`, 1) + "non_ssl = \"reset\" #<-\n",
			`listener.non_ssl: has no effect with mode = "plaintext"`},
		// Shape of the fault list: each problem once, though two passes read the list.
		{"single bracket fault", web + "[fault] #<-\nname = \"x\"\naction = \"reset\"\n", "fault: must be an array of tables: write [[fault]]"},
		{"fault is a number", "fault = 3 #<-\n" + web, "fault: want [[fault]] tables, got integer"},
		{"fault element not a table", "fault = [1, {name = \"x\", action = \"reset\"}] #<-\n" + web, "fault[0]: want a table, got integer 1"},
		{"fault: unknown key", web + "[[fault]]\nname = \"x\"\naction = \"reset\"\nactoin = 1 #<-\n", `unknown key fault.actoin (did you mean action?)`},
		{"fault: mtu then rst", web + "[[fault]]\nname = \"x\"\naction = \"mtu\"\nthen = \"rst\" #<-\n", `fault.then: invalid rule: faults: rule "x": field "then": mtu takes only "hold"`},
		{"fault: honor_mss with recover_after", web + "[[fault]]\nname = \"x\"\naction = \"mtu\"\nhonor_mss = true #<-\nrecover_after = \"2s\"\n", `fault.honor_mss: invalid rule: faults: rule "x": field "honor_mss": with honor_mss nothing stalls`},
		{"fault: refuse with an unknown mode", web + "[[fault]]\nname = \"x\"\naction = \"refuse\"\nmode = \"rst_on_accept\" #<-\n", `field "mode": unknown mode "rst_on_accept" (want listener_down, SYNs answered with an RST, or syn_drop`},
		{"fault: zero duration", web + "[[fault]]\nname = \"x\"\naction = \"refuse\"\nduration = \"0s\" #<-\n", `fault.duration: fault[0]: field "duration": 0s would last no time`},
		{"fault: ocsp_times only for bypassed names", strings.Replace(web, `mode = "terminate"`, `mode = "inspect"`, 1) + "bypass = [\"*.bank.example\"]\n" +
			"[[fault]]\nname = \"x\"\naction = \"ocsp_times\"\nskew = \"1h\"\nsni = \"www.bank.example\" #<-\n",
			`fault.sni: fault[0] staples an OCSP response to the certificate of a handshake tlsgate runs, but its sni "www.bank.example" names only servers that listener "web" (bypass "*.bank.example") relays undecrypted; this rule would never fire`},
		{"fault: chain only for bypassed clients", strings.Replace(web, `mode = "terminate"`, `mode = "inspect"`, 1) + "bypass = [\"10.0.0.0/8\"]\n" +
			"[[fault]]\nname = \"x\"\naction = \"chain\"\nchain = \"expired\"\nclient = \"10.1.0.0/16\" #<-\n",
			`fault.client: fault[0] serves a bad certificate chain, but its client "10.1.0.0/16" lies wholly inside what listener "web" (bypass "10.0.0.0/8") relays undecrypted; this rule would never fire`},
		{"fault: zero max_fires", web + "[[fault]]\nname = \"x\"\naction = \"reset\"\nmax_fires = 0 #<-\n", `fault.max_fires: fault[0]: field "max_fires": 0 would read as never fire, but means no limit; leave max_fires out`},
		{"fault: refuse by SNI", web + "[[fault]]\nname = \"x\"\naction = \"refuse\"\nsni = \"a.test\" #<-\n", `field "sni": refuse takes the whole listener down`},
		{"fault: syn_drop by client", web + "[[fault]]\nname = \"x\"\naction = \"refuse\"\nmode = \"syn_drop\"\nclient = \"10.0.0.0/8\" #<-\n", `field "client": refuse takes the whole listener down`},
		{"fault: refuse by client", web + "[[fault]]\nname = \"x\"\naction = \"refuse\"\nclient = \"10.0.0.1\" #<-\n", `field "client": refuse takes the whole listener down`},
		{"fault: sni that no server name matches", web + "[[fault]]\nname = \"x\"\naction = \"reset\"\nsni = \"[x\" #<-\n", `field "sni": "[x": not an SNI glob (character '[')`},
		{"fault: bad stage", web + "[[fault]]\nname = \"x\"\naction = \"reset\"\nstage = \"later\" #<-\n", `field "stage": unknown stage "later"`},
		{"fault: unknown listener", web + "[[fault]]\nname = \"x\"\naction = \"reset\"\nlistener = \"nope\" #<-\n", `names listener "nope", which is not defined`},
		{"fault: chain on a passthrough listener", web + strings.ReplaceAll(strings.Replace(strings.Replace(web, `mode = "terminate"`, `mode = "passthrough"`, 1), "94", "95", 1), "web", "pt") +
			"[[fault]]\nname = \"x\"\naction = \"chain\" #<-\nchain = \"expired\"\nlistener = \"pt\"\n",
			`fault.action: fault[0] serves a bad certificate chain on listener "pt", which has mode = "passthrough" and terminates no TLS; this rule would never fire`},
		{"fault: chain on an auto listener without client_ssl", strings.Replace(web, `mode = "terminate"`, "mode = \"auto\"\nplain_backend = \"127.0.0.1:9081\"", 1) +
			"[[fault]]\nname = \"x\"\naction = \"chain\" #<-\nchain = \"expired\"\nlistener = \"web\"\n",
			`on listener "web", which has mode = "auto" without [listener.client_ssl] and terminates no TLS`},
		// connect = "tunnel": an explicit proxy, plaintext listeners only.
		{"connect on a terminate listener", web + "connect = \"tunnel\" #<-\n",
			`listener.connect: only applies to mode = "plaintext", not mode = "terminate"`},
		{"connect on an auto listener", strings.Replace(web, `mode = "terminate"`, "mode = \"auto\"\nplain_backend = \"127.0.0.1:9081\"", 1) + "connect = \"tunnel\" #<-\n",
			`listener.connect: only applies to mode = "plaintext", not mode = "auto"`},
		{"unknown connect", strings.Replace(web, `mode = "terminate"`, `mode = "plaintext"`, 1) + "connect = \"proxy\" #<-\n",
			`listener.connect: "proxy" is not one of "tunnel"`},
		{"connect_policy without a connect listener", web + "[[fault]]\nname = \"x\"\naction = \"connect_policy\" #<-\n",
			`fault.action: fault[0] refuses an explicit proxy's CONNECT, but no listener reads CONNECT; this rule would never fire (it needs a listener with mode = "plaintext" and connect = "tunnel")`},
		{"connect_policy on a listener without connect", web + strings.ReplaceAll(strings.Replace(strings.Replace(web, `mode = "terminate"`, "mode = \"plaintext\"\nconnect = \"tunnel\"", 1), "94", "95", 1), "web", "proxy") +
			"[[fault]]\nname = \"x\"\naction = \"connect_policy\" #<-\nlistener = \"web\"\n",
			`fault.action: fault[0] refuses an explicit proxy's CONNECT on listener "web", which has mode = "terminate" without connect = "tunnel" and reads no CONNECT`},
		{"connect_policy status 200", strings.Replace(web, `mode = "terminate"`, "mode = \"plaintext\"\nconnect = \"tunnel\"", 1) +
			"[[fault]]\nname = \"x\"\naction = \"connect_policy\"\nstatus = 200 #<-\n",
			`fault.status: invalid rule: faults: rule "x": field "status": 200 would not refuse the CONNECT (a 2xx opens the tunnel`},
		{"connect_policy by ja4", strings.Replace(web, `mode = "terminate"`, "mode = \"plaintext\"\nconnect = \"tunnel\"", 1) +
			"[[fault]]\nname = \"x\"\naction = \"connect_policy\"\nja4 = \"t13*\" #<-\n",
			`field "ja4": connect_policy answers the CONNECT, before any ClientHello`},
		{"fault: handshake_done with no listener terminating", strings.Replace(web, `mode = "terminate"`, `mode = "plaintext"`, 1) +
			"[[fault]]\nname = \"x\"\naction = \"reset\"\nstage = \"handshake_done\" #<-\n",
			`fault.stage: fault[0] acts after a handshake, but no listener terminates TLS; this rule would never fire`},
		{"fault: ocsp_times on a passthrough listener", web + strings.ReplaceAll(strings.Replace(strings.Replace(web, `mode = "terminate"`, `mode = "passthrough"`, 1), "94", "95", 1), "web", "pt") +
			"[[fault]]\nname = \"x\"\naction = \"ocsp_times\" #<-\nskew = \"2h\"\nlistener = \"pt\"\n",
			`fault.action: fault[0] staples an OCSP response to the certificate of a handshake tlsgate runs on listener "pt", which has mode = "passthrough" and terminates no TLS; this rule would never fire`},
		{"fault: ocsp_times with no listener terminating", strings.Replace(web, `mode = "terminate"`, `mode = "passthrough"`, 1) +
			"[[fault]]\nname = \"x\"\naction = \"ocsp_times\" #<-\nskew = \"-2h\"\n",
			`fault.action: fault[0] staples an OCSP response to the certificate of a handshake tlsgate runs, but no listener terminates TLS; this rule would never fire`},
		{"fault: http_date on a passthrough listener", web + strings.ReplaceAll(strings.Replace(strings.Replace(web, `mode = "terminate"`, `mode = "passthrough"`, 1), "94", "95", 1), "web", "pt") +
			"[[fault]]\nname = \"x\"\naction = \"http_date\" #<-\nskew = \"-2h\"\nlistener = \"pt\"\n",
			`fault.action: fault[0] rewrites the Date of HTTP responses on listener "pt", which has mode = "passthrough" without non_ssl = "allow": it passes TLS through undecrypted and relays no plain HTTP, so it sees none; this rule would never fire (it needs mode = "terminate", "inspect", "plaintext" or "auto", or non_ssl = "allow" for plain HTTP)`},
		{"fault: http_date with only passthrough listeners", strings.Replace(web, `mode = "terminate"`, `mode = "passthrough"`, 1) +
			"[[fault]]\nname = \"x\"\naction = \"http_date\" #<-\nskew = \"2h\"\n",
			`fault.action: fault[0] rewrites the Date of HTTP responses, but no listener decrypts TLS or relays plain HTTP; this rule would never fire`},
		{"fault: client_auth on a passthrough listener", strings.Replace(web, `mode = "terminate"`, `mode = "passthrough"`, 1) +
			"[[fault]]\nname = \"x\"\naction = \"client_auth\" #<-\n",
			`fault.action: fault[0] asks for a client certificate in a handshake, but no listener terminates TLS; this rule would never fire`},
		{"fault: client_auth CA file missing", web + "[[fault]]\nname = \"x\"\naction = \"client_auth\"\naccept_cas = [\"lab\", \"$DIR/nope.pem\"] #<-\n",
			`fault.accept_cas: cannot use "$DIR/nope.pem" (want "lab", "none" or a PEM file of CA certificates)`},
		{"fault: client_auth CA file not PEM", web + "[[fault]]\nname = \"x\"\naction = \"client_auth\"\naccept_cas = [\"$DIR/notpem.pem\"] #<-\n",
			`fault.accept_cas: "$DIR/notpem.pem" holds no usable PEM certificate`},
		{"fault: client_auth alert", web + "[[fault]]\nname = \"x\"\naction = \"client_auth\"\nreject_with = \"handshake_failure\" #<-\n",
			`field "reject_with": handshake_failure is not an alert for a refused client certificate`},
		{"admin on a public address", "[admin]\nlisten = \"0.0.0.0:8474\" #<-\n" + web, `is not a loopback address`},
		// A duration written right but past what one holds is out of range, not a typo.
		{"duration out of range", "[shutdown]\ngrace = \"99999999h\" #<-\n" + web, `shutdown.grace: duration "99999999h" is out of range: at most 2562047h`},
		{"listener duration out of range", web + "peek_timeout = \"9999999999999s\" #<-\n", `listener.peek_timeout: duration "9999999999999s" is out of range`},
		{"duration typo", "[shutdown]\ngrace = \"5 s\" #<-\n" + web, `shutdown.grace: bad duration "5 s" (use units`},
		// One error, not a second about loopback: the address has no host to judge.
		{"admin without a port", "[admin]\nlisten = \"localhost\" #<-\n" + web, `admin.listen: bad address: "localhost" is not host:port`},
		{"admin public without a port", "[admin]\nlisten = \"0.0.0.0\" #<-\n" + web, `admin.listen: bad address: "0.0.0.0" is not host:port`},
		{"bypass on terminate", web + "bypass = [\"*.bank.test\"] #<-\n",
			`listener.bypass: only applies to mode = "inspect"`},
		{"bad bypass entry", strings.Replace(web, `mode = "terminate"`, `mode = "inspect"`, 1) + "bypass = [\"ok.test\",\n \"bad entry!\"] #<-\n",
			`listener.bypass[1]: "bad entry!": not an IP, a CIDR or an SNI glob`},
		{"bypass CIDR out of range", strings.Replace(web, `mode = "terminate"`, `mode = "inspect"`, 1) + "bypass = [\"10.0.0.0/33\"] #<-\n",
			`listener.bypass[0]: "10.0.0.0/33": not an IP or a CIDR (netip.ParsePrefix("10.0.0.0/33"): prefix length out of range`},
		{"backend with transparent", strings.Replace(strings.Replace(web, `mode = "terminate"`, "mode = \"inspect\"\ntransparent = \"redirect\"", 1), `backend = "127.0.0.1:9080"`, `backend = "127.0.0.1:9080" #<-`, 1),
			`listener.backend: is ignored with transparent = "redirect"`},
		{"unknown transparent", web + "transparent = \"nat\" #<-\n", `listener.transparent`},
		{"bad client_cert", web + "[listener.client_ssl]\nclient_cert = \"always\" #<-\n", `listener.client_ssl.client_cert`},
		{"client_ca without client_cert", web + "[listener.client_ssl]\nclient_ca = \"/etc/hostname\" #<-\n", `has no effect with client_cert = "ignore"`},
		{"client_ssl on passthrough", strings.Replace(web, `mode = "terminate"`, `mode = "passthrough"`, 1) + "[listener.client_ssl] #<-\nsni_require = true\n",
			`listener.client_ssl: [listener.client_ssl] needs mode = "terminate", "inspect" or "auto"`},
		{"server_ssl on passthrough", strings.Replace(web, `mode = "terminate"`, `mode = "passthrough"`, 1) + "[listener.server_ssl] #<-\nverify = true\n",
			`listener.server_ssl: [listener.server_ssl] needs mode = "terminate", "inspect" or "auto"`},
		// An auto listener without client_ssl passes TLS through: nothing to
		// re-encrypt and no handshake of tlsgate's own to time.
		{"server_ssl on passthrough auto", strings.Replace(web, `mode = "terminate"`, "mode = \"auto\"\nplain_backend = \"127.0.0.1:9081\"", 1) + "[listener.server_ssl] #<-\nverify = true\n",
			`listener.server_ssl: needs [listener.client_ssl] on this auto listener`},
		{"handshake_timeout on passthrough auto", strings.Replace(web, `mode = "terminate"`, "mode = \"auto\"\nplain_backend = \"127.0.0.1:9081\"", 1) + "handshake_timeout = \"5s\" #<-\n",
			`listener.handshake_timeout: needs [listener.client_ssl] on this auto listener`},
		// run refuses these listeners; check must too, with the key's line.
		{"epoll engine on terminate", web + "engine = \"epoll\" #<-\n",
			`listener.engine: "epoll" cannot serve this listener: mode = "terminate" decrypts every connection`},
		{"epoll engine with proxy_protocol", strings.Replace(web, `mode = "terminate"`, `mode = "plaintext"`, 1) + "proxy_protocol = \"v1\"\nengine = \"epoll\" #<-\n",
			`listener.engine: "epoll" cannot serve this listener: proxy_protocol needs the PROXY header parsed`},
		{"uring engine on terminate", web + "engine = \"uring\" #<-\n",
			`listener.engine: "uring" cannot serve this listener: mode = "terminate" decrypts every connection`},
		{"client_ssl on plaintext", strings.Replace(web, `mode = "terminate"`, `mode = "plaintext"`, 1) + "client_ssl = {} #<-\n",
			`listener.client_ssl: [listener.client_ssl] needs mode`},
		{"handshake_timeout on passthrough", strings.Replace(web, `mode = "terminate"`, `mode = "passthrough"`, 1) + "handshake_timeout = \"5s\" #<-\n",
			`listener.handshake_timeout: only applies when tlsgate terminates TLS`},

		// Durations and numbers.
		{"duration without unit", web + "peek_timeout = \"5\" #<-\n", `listener.peek_timeout: bad duration "5"`},
		{"duration as integer", web + "idle_timeout = 300 #<-\n", "listener.idle_timeout: want a duration string"},
		{"zero duration", web + "dial_timeout = \"0s\" #<-\n", `listener.dial_timeout: duration "0s" must be greater than zero`},
		{"negative duration", web + "handshake_timeout = \"-1s\" #<-\n", `listener.handshake_timeout: duration "-1s" must be greater than zero`},
		{"bad grace", "[shutdown]\ngrace = \"soon\" #<-\n" + web, `shutdown.grace: bad duration "soon"`},
		{"negative connections", web + "max_connections = -1 #<-\n", "listener.max_connections: -1 is out of range"},
		{"connections as string", web + "max_connections = \"10\" #<-\n", "listener.max_connections: want an integer, got string \"10\""},
		{"connections as float", web + "max_connections = 1.5 #<-\n", "listener.max_connections: want an integer, got float 1.5"},

		// PROXY protocol.
		{"unknown proxy_protocol", web + "proxy_protocol = \"v3\" #<-\n", `listener.proxy_protocol: "v3" is not one of`},
		{"optional backend proxy", web + "backend_proxy_protocol = \"optional\" #<-\n", `listener.backend_proxy_protocol: "optional" is not one of "", "v1", "v2"`},
		{"proxy_protocol as bool", web + "proxy_protocol = true #<-\n", "listener.proxy_protocol: want a string, got boolean true"},

		// client_ssl.
		{"unknown version", web + "[listener.client_ssl]\nmin_version = \"1.4\" #<-\n", `listener.client_ssl.min_version: "1.4" is not a TLS version`},
		{"openssl version name", web + "[listener.client_ssl]\nmax_version = \"TLSv1.2\" #<-\n", `listener.client_ssl.max_version: "TLSv1.2" is not a TLS version`},
		{"version as float", web + "[listener.client_ssl]\nmax_version = 1.2 #<-\n", "listener.client_ssl.max_version: want a string, got float 1.2"},
		{"min above max", web + "[listener.client_ssl]\nmin_version = \"1.3\" #<-\nmax_version = \"1.2\"\n",
			"listener.client_ssl.min_version: 1.3 is above max_version 1.2"},
		{"dotted key version", web + "client_ssl.min_version = \"9\" #<-\n", `listener.client_ssl.min_version: "9" is not a TLS version`},
		{"unknown cipher", web + "[listener.client_ssl]\nciphers = [\n  \"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\",\n  \"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA25\", #<-\n]\n",
			`listener.client_ssl.ciphers[1]: unknown cipher "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA25": did you mean "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"?`},
		{"openssl cipher name", web + "[listener.client_ssl]\nciphers = [\"ECDHE-RSA-AES256-GCM-SHA384\"] #<-\n",
			`unknown cipher "ECDHE-RSA-AES256-GCM-SHA384": that is the OpenSSL name; write "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"`},
		{"dhe cipher", web + "[listener.client_ssl]\nciphers = [\"TLS_DHE_RSA_WITH_AES_128_GCM_SHA256\"] #<-\n",
			"no finite-field DHE suites"},
		{"cipher not a string", web + "[listener.client_ssl]\nciphers = [\n  5, #<-\n  \"TLS_AES_128_GCM_SHA256\",\n]\n",
			"listener.client_ssl.ciphers[0]: want a string, got integer 5"},
		{"bad cipher after a non-string", web + "[listener.client_ssl]\nciphers = [\n  5, #<-\n  \"NOPE\", #<-\n]\n", `ciphers[1]: unknown cipher "NOPE"`},
		{"empty ciphers", web + "[listener.client_ssl]\nciphers = [] #<-\n", "listener.client_ssl.ciphers: empty list"},
		{"ciphers as string", web + "[listener.client_ssl]\nciphers = \"DEFAULT\" #<-\n", `listener.client_ssl.ciphers: want an array of strings, got string "DEFAULT"`},
		{"cert without key", web + "[listener.client_ssl]\ncert = \"$DIR/cert.pem\" #<-\n", "listener.client_ssl.cert: set without key"},
		{"key without cert", web + "[listener.client_ssl]\nkey = \"$DIR/key.pem\" #<-\ncert = \"\"\n", "listener.client_ssl.key: set without cert"},
		{"missing cert file", web + "[listener.client_ssl]\ncert = \"$DIR/nope.pem\" #<-\nkey = \"$DIR/key.pem\"\n",
			`listener.client_ssl.cert: cannot use "$DIR/nope.pem": stat $DIR/nope.pem: no such file or directory`},
		{"missing key file", web + "[listener.client_ssl]\ncert = \"$DIR/cert.pem\"\nkey = \"$DIR/nope.key\" #<-\n", "listener.client_ssl.key: cannot use"},
		{"cert is a directory", web + "[listener.client_ssl]\ncert = \"$DIR\" #<-\nkey = \"$DIR/key.pem\"\n", "listener.client_ssl.cert: \"$DIR\" is a directory"},
		{"sni_require as string", web + "[listener.client_ssl]\nsni_require = \"yes\" #<-\n", `listener.client_ssl.sni_require: want true or false, got string "yes"`},

		// server_ssl.
		{"missing ca file", web + "[listener.server_ssl]\nca = \"$DIR/nope-ca.pem\" #<-\n", "listener.server_ssl.ca: cannot use"},
		{"verify as string", web + "[listener.server_ssl]\nca = \"$DIR/ca.pem\"\nverify = \"no\" #<-\n", `listener.server_ssl.verify: want true or false, got string "no"`},
		{"server_name with a space", web + "[listener.server_ssl]\nserver_name = \"bad name\" #<-\n",
			`listener.server_ssl.server_name: "bad name" is not a host name or an IP address (character ' ')`},
		{"server_name wildcard", web + "[listener.server_ssl]\nserver_name = \"*.example\" #<-\n",
			`listener.server_ssl.server_name: "*.example" is not a host name or an IP address (character '*')`},
		{"server_name as number", web + "[listener.server_ssl]\nserver_name = 1 #<-\n", "listener.server_ssl.server_name: want a string"},
		{"server_ssl as string", web + "server_ssl = \"on\" #<-\n", "listener.server_ssl: want a table ([listener.server_ssl]), got string"},
		{"server_ssl ca without verification", web + "[listener.server_ssl]\nca = \"$DIR/ca.pem\" #<-\nverify = false\n",
			`listener.server_ssl.ca: has no effect with verify = false`},

		// Names and clashes between listeners.
		{"name with space", strings.Replace(web, `name = "web"`, `name = "my web" #<-`, 1), `listener.name: "my web" contains spaces`},
		{"empty name", strings.Replace(web, `name = "web"`, `name = "" #<-`, 1), `listener.name: empty; leave the key out to get "listener1"`},
		{"duplicate name", web + strings.Replace(strings.Replace(web, "94", "95", 1), `name = "web"`, `name = "web" #<-`, 1),
			`listener.name: duplicate listener name "web"; the first is at line 2`},
		{"duplicate default name", strings.Replace(web, `name = "web"`, `name = "listener2"`, 1) +
			"[[listener]] #<-\nlisten = \"127.0.0.1:9444\"\nbackend = \"127.0.0.1:9080\"\nmode = \"plaintext\"\n",
			`duplicate listener name "listener2" (the default name of the listener at this position)`},
		{"duplicate listen", web + strings.Replace(strings.Replace(web, "web", "api", 1), `listen = "127.0.0.1:9443"`, `listen = "127.0.0.1:9443" #<-`, 1),
			`listener.listen: "127.0.0.1:9443" of listener "api" clashes with listener "web" listening on "127.0.0.1:9443" at line 3:1`},
		{"wildcard clash", web + strings.Replace(strings.Replace(web, "web", "api", 1), `listen = "127.0.0.1:9443"`, `listen = ":9443" #<-`, 1),
			`listener.listen: ":9443" of listener "api" clashes with listener "web"`},
		{"ipv4 wildcard clash", web + strings.Replace(strings.Replace(web, "web", "api", 1), `listen = "127.0.0.1:9443"`, `listen = "0.0.0.0:9443" #<-`, 1),
			`clashes with listener "web"`},
		{"clash with demo", "[demo]\nlisten = \"127.0.0.1:9443\"\n" + strings.Replace(web, `listen = "127.0.0.1:9443"`, `listen = "127.0.0.1:9443" #<-`, 1),
			`listener.listen: "127.0.0.1:9443" of listener "web" clashes with [demo] listening on "127.0.0.1:9443" at line 2:1`},

		// [log], [ca].
		{"log format", "[log]\nformat = \"xml\" #<-\n" + web, `log.format: "xml" is not one of "bigip", "json", "console"`},
		{"log level", "[log]\nlevel = \"debug\" #<-\n" + web, `log.level: "debug" is not one of "info", "warning", "warn"`},
		{"log lang", "[log]\nlang = \"fr\" #<-\n" + web, `log.lang: "fr" is not one of "en", "ja"`},
		{"log host", "[log]\nhost = \"big ip\" #<-\n" + web, `log.host: "big ip" contains spaces`},
		{"syslog scheme", "[log]\nsyslog = \"syslog://127.0.0.1:514\" #<-\n" + web, `log.syslog: bad syslog target "syslog://127.0.0.1:514"`},
		{"syslog without port", "[log]\nsyslog = \"udp://127.0.0.1\" #<-\n" + web, `log.syslog: bad syslog target "udp://127.0.0.1"`},
		{"syslog with path", "[log]\nsyslog = \"tcp://127.0.0.1:514/x\" #<-\n" + web, "only scheme, host and port"},
		{"syslog bare address", "[log]\nsyslog = \"127.0.0.1:514\" #<-\n" + web, "log.syslog: bad syslog target"},
		{"log flush not a duration", "[log]\nflush_interval = 20 #<-\n" + web, `log.flush_interval: want a duration string`},
		{"log flush negative", "[log]\nflush_interval = \"-1ms\" #<-\n" + web, `log.flush_interval: duration "-1ms" must not be negative`},
		{"shutdown grace negative", "[shutdown]\ngrace = \"-1s\" #<-\n" + web, `shutdown.grace: duration "-1s" must not be negative`},
		{"log flush too long", "[log]\nflush_interval = \"1m\" #<-\n" + web, `log.flush_interval: 1m0s is over the 10s limit`},
		{"log as string", "log = \"stderr\" #<-\n" + web, "log: want a table ([log]), got string"},
		{"empty ca dir", "[ca]\ndir = \"\" #<-\n" + web, `ca.dir: empty; leave the key out to use "./tlsgate-ca"`},
		{"ca dir as integer", "[ca]\ndir = 1 #<-\n" + web, "ca.dir: want a string, got integer 1"},

		// File contents, loaded as the listener will (review defect 1).
		{"cert on inspect", strings.Replace(web, `mode = "terminate"`, `mode = "inspect"`, 1) + "[listener.client_ssl]\ncert = \"$DIR/cert.pem\" #<-\nkey = \"$DIR/key.pem\"\n",
			`listener.client_ssl.cert: an inspect listener never serves a configured certificate`},
		{"cert and key do not match", web + "[listener.client_ssl]\ncert = \"$DIR/cert.pem\"\nkey = \"$DIR/other.key\" #<-\n",
			`listener.client_ssl.key: "$DIR/other.key" does not belong to the certificate in cert = "$DIR/cert.pem": tls: private key does not match public key`},
		{"cert not PEM", web + "[listener.client_ssl]\ncert = \"$DIR/notpem.pem\" #<-\nkey = \"$DIR/key.pem\"\n",
			`listener.client_ssl.cert: "$DIR/notpem.pem" is not a usable certificate file: no PEM data`},
		{"key not PEM", web + "[listener.client_ssl]\ncert = \"$DIR/cert.pem\"\nkey = \"$DIR/notpem.pem\" #<-\n",
			`listener.client_ssl.key: "$DIR/notpem.pem" is not a usable private key file`},
		{"cert and key both not PEM", web + "[listener.client_ssl]\ncert = \"$DIR/notpem.pem\" #<-\nkey = \"$DIR/notpem.pem\"\n",
			`listener.client_ssl.cert: "$DIR/notpem.pem" is not a usable certificate file`},
		{"cert file holds a key", web + "[listener.client_ssl]\ncert = \"$DIR/key.pem\" #<-\nkey = \"$DIR/key.pem\"\n",
			`listener.client_ssl.cert: "$DIR/key.pem" is not a usable certificate file: no CERTIFICATE PEM block, only PRIVATE KEY`},
		{"cert is a device", web + "[listener.client_ssl]\ncert = \"/dev/null\" #<-\nkey = \"$DIR/key.pem\"\n",
			`listener.client_ssl.cert: "/dev/null" is not a regular file`},
		{"client_ca not PEM", web + "[listener.client_ssl]\nclient_cert = \"require\"\nclient_ca = \"$DIR/notpem.pem\" #<-\n",
			`listener.client_ssl.client_ca: "$DIR/notpem.pem" holds no usable PEM certificate`},
		{"server_ssl cert and key do not match", web + "[listener.server_ssl]\ncert = \"$DIR/other.pem\"\nkey = \"$DIR/key.pem\" #<-\n",
			`listener.server_ssl.key: "$DIR/key.pem" does not belong to the certificate in cert = "$DIR/other.pem"`},
		{"server_ssl cert not PEM", web + "[listener.server_ssl]\ncert = \"$DIR/notpem.pem\" #<-\nkey = \"$DIR/key.pem\"\n",
			`listener.server_ssl.cert: "$DIR/notpem.pem" is not a usable certificate file`},
		{"server_ssl ca not PEM", web + "[listener.server_ssl]\nca = \"$DIR/notpem.pem\" #<-\n",
			`listener.server_ssl.ca: "$DIR/notpem.pem" holds no usable PEM certificate`},
		{"keylog in a missing directory", web + "keylog = \"$DIR/nope/k.log\" #<-\n",
			`listener.keylog: directory "$DIR/nope" of "$DIR/nope/k.log" is not usable`},
		{"keylog under a file", web + "keylog = \"$DIR/cert.pem/k.log\" #<-\n",
			`listener.keylog: "$DIR/cert.pem" is not a directory, so "$DIR/cert.pem/k.log" cannot be created in it`},
		{"keylog is a directory", web + "keylog = \"$DIR\" #<-\n", `listener.keylog: "$DIR" is a directory, want a file to append to`},
		{"capture is a file", web + "capture = \"$DIR/cert.pem\" #<-\n", `listener.capture: "$DIR/cert.pem" is not a directory`},
		{"capture under a file", web + "capture = \"$DIR/cert.pem/a/b\" #<-\n",
			`listener.capture: "$DIR/cert.pem/a/b" cannot be created: "$DIR/cert.pem" is not a directory`},

		// The admin API's socket (review defect 2).
		{"admin clashes with a listener", "[admin]\nlisten = \"127.0.0.1:9443\"\n" + strings.Replace(web, `listen = "127.0.0.1:9443"`, `listen = "127.0.0.1:9443" #<-`, 1),
			`listener.listen: "127.0.0.1:9443" of listener "web" clashes with [admin] listening on "127.0.0.1:9443" at line 2:1`},
		{"admin clashes with demo", "[demo]\nlisten = \"127.0.0.1:9474\"\n[admin]\nlisten = \"127.0.0.1:9474\" #<-\n" + web,
			`admin.listen: "127.0.0.1:9474" clashes with [demo] listening on "127.0.0.1:9474" at line 2:1`},
		{"default admin address clashes with demo", "[demo]\nlisten = \"127.0.0.1:8474\"\n[admin] #<-\n" + web,
			`admin.listen: "127.0.0.1:8474" clashes with [demo]`},
		{"remote admin clashes with a wildcard listener", "[admin]\nlisten = \"0.0.0.0:9443\"\nallow_remote = true\ntoken = \"t\"\n" +
			strings.Replace(web, `listen = "127.0.0.1:9443"`, `listen = ":9443" #<-`, 1),
			`listener.listen: ":9443" of listener "web" clashes with [admin]`},

		// Places tlsgate writes to (review defect 3).
		{"ca dir is a file", "[ca]\ndir = \"$DIR/cert.pem\" #<-\n" + web, `ca.dir: "$DIR/cert.pem" is not a directory`},
		{"ca dir under a file", "[ca]\ndir = \"$DIR/cert.pem/ca\" #<-\n" + web,
			`ca.dir: "$DIR/cert.pem/ca" cannot be created: "$DIR/cert.pem" is not a directory`},
		{"log file in a missing directory", "[log]\nfile = \"$DIR/nope/x.log\" #<-\n" + web,
			`log.file: directory "$DIR/nope" of "$DIR/nope/x.log" is not usable`},
		{"log file is a directory", "[log]\nfile = \"$DIR\" #<-\n" + web, `log.file: "$DIR" is a directory`},

		// [[fault]] values, each at its own key and line (review defect 4).
		{"fault: bad latency", web + "[[fault]]\nname = \"x\"\naction = \"latency\"\nlatency = \"abc\" #<-\n",
			`fault.latency: fault[0]: faults: duration "abc"`},
		{"fault: latency as a date", web + "[[fault]]\nname = \"x\"\naction = \"latency\"\nlatency = 1979-05-27 #<-\n",
			`fault.latency: fault[0]: got datetime 1979-05-27; no fault key takes a date or time`},
		{"fault: bad version", web + "[[fault]]\nname = \"x\"\naction = \"version\"\nmin_version = \"1.4\" #<-\n",
			`fault.min_version: fault[0]: faults: version "1.4"`},
		{"fault: bad alert", web + "[[fault]]\nname = \"x\"\naction = \"alert\"\nalert = \"bogus_alert\" #<-\n",
			`fault.alert: fault[0]: faults: unknown alert "bogus_alert"`},
		{"fault: nan probability", web + "[[fault]]\nname = \"x\"\naction = \"reset\"\nprobability = nan #<-\n",
			`fault.probability: fault[0]: NaN is not a finite number`},
		{"fault: infinite probability", web + "[[fault]]\nname = \"x\"\naction = \"reset\"\nprobability = -inf #<-\n",
			`fault.probability: fault[0]: -Inf is not a finite number`},
		{"fault: wrong type", web + "[[fault]]\nname = \"x\"\naction = \"bandwidth\"\nrate = \"10\" #<-\n",
			`fault.rate: fault[0]: want an integer, got string "10"`},
		{"fault: capitalised key", web + "[[fault]]\nname = \"x\"\nAction = \"reset\" #<-\n",
			`unknown key fault.Action (did you mean action?)`},
		{"fault: two bad keys", web + "[[fault]]\nname = \"x\"\naction = \"latency\"\nlatency = \"abc\" #<-\njitter = \"def\" #<-\n",
			`fault.jitter: fault[0]: faults: duration "def"`},
		{"fault: bad key in the second table", web + "[[fault]]\nname = \"x\"\naction = \"reset\"\n[[fault]]\nname = \"y\"\naction = \"latency\"\nlatency = \"1x\" #<-\n",
			`fault.latency: fault[1]: faults: duration "1x"`},

		// Ciphers that no allowed version can use (review defect 5).
		{"only TLS 1.3 suites below TLS 1.3", web + "[listener.client_ssl]\nmax_version = \"1.2\"\nciphers = [\"TLS_AES_128_GCM_SHA256\"] #<-\n",
			`listener.client_ssl.ciphers: would allow no suite at all with TLS 1.2 (TLS_AES_128_GCM_SHA256 is TLS 1.3 only; crypto/tls picks TLS 1.3 suites itself`},
		{"only TLS 1.2 suites below TLS 1.2", web + "[listener.client_ssl]\nmin_version = \"1.0\"\nmax_version = \"1.1\"\nciphers = [ #<-\n  \"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\",\n  \"TLS_AES_256_GCM_SHA384\",\n]\n",
			`would allow no suite at all with TLS 1.0 to 1.1 (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 is TLS 1.2 only, TLS_AES_256_GCM_SHA384 is TLS 1.3 only`},
		{"busy_poll too long", strings.Replace(web, `mode = "terminate"`, `mode = "passthrough"`, 1) + "busy_poll = \"1s\" #<-\n",
			`listener.busy_poll: 1s is more than 1ms; a loop polling that long between events spends a CPU on waiting`},
		{"busy_poll negative", strings.Replace(web, `mode = "terminate"`, `mode = "passthrough"`, 1) + "busy_poll = \"-1us\" #<-\n", `listener.busy_poll: duration "-1us" must not be negative`},
		// Keys that would do nothing on this listener (review defect 4).
		{"busy_poll on a terminate listener", web + "busy_poll = \"100us\" #<-\n",
			`listener.busy_poll: only applies to the epoll engine, which does not serve this listener: mode = "terminate" decrypts every connection`},
		{"busy_poll with goroutines", strings.Replace(web, `mode = "terminate"`, `mode = "passthrough"`, 1) + "engine = \"goroutines\"\nbusy_poll = \"100us\" #<-\n",
			`listener.busy_poll: only applies to the epoll engine, which does not serve this listener: engine = "goroutines" never runs it`},
		{"busy_poll with uring", strings.Replace(web, `mode = "terminate"`, `mode = "passthrough"`, 1) + "engine = \"uring\"\nbusy_poll = \"100us\" #<-\n",
			`listener.busy_poll: only applies to the epoll engine; engine = "uring" loops never poll before they park`},
		{"keylog on passthrough", strings.Replace(web, `mode = "terminate"`, `mode = "passthrough"`, 1) + "keylog = \"$DIR/k.log\" #<-\n",
			`listener.keylog: only applies when tlsgate terminates TLS`},
		{"keylog on plaintext", strings.Replace(web, `mode = "terminate"`, `mode = "plaintext"`, 1) + "keylog = \"$DIR/k.log\" #<-\n",
			`with mode = "plaintext" tlsgate holds no TLS session keys, so the file would stay empty`},
		{"keylog on auto without client_ssl", strings.Replace(web, `mode = "terminate"`, `mode = "auto"`, 1) + "plain_backend = \"127.0.0.1:9081\"\nkeylog = \"$DIR/k.log\" #<-\n",
			`listener.keylog: needs [listener.client_ssl] on this auto listener`},
		{"max_version below the default min_version", web + "[listener.client_ssl]\nmax_version = \"1.1\" #<-\n",
			`listener.client_ssl.max_version: 1.1 is below the default min_version 1.2; no version could be negotiated: set min_version = "1.1" too`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.ReplaceAll(tt.src, "$DIR", dir)
			want := strings.ReplaceAll(tt.want, "$DIR", dir)
			var wantLines []int
			srcLines := strings.Split(src, "\n")
			for i, l := range srcLines {
				if strings.HasSuffix(l, "#<-") {
					wantLines = append(wantLines, i+1)
				}
			}
			if len(wantLines) == 0 {
				wantLines = []int{0}
			}
			cfg, err := Parse([]byte(src), "bad.toml")
			if err == nil {
				t.Fatalf("Parse accepted:\n%s\ngot %+v", src, cfg)
			}
			if cfg != nil {
				t.Error("Parse returned a config along with errors")
			}
			errs := flatten(t, err)
			if len(errs) != len(wantLines) {
				t.Fatalf("want %d error(s), got %d:\n%v\nconfig:\n%s", len(wantLines), len(errs), err, src)
			}
			found := false
			for i, e := range errs {
				if e.Line != wantLines[i] {
					t.Errorf("blamed line %d, want %d: %v\nconfig:\n%s", e.Line, wantLines[i], e, src)
				}
				prefix := "config: bad.toml: "
				if e.Line > 0 {
					if at := blamedText(srcLines[e.Line-1], e); at == "" {
						t.Errorf("column %d of line %d does not point at the key %q, its table or its value: %v", e.Col, e.Line, e.Key, e)
					}
					prefix = "config: bad.toml:" + strconv.Itoa(e.Line) + ":" + strconv.Itoa(e.Col) + ": "
				}
				msg := e.Error()
				if !strings.HasPrefix(msg, prefix) {
					t.Errorf("error %q lacks the prefix %q", msg, prefix)
				}
				found = found || strings.Contains(msg, want)
			}
			if !found {
				t.Errorf("no error contains %q:\n%v", want, err)
			}
		})
	}
}

// blamedText is line from e's column on, when that column points where an error
// about e.Key should: at the key itself (or a dotted key's first part), at a table
// header (a key that is missing is blamed on its table), at a value (an array
// element), or anywhere on the line for a TOML syntax error. It is "" when the
// column is off the line or points at a space or a comment.
func blamedText(line string, e *Error) string {
	if e.Col < 1 || e.Col > len(line) {
		return ""
	}
	at := line[e.Col-1:]
	if _, isSyntax := e.Err.(syntaxError); isSyntax || strings.ContainsAny(at[:1], `[{"'0123456789+-`) {
		return at
	}
	for seg := range strings.SplitSeq(e.Key, ".") {
		if seg != "" && strings.HasPrefix(at, seg) {
			return at // a dotted key (client_ssl.min_version) starts with its table's name
		}
	}
	return ""
}

// TestErrorColumns: an error names the column where its key, element or table
// begins, not only the line, as DESIGN.md promises ("with line:col"), so that an
// indented key, an inline table or the second element of an array is found at once.
func TestErrorColumns(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"indented key", web + "  peek_timeout = \"x\"\n", "config: bad.toml:6:3: listener.peek_timeout: bad duration"},
		{"key in an inline table", web + "client_ssl = { min_version = \"1.2\", sni_require = \"yes\" }\n",
			"config: bad.toml:6:37: listener.client_ssl.sni_require:"},
		{"array element", web + "[listener.client_ssl]\nciphers = [\"TLS_AES_128_GCM_SHA256\", \"TLS_NOPE\"]\n",
			`config: bad.toml:7:38: listener.client_ssl.ciphers[1]: unknown cipher "TLS_NOPE"`},
		{"missing key blames its table header", "\n  [[listener]]\nname = \"x\"\nlisten = \"127.0.0.1:1\"\nmode = \"terminate\"\n",
			"config: bad.toml:2:3: listener.backend:"},
		{"syntax error", "[log]\nformat =   \n", "config: bad.toml:2:12: toml syntax:"},
		{"duplicate key at the start of a line", "a = 1\na = 2\n", "config: bad.toml:2:1: toml syntax: Key 'a' has already been defined; the first is at line 1:1"},
		// A duplicate names where the key was first set too, in the element
		// of an array of tables it is in, or in a table defined twice.
		{"duplicate key in the second listener", web + web + "mode = \"auto\"\n",
			"config: bad.toml:11:1: toml syntax: Key 'listener.mode' has already been defined; the first is at line 10:1"},
		{"table defined twice", "[log]\nformat = \"json\"\n\n[log]\n", "config: bad.toml:4:2: toml syntax: Key 'log' has already been defined; the first is at line 1:1"},
		{"duplicate in an inline table", "log = { format = \"json\", format = \"bigip\" }\n",
			"config: bad.toml:1:26: toml syntax: Key 'log.format' has already been defined; the first is at line 1:9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.src), "bad.toml")
			errs := flatten(t, err)
			if len(errs) != 1 || !strings.HasPrefix(errs[0].Error(), tt.want) {
				t.Fatalf("got %v, want one error starting %q", err, tt.want)
			}
		})
	}
}

// The example in the task statement: an unknown key is named with its line and column.
func TestUnknownKeyExample(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.toml")
	src := strings.Repeat("\n", 8) + web + "[listener.client_ssl]\n\ncipher = \"x\"\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	want := "config: " + path + ":16:1: unknown key listener.client_ssl.cipher (did you mean ciphers?)"
	if err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
}
