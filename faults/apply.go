package faults

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/tlsgate/tlsgate/sniff"
)

// replyLinger is how long Apply waits for the client's answer (its own
// alert, or its FIN) after tlsgate has had its say, before closing.
const replyLinger = 2 * time.Second

// replyMax caps the client bytes Apply keeps.
const replyMax = 4 << 10

// Applied is what Apply did, for the Outcome.
type Applied struct {
	Sent        int    // bytes tlsgate wrote: the alert, ServerHello or reply
	ClientReply []byte // what the client sent back before it closed, e.g. its alert (sniff.ParseAlert reads it)
}

// Apply carries out a stop (Plan.Stop) on c, the client-facing conn, and
// returns when the connection is finished with; the caller then only closes
// it again (harmless) and logs. hello is the parsed ClientHello, nil at
// accept. A hold (blackhole, then hold) lasts until the client gives up,
// the delay's follow-up fires, or c's read deadline passes: set one to
// bound it. At that deadline Apply returns but the socket stays held, open
// and silent, until the client gives up or deps.HoldMax passes (see
// Held): a FIN or RST would not have come through a black hole either.
func Apply(c net.Conn, r *Rule, hello *sniff.ClientHello, deps WrapDeps) (Applied, error) {
	deps = deps.withDefaults()
	var a Applied
	switch r.Action {
	case ActReset:
		return a, Reset(c)
	case ActClose:
		if r.Direction == S2C {
			if err := closeWrite(c); err != nil {
				return a, fmt.Errorf("faults: half-close: %w", err)
			}
			a.ClientReply = readReply(c, deps)
		}
		return a, c.Close()
	case ActBlackhole:
		return a, hold(c, r.Then, r.Delay.D(), deps)
	case ActLargeHello:
		switch r.Then {
		case ThenHold:
			return a, hold(c, ThenHold, 0, deps)
		case ThenFIN:
			return a, c.Close()
		}
		return a, Reset(c)
	case ActVersionIntolerance:
		// The device sends nothing back: no alert, no ServerHello.
		if r.Then == ThenFIN {
			return a, c.Close()
		}
		return a, Reset(c)
	case ActAlert, ActSNIPolicy, ActALPNRefuse:
		code := r.AlertCode()
		return answer(c, AlertRecord(AlertLevel(code), code, uint16(r.RecordVersion)), r.Then, deps)
	case ActPlaintextReply:
		reply, _ := RewriteHeaders(PlaintextReply(r.Status), nil, r.HeadersAdd)
		return answer(c, reply, ThenFIN, deps)
	case ActSSL3ServerHello:
		return answer(c, ServerHelloSSL3(hello, ruleRandom(r, deps.Index)), ThenFIN, deps)
	case ActUnofferedCipher:
		suite := PickUnoffered(hello, r.Ciphers)
		return answer(c, ServerHelloUnofferedCipher(hello, suite, ruleRandom(r, deps.Index)), ThenFIN, deps)
	}
	return a, fmt.Errorf("faults: rule %q: action %q is not a stop; install it with Wrap", r.Name, r.Action)
}

// answer writes msg, then follows up: fin waits briefly for the client's
// reply (its alert, its FIN) and closes; rst resets; hold stays silent.
func answer(c net.Conn, msg []byte, then Then, deps WrapDeps) (Applied, error) {
	var a Applied
	n, err := c.Write(msg)
	a.Sent = n
	if err != nil {
		_ = c.Close()
		return a, fmt.Errorf("faults: write %d bytes to %s: %w", len(msg), remote(c), err)
	}
	switch then {
	case ThenRST:
		return a, Reset(c)
	case ThenHold:
		return a, hold(c, ThenHold, 0, deps)
	}
	a.ClientReply = readReply(c, deps)
	return a, c.Close()
}

// readReply reads what the client answers until it closes, replyMax bytes
// arrive, or replyLinger passes (on the injected timer, which closes c to
// end the read).
func readReply(c net.Conn, deps WrapDeps) []byte {
	stop := deps.AfterFunc(replyLinger, func() { _ = c.Close() })
	defer stop()
	var out []byte
	buf := make([]byte, 1024)
	for len(out) < replyMax {
		n, err := c.Read(buf)
		out = append(out, buf[:n]...)
		if err != nil {
			break
		}
		if _, _, ok := sniff.ParseAlert(out); ok {
			break // the client's verdict is in; it closes next
		}
	}
	return out
}

// hold swallows what the client sends and answers nothing, until the client
// closes, c's read deadline passes, or after delay the follow-up (rst, fin)
// ends it. A hold that the deadline ends keeps the socket held (see Held).
func hold(c net.Conn, then Then, delay time.Duration, deps WrapDeps) error {
	switch then {
	case ThenRST:
		stop := deps.AfterFunc(delay, func() { _ = Reset(c) })
		defer stop()
	case ThenFIN:
		stop := deps.AfterFunc(delay, func() { _ = c.Close() })
		defer stop()
	}
	_, err := io.Copy(io.Discard, c)
	if then == ThenHold && errors.Is(err, os.ErrDeadlineExceeded) && holdSocket(c, deps) {
		// The deadline is the caller's bound on its side of the hold,
		// not the client giving up.
		return nil
	}
	_ = c.Close()
	if err == nil || errors.Is(err, net.ErrClosed) || errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, syscall.ECONNRESET) {
		return nil
	}
	return err
}

// ruleRandom is the rule's seeded byte stream for this connection: the
// ServerHello random and support IDs are reproducible like the draws.
func ruleRandom(r *Rule, index uint64) io.Reader {
	var seed [32]byte
	binary.LittleEndian.PutUint64(seed[0:], ruleSeed(r))
	binary.LittleEndian.PutUint64(seed[8:], index)
	return rand.NewChaCha8(seed)
}

func remote(c net.Conn) string {
	if a := c.RemoteAddr(); a != nil {
		return a.String()
	}
	return "client"
}
