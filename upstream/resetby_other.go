//go:build !linux

package upstream

import "net"

// peerReset cannot read TCP states here: a reset seen only through splice
// (Linux only anyway) stays unattributed.
func peerReset(net.Conn) bool { return false }

// PeerFINPending cannot read TCP states here: only a FIN the relay read
// counts.
func PeerFINPending(net.Conn) bool { return false }

// finBeforeReset cannot ask the kernel here: only a FIN the relay read
// counts.
func finBeforeReset(net.Conn, error) bool { return false }

// errPending cannot poll here without taking the error: none is known.
func errPending(net.Conn) bool { return false }
