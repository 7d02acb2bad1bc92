package listener

import (
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/tlsgate/tlsgate/faults"
)

// upAdviceFor is the down lines' check: how to make the listener listen
// again while holds are the refuse rules holding it down. It names every
// one, since the listener listens again only when all have ended (naming
// only the first sent the operator to remove it and find the port still
// refused), and says when a rule with a duration ends by itself. Without
// an admin API (adminURL "") the rules came from the config file, and only
// the file and a restart end them sooner; with one whose [admin] token is
// set, `tlsgate fault rm` needs --token, and the advice says where the
// token is without printing it.
func upAdviceFor(holds []faults.Hold, adminURL string, token bool, now time.Time) string {
	names := make([]string, len(holds))
	var timed []string
	for i, h := range holds {
		names[i] = h.Rule
		if !h.Until.IsZero() {
			timed = append(timed, fmt.Sprintf("%s ends by itself at %s (in %s)", h.Rule,
				h.Until.Format(time.RFC3339), h.Until.Sub(now).Round(time.Second)))
		}
	}
	subject, it := "the rule "+names[0], "it"
	if len(names) > 1 {
		subject, it = "every refuse rule holding it ("+strings.Join(names, ", ")+"; it listens only when all have ended)", "them"
	}
	var how string
	if adminURL == "" {
		how = "remove " + subject + " from the config and restart tlsgate"
	} else {
		cmd := "tlsgate fault rm --admin " + adminURL
		if token {
			cmd += " --token <[admin] token>"
		}
		how = "remove or disable " + subject + " (" + cmd + " " + strings.Join(names, " ") + ")"
	}
	var b strings.Builder
	if len(timed) == len(holds) {
		// Every rule ends by itself: the listener comes back unaided.
		b.WriteString(strings.Join(timed, "; "))
		b.WriteString(", and the listener listens again then; to listen sooner, ")
		b.WriteString(strings.Replace(how, subject, it, 1))
	} else {
		b.WriteString(how)
		b.WriteString(" to listen again")
		if len(timed) > 0 {
			b.WriteString("; " + strings.Join(timed, "; "))
		}
	}
	if adminURL == "" {
		b.WriteString(": this tlsgate has no admin API ([admin] in the config, --admin for tlsgate lab), so tlsgate fault cannot reach it")
	}
	b.WriteString("; connections already accepted are unaffected")
	return b.String()
}

// dropAdvice is what a syn_drop rule's down lines add to the check: what
// a client meets, and how to tell this DROP from a REJECT (listener_down,
// or a closed port) on the wire and on the server, in the log's language
// (lang, [log] lang: "ja" or English). port is the port dropping SYNs.
// The SYN is dropped before the kernel answers it, so the accept queue
// stays empty: ss shows the port listening as usual, which tells this
// DROP from an application that stopped accepting (a full queue).
func dropAdvice(lang string, port uint16) string {
	if lang == "ja" {
		return fmt.Sprintf("クライアントには拒否ではなく接続タイムアウトに見える: ファイアウォールの DROP ルールのように SYN がすべて応答なしで捨てられるので、"+
			"curl は --connect-timeout まで待って (28) で終わり（Failed to connect … Timeout was reached、または Connection timed out after N ms）、"+
			"Go は dial …: i/o timeout を報告する。REJECT や閉じたポートならすぐに失敗する（curl (7) Couldn't connect to server、Go は connection refused）。"+
			"見分け方: `tcpdump -ni any 'tcp port %[1]d'` では SYN が再送されるだけで SYN-ACK が返らない（REJECT なら SYN ごとに RST が返る）。"+
			"サーバで `ss -lnt 'sport = :%[1]d'` を見ると、ポートは LISTEN のままで Recv-Q は Send-Q（バックログ）より小さい（accept キューは満杯ではない）: "+
			"SYN はキューに届く前に捨てられている（ここでは tlsgate が待ち受けソケットに付けたソケットフィルタ、実環境ではホストのファイアウォール `nft list ruleset`、`iptables -S`）。"+
			"Recv-Q が Send-Q を上回っていれば、accept をやめたアプリケーションのキューあふれである", port)
	}
	return fmt.Sprintf("clients see a connect timeout, not a refusal: each SYN is dropped unanswered, as by a firewall DROP rule, "+
		"so curl waits out --connect-timeout and exits (28) (Failed to connect … Timeout was reached, or Connection timed out after N ms) "+
		"and Go reports dial …: i/o timeout, where a REJECT or a closed port fails at once (curl (7) Couldn't connect to server, Go connection refused); "+
		"to tell them apart, `tcpdump -ni any 'tcp port %[1]d'` shows the client's SYN retransmitted with no SYN-ACK "+
		"(a REJECT answers each with an RST), and on the server `ss -lnt 'sport = :%[1]d'` still shows the port LISTEN with Recv-Q below Send-Q, "+
		"the backlog (the accept queue is not full): the SYN is dropped before it reaches the queue (here by a socket filter tlsgate put on the listening socket; "+
		"on a real host look at its firewall, `nft list ruleset`, `iptables -S`), where Recv-Q above Send-Q is an application that stopped accepting", port)
}

// holders lists the refuse rules holding the listener down now, rule (the
// one the line is about) among them even if it ended in the meantime, and
// remembers their names, so that alsoHeld logs only rules that come after.
func (s *Server) holders(rule string) []faults.Hold {
	hs := s.deps.Faults.Holding(s.opts.Name)
	if !slices.ContainsFunc(hs, func(h faults.Hold) bool { return h.Rule == rule }) {
		hs = append([]faults.Hold{{Rule: rule}}, hs...)
	}
	names := make([]string, len(hs))
	for i, h := range hs {
		names[i] = h.Rule
	}
	s.held = names
	return hs
}

// alsoHeld logs one line for each refuse rule that started to hold the
// listener while it was already down: nothing changes on the socket, but
// the port now stays refused until that rule ends too, and the down line
// did not name it. It is no firing: the rule fires when it takes over
// (stillDown). Only watchDown calls it, after applyDown.
func (s *Server) alsoHeld(ln net.Listener) {
	g := &s.down
	g.mu.Lock()
	cur := g.rule
	g.mu.Unlock()
	if cur == "" {
		s.held = nil
		return
	}
	seen := s.held
	for _, h := range s.deps.Faults.Holding(s.opts.Name) {
		if h.Rule == cur || slices.Contains(seen, h.Rule) {
			continue
		}
		check, holds := s.upAdvice(cur)
		reason, symptom := downWords(s.dropping(), reasonAlsoHeld, reasonDropAlsoHeld)
		s.deps.Logger.Warn(reason,
			zap.String("listener", s.opts.Name), zap.String("listen", ShownAddr(s.opts.Listen, ln.Addr()).String()),
			zap.String("rule", h.Rule), zap.String("held_by", cur),
			zap.String("check", check))
		_, downs := s.Down()
		s.announce(DownEvent{Kind: DownAlsoHeld, Listen: ShownAddr(s.opts.Listen, ln.Addr()).String(), Rule: h.Rule, HeldBy: cur, Holding: holds,
			Downs: downs, Reason: reason, Symptom: symptom, Check: check})
	}
	// upAdvice remembered the rules holding it now; without a new one it
	// was not called, and rules that ended are forgotten here.
	s.holders(cur)
}
