package probe

import (
	"slices"
	"strings"
)

// Codes lists every stable code a step or the final verdict can carry, so
// that callers (the lab catalog, scripts reading --json) can check theirs.
// Step 3 adds "alert_" plus an alert name for alerts it has no better
// name for; KnownCode accepts those too.
func Codes() []string {
	return []string{
		// step 1
		"connected", "refused", "connect_timeout", "unreachable", "dns", "connect_error", "bad_target",
		// step 2
		"no_connection", "silent", "reset_on_connect", "closed_on_connect", "read_error", "ssh", "smtp_or_ftp", "imap", "pop3", "server_speaks_first",
		// step 3
		"no_hello", "dial", "write_failed", "tls", "tls_hello_retry", "sslv3", "client_cert_required", "sni_required", "sni_unknown",
		"plain_http", "starttls_protocol", codeFlightStall, "tls_unexpected", "not_tls", "plaintext_port", "reset_after_hello",
		"closed_after_hello", "no_answer", "proxy_required", "version_intolerance",
		// step 4
		"inconclusive", "no_version", "legacy_only", "legacy_enabled", "tls13_only", "no_tls13", "modern_versions",
		// step 5
		"no_shared_cipher", "legacy_ciphers_only", "3des_enabled", "static_rsa_enabled", "cbc_only", "modern_ciphers",
		// step 6
		"no_sni_served", "no_variant", "name_rejected", "same_cert", "per_name_certs", "default_cert_differs",
		// step 7
		"no_certificate", "no_roots", "verified", "expired", "not_yet_valid", "expires_soon", "intermediate_expired", "interception",
		"hostname_mismatch", "cn_only", "weak_signature", "weak_key", "wrong_eku", "issuer_not_ca", "path_length", "name_constraints", "chain_invalid",
		"self_signed", "untrusted_root", "incomplete_chain",
		"ocsp_revoked", "ocsp_unknown", "ocsp_not_yet_valid", "ocsp_expired",
		// step 8
		"large_hello_ok", "large_hello_intolerance", "large_hello_refused", "small_hello_refused", "neither",
		// step 9
		"flight_ok", "flight_cut", "not_measured",
		// step 10
		"no_handshake", "http_no_answer", "not_http", "block_page", "rewriting_proxy", "http_server_error", "via_proxy", "http_status", "http_ok", "http_cut",
		"http_date_skew", "http_reset", "http_closed", "http_record_corrupt", "http_alert",
		// any step, and the final verdict
		"skipped", "unknown_step", "ok", "nothing_run", "nothing_judged",
	}
}

// KnownCode reports whether code is one the probe can report.
func KnownCode(code string) bool {
	if name, ok := strings.CutPrefix(code, "alert_"); ok {
		return name != "" && !strings.ContainsAny(name, " \t")
	}
	return slices.Contains(Codes(), code)
}
