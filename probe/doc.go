// Package probe diagnoses a TLS server from the client side. It walks the
// checklist an operator follows with a failing handshake (TCP, a banner, the
// answer to a ClientHello, versions, cipher families, SNI, the chain and
// its stapled OCSP response's status and times, a large post-quantum
// hello, a stalled server flight, and what the HTTP layer answers once TLS
// works, its Date against the probe's clock included) and gives each step
// a verdict with its evidence, the likely cause and the first thing to
// check.
//
// Every step has a stable code (Codes lists them) for scripts and the lab
// catalog. The sentences for people come in English or Japanese
// (Options.Lang); codes, evidence, alert names and commands stay as they
// are in both, so a Japanese report can be compared with an English one.
//
// The network, the clock and randomness are injected through Options, and
// probe connects only to the target it is given.
package probe
