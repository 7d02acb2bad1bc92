//go:build !unix

package bigiplog

import "net"

// watchPeer returns a check that c's peer has closed the stream; here a
// goroutine reads c (a syslog collector never sends) until it ends.
func watchPeer(c net.Conn) func() bool { return watchPeerReading(c) }
