// Package transparent holds the Linux socket calls behind transparent
// interception, and a doctor that checks the host set-up they depend on.
//
// With iptables/nft REDIRECT or DNAT the kernel rewrites the destination to
// tlsgate's port, and OriginalDst asks conntrack for the address the client
// really dialled (SO_ORIGINAL_DST / IP6T_SO_ORIGINAL_DST). With TPROXY the
// packets keep their destination, the listener needs IP_TRANSPARENT
// (ListenConfig), and the accepted socket's local address is the original
// destination (TProxyDst).
//
// DESIGN.md put the original-destination lookup inside listener; it lives in
// this leaf instead, so the syscalls stay out of the listener, which takes
// the lookup as an injected func (Lookup fits listener.Deps.OriginalDst) and
// stays testable on any OS without privileges.
//
// IsSelf tells a transparent listener's own address from a host it
// intercepts for; AddrCache lists the host's addresses for it at most once
// per interval on an injected clock, since it is asked per connection.
//
// Doctor checks the rules, routes, sysctls and capabilities a mode needs,
// reading the host through an injected DoctorEnv so every fault can be
// tested with canned command output.
package transparent
