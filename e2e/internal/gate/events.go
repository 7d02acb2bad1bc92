package gate

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
