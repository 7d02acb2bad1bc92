package explain

// Line is one BIG-IP /var/log/ltm message without its syslog prefix; the
// bigiplog package adds timestamp, host, process and PID.
type Line struct {
	ID   string // e.g. "01260013"; "" for events BIG-IP logs without one
	Sev  int    // syslog severity digit (4 = warning)
	Text string // message text exactly as BIG-IP writes it
}

// Evidence is one labelled fact shown to the operator ("first bytes", "sni" …).
type Evidence struct {
	Key   string
	Value string
}

// Diagnosis is the explanation of one Outcome.
type Diagnosis struct {
	Code     string     // stable key, e.g. "plaintext_on_tls", "ok"
	OK       bool       // the connection did what it should
	Summary  string     // one line: what happened
	Cause    string     // the likely cause, in plain words
	Checks   []string   // what to check first, in order
	BigIP    []Line     // the ltm group, reason first, summary last; on OK only ID-less session-log lines
	Evidence []Evidence // first bytes (hex + ASCII), SNI, versions, ciphers …
	// ClientSaw is what the client most likely printed (curl, Go, browsers),
	// so an operator can match a user's report to this connection.
	ClientSaw string
	// Warnings flag a connection that worked but is weaker than it looks:
	// interception with verification off, a version downgrade between the
	// legs, a weaker cipher than the client could have had.
	Warnings []string
	// Brief marks a Diagnosis from DiagnoseBrief that holds only Code,
	// OK, Summary, BigIP and Warnings; Complete fills in the rest.
	Brief bool
}
