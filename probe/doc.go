// Package probe diagnoses a TLS server from the client side. It walks the
// checklist an operator follows with a failing handshake (TCP, a banner, the
// answer to a ClientHello, versions, cipher families, SNI, the chain, a
// large post-quantum hello, a stalled server flight) and gives each step a
// verdict with its evidence, the likely cause and the first thing to check.
//
// The network, the clock and randomness are injected through Options, and
// probe connects only to the target it is given.
package probe
