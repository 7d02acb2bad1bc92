package faults

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// AbortBody is the body and gRPC message of an abort, Envoy's fault
// filter's own words, so a lab answer reads like the proxy it imitates.
const AbortBody = "fault filter abort"

// DefaultAbortStatus is an abort's HTTP status when the rule gives none.
const DefaultAbortStatus = http.StatusServiceUnavailable

// grpcCodes are the gRPC status code names (grpc/codes), by number.
var grpcCodes = [...]string{"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
	"ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
	"UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"}

// GRPCCodeName is the name of gRPC status code n ("UNAVAILABLE" for 14),
// or the number for one outside 0..16.
func GRPCCodeName(n int) string {
	if n >= 0 && n < len(grpcCodes) {
		return grpcCodes[n]
	}
	return strconv.Itoa(n)
}

// IsGRPC reports whether a request is a gRPC call: its content type is
// application/grpc, alone or with a subtype (+proto, +json).
func IsGRPC(r *http.Request) bool {
	ct := strings.ToLower(r.Header.Get("Content-Type"))
	return ct == "application/grpc" || strings.HasPrefix(ct, "application/grpc+") || strings.HasPrefix(ct, "application/grpc;")
}

// AbortHandler answers every request itself as an abort rule says, as
// Envoy's fault filter does: the rule's status with AbortBody, or, for a
// gRPC call when the rule has a grpc_status, HTTP 200 carrying
// grpc-status and grpc-message in a Trailers-Only response (one HEADERS
// frame, as Envoy's local reply sends it). answered, when set, sees each
// request with the HTTP status sent, for the log.
func AbortHandler(r *Rule, answered func(req *http.Request, status int)) http.Handler {
	status := r.Status
	if status == 0 {
		status = DefaultAbortStatus
	}
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if r.GRPCStatus != nil && IsGRPC(req) {
			h := w.Header()
			h.Set("Content-Type", "application/grpc")
			h.Set("Grpc-Status", strconv.Itoa(*r.GRPCStatus))
			h.Set("Grpc-Message", AbortBody)
			w.WriteHeader(http.StatusOK)
			if answered != nil {
				answered(req, http.StatusOK)
			}
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Content-Length", strconv.Itoa(len(AbortBody)))
		w.WriteHeader(status)
		_, _ = fmt.Fprint(w, AbortBody)
		if answered != nil {
			answered(req, status)
		}
	})
}

// Abort returns the fired rule that answers the connection's requests in
// place of the backend, or nil: an abort, or a rate_limit the connection
// came over the rate of. The listener serves the connection with its
// Handler instead of relaying it.
//
// A rate_limit decides here, not when the plan is made: the first call
// takes the connection's token from each pending rate_limit's bucket in
// rule order, up to the first that finds it empty, which answers; later
// calls (on this plan or one made from it) repeat that answer. So the
// listener calls it where it either answers the connection's requests or
// lets them through, and nowhere before: a connection whose handshake
// fails, or that a route relays untouched, spends no token. An abort
// answers every request whatever the rate, so with one fired no bucket is
// touched. FixedAbort asks without deciding.
func (p *Plan) Abort() *Rule {
	if r := p.FixedAbort(); r != nil || p == nil {
		return r
	}
	for i, r := range p.rules {
		if l := p.stats[i].limit; l != nil && l.decide(p.now(), r, p.stats[i].s) {
			return r
		}
	}
	return nil
}

// FixedAbort returns the fired abort rule, or nil: what Abort answers
// before any rate_limit decides, known once the plan is made. The
// listener asks it before the handshake (to offer h2, which a gRPC
// abort answers over); a rate limit's connection gets whatever ALPN the
// listener offers anyway, and is answered over it.
func (p *Plan) FixedAbort() *Rule {
	if p == nil {
		return nil
	}
	for _, r := range p.rules {
		if r.Action == ActAbort {
			return r
		}
	}
	return nil
}

// Handler is how the plan's answering rule (Abort) answers each request:
// AbortHandler, or RateLimitHandler with the connection's Retry-After.
// nil when no such rule fired.
func (p *Plan) Handler(answered func(req *http.Request, status int)) http.Handler {
	switch r := p.Abort(); {
	case r == nil:
		return nil
	case r.Action == ActRateLimit:
		return RateLimitHandler(r, p.RetryAfter(), answered)
	default:
		return AbortHandler(r, answered)
	}
}
