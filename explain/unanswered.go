package explain

import (
	"bytes"
	"strconv"
	"strings"
	"time"

	"github.com/tlsgate/tlsgate/sniff"
)

// clientFINUnanswered says an HTTP/1 relay ended cleanly with nothing
// for the client (plaintext, or inside TLS that tlsgate terminated, whose
// first exchange got no status): the client half-closed (its FIN came first,
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
	if !o.Backend.Attempted || o.Backend.DialErr != "" || o.Backend.TLS.Err != "" || PassesTLS(o) {
		return false
	}
	if len(o.FaultFirings) > 0 || o.FaultApplied != "" {
		return false // a fault's own words tell what it did
	}
	if o.ClientTLS.Done {
		// curl -m through a terminate listener: the decrypted stream's
		// first request is known, with no status. HTTP/2 keeps no
		// exchanges: its frames' headers tell (h2Unanswered).
		return len(o.HTTP1) > 0 && o.HTTP1[0].Status == 0
	}
	return !o.Kind.IsTLS() && (o.Kind == sniff.HTTP1 || o.HTTP != nil)
}

// passFINUnanswered is clientFINUnanswered on a relay that passed TLS
// through, where tlsgate reads no request, only the records' headers
// (Backend.Exchange): after the handshake the client sent at least one
// record that can hold a request, then its FIN came first, and the backend
// closed in turn without a record after that request that can hold an
// answer; the relay ended cleanly. The client's closing alert before the
// backend's FIN (Exchange.ClientClosed) is its end too: a client that
// sends close_notify and then its FIN (curl giving up at -m) races the
// backend that closes on that alert, and the relay may read the backend's
// FIN first. A backend that closed first is backend_closed_early's
// after_handshake variant. A client that offered
// no HTTP and sent several records may be a one-way flow (oneWayTLS),
// which a server ends without an answer: no warning, as there.
func passFINUnanswered(o *Outcome) bool {
	e := o.Backend.Exchange
	if o.FirstFIN != SideClient && !e.ClientClosed || o.End != "" || !e.Followed || !e.Asked || e.Answered || oneWayTLS(o) {
		return false
	}
	return o.Backend.Attempted && o.Backend.DialErr == "" && len(o.FaultFirings) == 0 && o.FaultApplied == ""
}

// h2Unanswered says an HTTP/2 relay (plaintext with the preface, or
// decrypted with ALPN h2) ended cleanly, each side closing, after the
// client opened at least one stream, with no HEADERS frame from the backend
// on any stream the client opened (Outcome.H2): the request got no answer.
// Byte counts cannot tell it, as both sides' SETTINGS and WINDOW_UPDATE
// cross first. Either side's FIN may come first: the backend that closes
// (the common case: it read the request and gave up on it), or the client
// that stopped waiting. A backend that sent GOAWAY or RST_STREAM refused
// and said so, and the client printed that refusal: no warning (the
// client's error names it). A backend that closed first without a byte is
// backend_closed_early, which reads the byte count.
func h2Unanswered(o *Outcome) bool {
	h := &o.H2
	if !h.Followed || h.Streams == 0 || h.Answered || o.End != "" || o.FirstFIN == "" {
		return false
	}
	if h.BackendFrames[sniff.H2GoAway] > 0 || h.BackendFrames[sniff.H2RSTStream] > 0 {
		return false
	}
	if o.FirstFIN == SideBackend && o.BytesDown == 0 {
		return false
	}
	if !o.Backend.Attempted || o.Backend.DialErr != "" || o.Backend.TLS.Err != "" || PassesTLS(o) {
		return false
	}
	return len(o.FaultFirings) == 0 && o.FaultApplied == ""
}

// noAnswer names how a request went unanswered after the client's FIN:
// "cut_short" (headCutShort), "no_answer", "pass_no_answer" (TLS passed
// through, passFINUnanswered), "h2_no_answer" (HTTP/2, after either side's
// FIN, h2Unanswered), or "" (none holds). It is the ok variant's name and
// picks the warning.
func noAnswer(o *Outcome) string {
	switch {
	case PassesTLS(o):
		if passFINUnanswered(o) {
			return "pass_no_answer"
		}
		return ""
	case h2Unanswered(o):
		return "h2_no_answer"
	case !clientFINUnanswered(o):
		return ""
	case headCutShort(o):
		return "cut_short"
	}
	return "no_answer"
}

// unansweredRequest is the request line of the request that got no
// answer: the plaintext one sniff read, else the decrypted stream's first.
func unansweredRequest(o *Outcome) string {
	if o.HTTP == nil && len(o.HTTP1) > 0 {
		x := o.HTTP1[0]
		return strings.TrimSpace(x.Method + " " + x.Target + " " + x.Proto)
	}
	return requestLine(o)
}

// headCutShort says the client's bytes up are all in FirstBytes (which
// keeps only the first of them) and hold no end of the header (an empty
// line): the client half-closed before its request was whole. Unknown
// (false) when more went up than FirstBytes keeps and no end is in them.
func headCutShort(o *Outcome) bool {
	if o.ClientTLS.Done {
		return false // FirstBytes are the ClientHello's
	}
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
	case "pass_client_end":
		// The client's FIN, or its closing alert that the backend's FIN
		// answered and overtook (Exchange.ClientClosed): then the time
		// is the backend's FIN's, a moment after the alert.
		key := "pass_client_fin"
		if f.o.FirstFIN != SideClient {
			key = "pass_client_notify"
		}
		t, _ := f.finPlaceholder("client_fin_after")
		return f.say(key, "{t}", t, "{backend}", f.orNone(f.o.Backend.Addr)), true
	case "exchange_requests":
		return f.countN(f.o.Backend.Exchange.Requests, "one_record", "n_records"), true
	case "exchange_request_bytes":
		return f.bytesN(int64(f.o.Backend.Exchange.RequestBytes)), true
	case "unanswered_request":
		return f.orNone(unansweredRequest(f.o)), true
	case "client_fin_after":
		d := f.o.FirstFINAfter
		if d < time.Millisecond {
			return d.Round(time.Microsecond).String(), true // 0s would read as never
		}
		return d.Round(time.Millisecond).String(), true
	}
	return "", false
}

// h2FrameNames names the frame types of H2Exchange.BackendFrames, as RFC
// 9113 §6 spells them.
var h2FrameNames = [H2Extension + 1]string{"DATA", "HEADERS", "PRIORITY", "RST_STREAM", "SETTINGS", "PUSH_PROMISE", "PING", "GOAWAY", "WINDOW_UPDATE", "CONTINUATION", "extension"}

// h2Placeholder fills the names of the HTTP/2 no-answer warning: the
// streams the client opened, the frames the backend sent instead of an
// answer, and which side closed first.
func (f *facts) h2Placeholder(name string) (string, bool) {
	h, ja := &f.o.H2, f.lang == LangJA
	switch name {
	case "h2_streams":
		switch {
		case ja:
			return strconv.Itoa(h.Streams) + " 本のストリーム", true
		case h.Streams == 1:
			return "1 stream", true
		}
		return strconv.Itoa(h.Streams) + " streams", true
	case "h2_backend_frames":
		var list []string
		connOnly := true
		for typ, n := range h.BackendFrames {
			if n == 0 {
				continue
			}
			list = append(list, h2FrameNames[typ]+" ×"+strconv.Itoa(n))
			switch uint8(typ) {
			case sniff.H2Settings, sniff.H2Ping, sniff.H2WindowUpdate:
			default:
				connOnly = false
			}
		}
		joined := strings.Join(list, ", ")
		if ja {
			joined = strings.Join(list, "、")
		}
		switch {
		case len(list) == 0 && ja:
			return "なし", true
		case len(list) == 0:
			return "no frame at all", true
		case connOnly && ja:
			return "接続レベルのフレームのみ（" + joined + "）", true
		case connOnly:
			return "only connection-level frames (" + joined + ")", true
		case ja:
			return joined, true
		}
		return "the frames " + joined, true
	case "h2_end":
		t, _ := f.finPlaceholder("client_fin_after")
		backend := f.orNone(f.o.Backend.Addr)
		switch {
		case f.o.FirstFIN == SideBackend && ja:
			return "接続から " + t + " 後に " + backend + " が先に送信側を閉じた（FIN）", true
		case f.o.FirstFIN == SideBackend:
			return backend + " closed its side (FIN) first, " + t + " after the client connected", true
		case ja:
			return "接続から " + t + " 後にクライアントが先に送信側を閉じ（FIN）、続いて " + backend + " も閉じた", true
		}
		return "the client closed its side (FIN) first, " + t + " after connecting, and " + backend + " closed in turn", true
	}
	return "", false
}
