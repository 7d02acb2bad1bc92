package probe

import (
	"crypto/tls"
	"errors"
	"net"
	"strings"

	"github.com/tlsgate/tlsgate/explain"
)

// How a connection that completed its handshake broke at the TLS layer.
const (
	// troubleIn: a record from the server failed the probe's TLS checks
	// (its tag, its header, its type), so the probe sent the alert.
	troubleIn = "in"
	// troubleOut: the server says a record from the probe failed its
	// checks (bad_record_mac, decryption_failed, record_overflow).
	troubleOut = "out"
	// troubleAlert: the server ended the connection with another alert.
	troubleAlert = "alert"
)

// recordTrouble names a TLS error on a connection whose handshake had
// succeeded, and "" for anything else (a FIN, an RST, a timeout). After
// the Finished messages both sides hold the keys, so a record that fails
// its check was changed on the way: a device in the path altered bytes.
func recordTrouble(err error) string {
	var rhe tls.RecordHeaderError
	if errors.As(err, &rhe) {
		return troubleIn
	}
	// crypto/tls reports an alert it sent as a *net.OpError with Op
	// "local error", and one it received as Op "remote error".
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Op == "local error" {
		return troubleIn
	}
	switch explain.AlertFromError(err.Error()) {
	case -1, 0: // none, or close_notify, which is a close
		return ""
	case 20, 21, 22: // bad_record_mac, decryption_failed, record_overflow
		return troubleOut
	}
	return troubleAlert
}

// tlsDetail is what crypto/tls said, without the Op prefix that an
// operator reading "local error" would take for a local fault.
func tlsDetail(err error) string {
	s := err.Error()
	if i := strings.Index(s, "tls: "); i >= 0 {
		return s[i:]
	}
	return s
}
