package transparent

import (
	"strings"
)

// fwRule is one packet-filter rule as a listing shows it, with the hooks
// (prerouting, output…) whose traffic can reach it: a rule in a user chain
// inherits the hooks of the chains that jump to it.
type fwRule struct {
	source string // "iptables-save", "ip6tables-save" or "nft"
	family string // "ipv4", "ipv6" or "inet" (both)
	table  string // iptables table or nft table name
	kind   string // iptables table, or nft chain type ("nat", "filter")
	chain  string
	hooks  map[string]bool
	text   string // the rule as listed (without "-A CHAIN" for iptables)
	jump   string // user chain this rule jumps or goes to, if any
}

// hasHook says traffic from hook h reaches the rule.
func (r fwRule) hasHook(h string) bool { return r.hooks[h] }

// inFamily says the rule applies to IPv4 ("ipv4") or IPv6 ("ipv6") packets.
func (r fwRule) inFamily(f string) bool { return r.family == f || r.family == "inet" }

// builtinHooks maps iptables' built-in chains to netfilter hooks.
var builtinHooks = map[string]string{
	"PREROUTING": "prerouting", "INPUT": "input", "FORWARD": "forward",
	"OUTPUT": "output", "POSTROUTING": "postrouting",
}

// parseIPTablesSave reads iptables-save or ip6tables-save output. family is
// "ipv4" or "ipv6"; source names the command for evidence.
func parseIPTablesSave(out, source, family string) []fwRule {
	var rules []fwRule
	table := ""
	declared := map[string]bool{}
	for line := range strings.Lines(out) {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "*"):
			table = strings.TrimPrefix(line, "*")
			declared = map[string]bool{}
		case strings.HasPrefix(line, ":"):
			// ":CHAIN POLICY [counters]" declares a chain; jumps to a
			// declared chain are what carry hooks into user chains.
			if f := strings.Fields(line[1:]); len(f) > 0 {
				declared[f[0]] = true
			}
		case strings.HasPrefix(line, "-A "):
			f := strings.Fields(line)
			if len(f) < 2 {
				continue
			}
			r := fwRule{source: source, family: family, table: table, kind: table, chain: f[1],
				text: strings.Join(f[2:], " "), hooks: map[string]bool{}}
			if h, ok := builtinHooks[f[1]]; ok {
				r.hooks[h] = true
			}
			for _, opt := range []string{"-j", "-g"} {
				if t := optValue(f, opt); declared[t] {
					r.jump = t
				}
			}
			rules = append(rules, r)
		}
	}
	resolveHooks(rules)
	return rules
}

// optValue returns the argument after opt in an iptables rule, "" if absent.
func optValue(f []string, opt string) string {
	for i := 0; i+1 < len(f); i++ {
		if f[i] == opt {
			return f[i+1]
		}
	}
	return ""
}

// parseNftRuleset reads `nft list ruleset`. Rules are the lines inside a
// chain block; set, map and other blocks are skipped by tracking braces.
func parseNftRuleset(out string) []fwRule {
	var rules []fwRule
	var family, table, chain, kind string
	var hooks map[string]bool
	depth := 0
	inChain := false
	pending := "" // a rule whose braces have not closed yet
	for line := range strings.Lines(out) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		opens, closes := strings.Count(line, "{"), strings.Count(line, "}")
		f := strings.Fields(line)
		switch {
		case pending != "":
			pending += " " + line
			depth += opens - closes
			if depth <= 2 {
				rules = append(rules, nftRule(family, table, kind, chain, hooks, pending))
				pending = ""
			}
			continue
		case depth == 0 && f[0] == "table" && len(f) >= 3:
			family, table = f[1], f[2]
			if len(f) == 3 { // "table NAME {" with the default family
				family, table = "ip", f[1]
			}
		case depth == 1 && f[0] == "chain" && len(f) >= 2:
			chain, kind, inChain = f[1], "", true
			hooks = map[string]bool{}
		case depth == 2 && inChain && f[0] == "type":
			kind = optValue(f, "type")
			if h := strings.TrimSuffix(optValue(f, "hook"), ";"); h != "" {
				hooks[h] = true
			}
		case depth == 2 && inChain && opens > closes:
			pending = line
			depth += opens - closes
			continue
		case depth == 2 && inChain && line != "}" && !strings.HasPrefix(line, "policy "):
			rules = append(rules, nftRule(family, table, kind, chain, hooks, line))
		}
		depth += opens - closes
		if depth < 0 {
			depth = 0
		}
		if depth <= 1 {
			inChain = false
		}
	}
	resolveHooks(rules)
	return rules
}

// nftRule builds a rule of an nft listing.
func nftRule(family, table, kind, chain string, hooks map[string]bool, text string) fwRule {
	fam := map[string]string{"ip": "ipv4", "ip6": "ipv6", "inet": "inet"}[family]
	if fam == "" {
		fam = family
	}
	f := strings.Fields(text)
	jump := optValue(f, "jump")
	if jump == "" {
		jump = optValue(f, "goto")
	}
	return fwRule{source: "nft", family: fam, table: family + " " + table, kind: kind, chain: chain,
		hooks: hooks, text: text, jump: jump}
}

// resolveHooks gives each user chain the hooks of the chains that jump to
// it, and in nft, where a regular chain has no type, the jumping chain's
// type too. Chains nest only a few levels, so a bounded fixpoint is enough.
func resolveHooks(rules []fwRule) {
	type key struct{ source, table, chain string }
	for range 8 {
		reach := map[key]map[string]bool{}
		kinds := map[key]string{}
		for _, r := range rules {
			if r.jump == "" {
				continue
			}
			k := key{r.source, r.table, r.jump}
			if reach[k] == nil {
				reach[k] = map[string]bool{}
			}
			for h := range r.hooks {
				reach[k][h] = true
			}
			if r.kind != "" {
				kinds[k] = r.kind
			}
		}
		changed := false
		for i := range rules {
			k := key{rules[i].source, rules[i].table, rules[i].chain}
			if rules[i].kind == "" && kinds[k] != "" {
				rules[i].kind = kinds[k]
				changed = true
			}
			for h := range reach[k] {
				if !rules[i].hooks[h] {
					// Chains share one hooks map in nft listings; copy
					// before widening so only this chain changes.
					rules[i].hooks = cloneHooks(rules[i].hooks)
					rules[i].hooks[h] = true
					changed = true
				}
			}
		}
		if !changed {
			return
		}
	}
}

// cloneHooks copies a hook set.
func cloneHooks(m map[string]bool) map[string]bool {
	out := make(map[string]bool, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}
