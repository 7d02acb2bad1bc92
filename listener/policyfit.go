package listener

import (
	"crypto/tls"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/faults"
)

// limitedHandshake tells the plan whether its version and cipher rules
// changed how the client's handshake ended (faults.Plan.LimitedHandshake):
// whether crypto/tls, run under them, refused a hello the listener's own
// profile accepts or negotiated something other than that profile would
// have. A client that met them (TLS 1.3 under a floor of 1.3) saw
// nothing, and they must not fire. st is the handshake's state, failed
// says it failed. For a hello beyond sniff's parse cap, which crypto/tls
// alone read, nothing predicts the profile's choice: only a refusal of
// the kind the rules make (70 protocol_version, 40 handshake_failure)
// counts.
func (s *Server) limitedHandshake(o *explain.Outcome, fx *connFaults, st tls.ConnectionState, failed bool) {
	pol := fx.plan.TLSPolicy()
	if pol.IsZero() {
		return
	}
	var got faults.Handshake
	if !failed {
		got = faults.Handshake{Version: st.Version, CipherSuite: st.CipherSuite, Group: st.CurveID}
	}
	changed := pol.Changed(s.clientTLS, o.Hello, got)
	if o.Hello == nil {
		a := o.ClientTLS.AlertSent
		changed = failed && (a == 70 || a == 40)
	}
	if changed {
		fx.plan.LimitedHandshake()
	}
}
