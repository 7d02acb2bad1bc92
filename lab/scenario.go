// Package lab is the scenario catalog for training: each scenario is a
// listener plus faults plus the expected symptom, so a trainer can run the
// failures operators meet (client, server and network causes) on loopback,
// one port each, and a trainee can compare what the client prints, what a
// BIG-IP would log and what tlsgate diagnoses. The catalog is data; the
// package also renders it as a tlsgate config and as docs/scenarios.md.
package lab

import (
	"fmt"
	"net"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/tlsgate/tlsgate/faults"
)

// Family says where a scenario's cause lives, which is the first question
// an operator has to answer on a ticket.
type Family string

// The families, in the order the catalog lists them.
const (
	FamilyClient  Family = "client"  // the client's clock, stack or trust store
	FamilyServer  Family = "server"  // the virtual server's profile or certificate
	FamilyNetwork Family = "network" // a middlebox or the path in between
)

// Families lists the families in catalog order.
func Families() []Family { return []Family{FamilyClient, FamilyServer, FamilyNetwork} }

// family is the scenario's family; Placed has it too, so ByFamily takes
// either.
func (s Scenario) family() Family { return s.Family }

// ByFamily returns the scenarios (of the catalog, or placed on their
// ports) grouped by family in Families' order, each family's in catalog
// order. It is the one order people read the catalog in (`tlsgate lab
// --list`, the table a running lab prints, docs/scenarios.md): the
// catalog's own, which fixes the ports, puts a later addition last
// whatever its family. ss itself is unchanged.
func ByFamily[S interface{ family() Family }](ss []S) []S {
	out := slices.Clone(ss)
	slices.SortStableFunc(out, func(a, b S) int {
		return slices.Index(Families(), a.family()) - slices.Index(Families(), b.family())
	})
	return out
}

// Text is one text in each language the lab speaks. Both are required: the
// Japanese is written for Japanese network engineers, not translated word
// for word.
type Text struct {
	EN string
	JA string
}

// In returns the text in lang ("en" or "ja"); anything else is English.
func (t Text) In(lang string) string {
	if lang == "ja" {
		return t.JA
	}
	return t.EN
}

// Backends a scenario's listener can relay to.
const (
	BackendDemo   = "demo"   // the built-in plain HTTP demo backend
	BackendOrigin = "origin" // the lab's own TLS "real server" (a terminate listener in front of the demo)
)

// Listener is the part of a [[listener]] table a scenario chooses; the lab
// fills in the name, address and backend address.
type Listener struct {
	Mode    string // passthrough | terminate | plaintext | auto | inspect
	Backend string // BackendDemo (default) or BackendOrigin
	NonSSL  string // what a TLS listener does with plaintext; "" is the default (reset)
	// Connect is "tunnel" for a plaintext listener that acts as an
	// explicit proxy (connect = "tunnel"), "" otherwise.
	Connect string
	// ClientSSL is the client-ssl profile; nil leaves crypto/tls defaults
	// and certificates minted per SNI from the lab CA.
	ClientSSL *ClientSSL
	// VerifyOrigin turns on [listener.server_ssl] verified against the lab
	// CA: the inspect listener's upstream leg to the lab origin.
	VerifyOrigin bool
}

// ClientSSL is the part of [listener.client_ssl] a scenario chooses.
type ClientSSL struct {
	MinVersion string   // "1.0" … "1.3"; "" is the default
	MaxVersion string   // "1.0" … "1.3"; "" is the default
	Ciphers    []string // IANA names; nil is the default
	SNIRequire bool
	ClientCert string // "", "request" or "require"
}

// Scenario is one failure an operator meets, reproduced on one port.
type Scenario struct {
	Name   string // stable, used by --only and as the listener name
	Family Family
	Title  Text // a short heading
	// Reproduces is the real-world situation behind the failure.
	Reproduces Text
	Listener   Listener
	// Faults are the scenario's rules. The lab scopes each to the
	// scenario's listener; their names must be unique in the catalog.
	Faults []faults.Rule
	// Try is the command that shows the failure, with {port}, {origin}
	// and {ca} to fill in (see Vars). The lab's end-to-end test runs it as
	// is.
	Try string
	// Compare is an optional command against the same port that works,
	// to show what differs (with SNI, with the CA installed, a small
	// ClientHello). It exits 0 and its output matches CompareExpect.
	Compare       string
	CompareExpect string
	// ExpectClient is the client's symptom: the text it prints, with "…"
	// standing for parts that vary (addresses, OpenSSL's prefixes). A
	// leading "curl: (N)" also gives curl's exit status.
	ExpectClient string
	// ExpectCode is the diagnosis code tlsgate logs for the Try connection.
	ExpectCode string
	// ExpectDown replaces ExpectCode for a port that refuses: a refuse
	// rule holds the listener down, so the Try client is refused at
	// connect (curl (7)), or times out connecting under a syn_drop rule
	// (curl (28)), no connection is made and none is logged.
	// tlsgate logs instead the listener's down line naming the rule when
	// it starts, and its up line when the rule is removed (tlsgate fault
	// rm, through the lab's admin API). Such a scenario has no Compare:
	// nothing on its port works while the rule holds.
	ExpectDown bool
	// Probe is the `tlsgate probe` command that diagnoses the scenario from
	// the client side, with the same placeholders as Try; "" is
	// ProbeDefault. The lab's end-to-end test runs it with --json.
	Probe string
	// ExpectProbe is the step code the probe reports for the scenario's
	// cause ("expired", "pmtu_blackhole" …). When that step fails or
	// warns, it is also the probe's final verdict.
	ExpectProbe string
	// ProbeNote says why the probe reports ExpectProbe when it cannot see
	// the cause itself (the client's clock, the client's own mistake) or
	// sees it only indirectly; empty when the code names the cause.
	ProbeNote Text
	// BigIP are the /var/log/ltm lines a real BIG-IP virtual server would
	// write, with {client} and {vs} for the two endpoints; empty when a
	// BIG-IP logs nothing, which is itself the clue.
	BigIP []string
	// BigIPNote says why tlsgate's own log for the scenario's port differs
	// from BigIP, where it does: in the inspect scenarios tlsgate plays the
	// interceptor, not the server, and logs the interceptor's client leg.
	BigIPNote Text
	// Fix is what resolves it in the field.
	Fix Text
}

// ProbeDefault is the probe command of a scenario that sets none: by IP
// with the name the lab's certificates are minted for, against the lab CA.
const ProbeDefault = "tlsgate probe 127.0.0.1:{port} --sni localhost --cacert {ca}"

// ProbeCommand is the scenario's probe command template.
func (s Scenario) ProbeCommand() string {
	if s.Probe == "" {
		return ProbeDefault
	}
	return s.Probe
}

// Vars are the values a command template names: {port} (the scenario's
// port), {origin} (the lab origin's port) and {ca} (the lab CA file).
type Vars struct {
	Port   int
	Origin int
	CA     string
}

// Expand fills the placeholders of a command template.
func Expand(tmpl string, v Vars) string {
	return strings.NewReplacer("{port}", strconv.Itoa(v.Port), "{origin}", strconv.Itoa(v.Origin), "{ca}", v.CA).Replace(tmpl)
}

// curlExit reads the exit status from a leading "curl: (N)".
var curlExit = regexp.MustCompile(`^curl: \((\d+)\)`)

// ExpectExit is the exit status the Try command should end with, when the
// lab knows it: curl's code from ExpectClient, 0 for a curl that succeeds.
// ok is false for other clients, whose status says little.
func (s Scenario) ExpectExit() (code int, ok bool) {
	if m := curlExit.FindStringSubmatch(s.ExpectClient); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n, true
	}
	if strings.HasPrefix(s.Try, "curl ") {
		return 0, true
	}
	return 0, false
}

// MatchClient reports whether out, a client's output, shows the expected
// symptom: every part of ExpectClient between "…" appears, in order.
func (s Scenario) MatchClient(out string) bool {
	return matchParts(s.ExpectClient, out)
}

func matchParts(pattern, out string) bool {
	rest := out
	for _, part := range strings.Split(pattern, "…") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		i := strings.Index(rest, part)
		if i < 0 {
			return false
		}
		rest = rest[i+len(part):]
	}
	return true
}

// FaultNames lists the names of the scenario's rules.
func (s Scenario) FaultNames() []string {
	names := make([]string, len(s.Faults))
	for i, r := range s.Faults {
		names[i] = r.Name
	}
	return names
}

// BigIPLines fills the BIG-IP templates with the two endpoints, given as
// "ip:port" ("[ip6]:port" for IPv6): {client} and {vs} in the form of the
// 01260013 line, {client_dot} and {vs_dot} in the "ip.port" form of the
// 01260026 line, as explain writes them.
func (s Scenario) BigIPLines(client, vs string) []string {
	out := make([]string, len(s.BigIP))
	r := strings.NewReplacer("{client_dot}", dotted(client), "{vs_dot}", dotted(vs), "{client}", colon(client), "{vs}", colon(vs))
	for i, l := range s.BigIP {
		out[i] = r.Replace(l)
	}
	return out
}

// colon writes an endpoint as 01260013 does: "ip:port" for IPv4, and
// BIG-IP's "addr.port" without brackets for IPv6, where a colon before the
// port would be lost among the address's own.
func colon(hostport string) string {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return hostport
	}
	if a, err := netip.ParseAddr(host); err == nil {
		host = a.Unmap().String()
	}
	if strings.Contains(host, ":") {
		return host + "." + port
	}
	return host + ":" + port
}

// dotted writes an endpoint as BIG-IP's "addr.port", without brackets, as
// 01260026 does for every family.
func dotted(hostport string) string {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return hostport
	}
	if a, err := netip.ParseAddr(host); err == nil {
		host = a.Unmap().String()
	}
	return host + "." + port
}

// Find returns the scenario called name.
func Find(catalog []Scenario, name string) (Scenario, error) {
	for _, s := range catalog {
		if s.Name == name {
			return s, nil
		}
	}
	return Scenario{}, fmt.Errorf("lab: no scenario %q (tlsgate lab --list shows them)", name)
}
