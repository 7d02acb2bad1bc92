package explain

import (
	"bytes"
	"time"

	"github.com/tlsgate/tlsgate/sniff"
)

// clientFINUnanswered says a plaintext HTTP/1 relay ended cleanly with
// nothing for the client: the client half-closed (its FIN came first,
// after at least one byte), and the backend closed in turn without a
// byte. Nothing failed on tlsgate's watch, so the connection stays ok,
// but an ok line for a request that got no answer hid the one thing the
// operator needed: the backend never answered. Which side was at fault
// the relay cannot tell (a client that gave up waiting, or one that
// half-closes after sending to a backend that takes the FIN for the
// client leaving), so it is a warning that names both, with the FIN's
// time as the clue. A backend that reset instead is
// backend_closed_early's reset variant; one that closed first,
// its FIN variant.
func clientFINUnanswered(o *Outcome) bool {
	if o.FirstFIN != SideClient || o.End != "" || o.BytesUp == 0 || o.BytesDown != 0 {
		return false
	}
	if !o.Backend.Attempted || o.Backend.DialErr != "" || PassesTLS(o) || o.Kind.IsTLS() || o.ClientTLS.Done {
		return false
	}
	if len(o.FaultFirings) > 0 || o.FaultApplied != "" {
		return false // a fault's own words tell what it did
	}
	return o.Kind == sniff.HTTP1 || o.HTTP != nil
}

// headCutShort says the client's bytes up are all in FirstBytes (which
// keeps only the first of them) and hold no end of the header (an empty
// line): the client half-closed before its request was whole. Unknown
// (false) when more went up than FirstBytes keeps and no end is in them.
func headCutShort(o *Outcome) bool {
	b := o.FirstBytes
	// The listener's own end-of-header test (headersDone) takes a bare
	// LF for CRLF, as servers do: "\n\n" and "\n\r\n" both end one.
	return o.BytesUp <= int64(len(b)) && !bytes.Contains(b, []byte("\n\n")) && !bytes.Contains(b, []byte("\n\r\n"))
}

// finPlaceholder fills the names of the unanswered warning.
func (f *facts) finPlaceholder(name string) (string, bool) {
	switch name {
	case "bytes_up":
		return f.bytesN(f.o.BytesUp), true
	case "client_fin_after":
		d := f.o.FirstFINAfter
		if d < time.Millisecond {
			return d.Round(time.Microsecond).String(), true // 0s would read as never
		}
		return d.Round(time.Millisecond).String(), true
	}
	return "", false
}
