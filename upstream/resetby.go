package upstream

import (
	"crypto/tls"
	"errors"
	"net"
	"syscall"
)

// Sides of a relay, as Result.ResetBy names them.
const (
	SideClient  = "client"
	SideBackend = "backend"
)

var sideNames = [2]string{SideClient, SideBackend}

// resetSide says whose socket a direction's failure came from, when the
// failure is a reset (ECONNRESET, or EPIPE for a write to a reset peer):
// the source of direction d for a read, its destination for a write. A
// splice reports neither, so the sockets' TCP states decide; "" when
// nothing does.
//
// A side that had already sent its FIN is not blamed: a peer that closed
// its socket outright answers anything still sent to it with a reset, and
// that is the normal end of many connections, not a failure. The relay may
// not have read that FIN yet when its write meets the reset: finBeforeReset
// asks the kernel.
//
// A backend that sent nothing is blamed all the same: its FIN (or a reset
// whose error the relay's other direction took, leaving an EOF behind) came
// before any answer, so the reset of the client's request is the end of a
// connection that failed, not the close race of one that was answered.
// Without this the outcome depended on which direction saw the reset first.
func (p *pump) resetSide(d int, err error) string {
	k := p.resetIndex(d, err)
	if k < 0 {
		return ""
	}
	// downStarted, not the byte count: a window adds its bytes only when
	// it returns, and the whole stream can be one window.
	silent := k == down && !p.downStarted.Load()
	p.mu.Lock()
	closed := !p.flows[k].doneAt.IsZero() // side k is the source of direction k
	p.mu.Unlock()
	if !silent && (closed || finBeforeReset(p.conns[k], err)) {
		return ""
	}
	return sideNames[k]
}

// resetIndex is resetSide's conns index, or -1.
func (p *pump) resetIndex(d int, err error) int {
	if !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, syscall.EPIPE) {
		return -1
	}
	src, dst := d, 1-d // conns[0] is the client; direction up reads it
	var oe *net.OpError
	if errors.As(err, &oe) {
		switch oe.Op {
		case "read":
			return src
		case "write":
			return dst
		}
	}
	srcGone, dstGone := peerReset(p.conns[src]), peerReset(p.conns[dst])
	switch {
	case srcGone && !dstGone:
		return src
	case dstGone && !srcGone:
		return dst
	}
	return -1
}

// beneath is the conn under c's observers and TLS: the transport that
// resets and TCP states act on.
func beneath(c net.Conn) net.Conn {
	raw := unwrapObservers(c)
	if tc, ok := raw.(*tls.Conn); ok {
		raw = tc.NetConn()
	}
	return raw
}
