//go:build !linux

package upstream

import "net"

// peerReset cannot read TCP states here: a reset seen only through splice
// (Linux only anyway) stays unattributed.
func peerReset(net.Conn) bool { return false }
