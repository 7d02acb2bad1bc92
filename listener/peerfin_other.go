//go:build !linux

package listener

import "net"

// peerSentFIN cannot read TCP states here: a FIN is learnt only when a
// read reaches it, so the order against tlsgate's flight stays unknown.
func peerSentFIN(net.Conn) bool { return false }
