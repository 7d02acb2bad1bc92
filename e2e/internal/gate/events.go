package gate

import "encoding/json"

// Leg is one TLS leg of a logged connection event: "client_tls", or "tls"
// under "backend". Suites decode the keys they read; unknown keys are
// ignored, so one shape serves every suite.
type Leg struct {
	Attempted bool     `json:"attempted"`
	Done      bool     `json:"done"`
	Version   string   `json:"version"`
	Cipher    string   `json:"cipher"`
	ALPN      string   `json:"alpn"`
	Err       string   `json:"err"`
	AlertSent int      `json:"alert_sent"`
	AlertRecv int      `json:"alert_recv"`
	Verify    string   `json:"verify"`
	PeerCert  []string `json:"peer_cert"`
}

// Backend is the "backend" object of a logged connection event.
type Backend struct {
	Addr   string `json:"addr"`
	Local  string `json:"local"`
	Remote string `json:"remote"`
	Err    string `json:"err"`
	TLS    Leg    `json:"tls"`
}

// Event holds the keys of bigiplog.Event ("conn" in a JSON log line) that
// the suites read.
type Event struct {
	ID              uint64            `json:"id"`
	Listener        string            `json:"listener"`
	Mode            string            `json:"mode"`
	Route           string            `json:"route"`
	Client          string            `json:"client"`
	Virtual         string            `json:"virtual"`
	Diagnosis       string            `json:"diagnosis"`
	OK              bool              `json:"ok"`
	Summary         string            `json:"summary"`
	Kind            string            `json:"kind"`
	FirstBytes      string            `json:"first_bytes"`
	SNI             string            `json:"sni"`
	VersionsOffered []string          `json:"versions_offered"`
	CiphersOffered  []string          `json:"ciphers_offered"`
	ALPN            []string          `json:"alpn"`
	JA3             string            `json:"ja3"`
	JA4             string            `json:"ja4"`
	ClientTLS       Leg               `json:"client_tls"`
	Backend         Backend           `json:"backend"`
	BytesUp         int64             `json:"bytes_up"`
	BytesDown       int64             `json:"bytes_down"`
	BigIP           []string          `json:"bigip"`
	Cause           string            `json:"cause"`
	Checks          []string          `json:"checks"`
	ClientSaw       string            `json:"client_saw"`
	Evidence        map[string]string `json:"evidence"`
	// Interception keys; pointers tell a missing key (a tlsgate whose
	// event predates them) from an empty value.
	Transparent *string        `json:"transparent"`
	OrigDst     *string        `json:"orig_dst"`
	HTTP        []HTTPExchange `json:"http"`
	Warnings    []string       `json:"warnings"`
}

// HTTPExchange is one decrypted HTTP/1 exchange of an event.
type HTTPExchange struct {
	Method    string `json:"method"`
	Target    string `json:"target"`
	Host      string `json:"host"`
	Proto     string `json:"proto"`
	Status    int    `json:"status"`
	ReqBytes  int64  `json:"req_bytes"`
	RespBytes int64  `json:"resp_bytes"`
}

// String is the event as indented JSON, for failure messages.
func (e *Event) String() string {
	b, _ := json.MarshalIndent(e, "", "  ")
	return string(b)
}
