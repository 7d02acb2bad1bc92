package lab

import "github.com/tlsgate/tlsgate/faults"

// versionIntoleranceScenarios are network causes added after the server
// clock scenarios: a middlebox intolerant of the TLS version a hello
// offers. They come last so that no earlier scenario's port moves.
func versionIntoleranceScenarios() []Scenario {
	return []Scenario{
		{
			Name:   "tls13-intolerant-middlebox",
			Family: FamilyNetwork,
			Title: Text{
				EN: "TLS version intolerance: a middlebox resets hellos that offer TLS 1.3",
				JA: "TLS バージョン不耐性：TLS 1.3 を提示する ClientHello を中継装置がリセットする",
			},
			Reproduces: Text{
				EN: "A firewall, IPS or load balancer from before TLS 1.3 that cannot parse a ClientHello offering a version newer than it knows and resets the connection, instead of answering with TLS 1.2 as the standard asks. TLS 1.3 keeps the hello's legacy_version at 1.2 and names itself only in the supported_versions extension to slip past such devices; this one reads that extension and still chokes. Every default client offers TLS 1.3 and fails with no alert, only a reset; the same client capped at TLS 1.2 (curl --tls-max 1.2, openssl s_client -tls1_2) gets through.",
				JA: "TLS 1.3 以前のファイアウォール、IPS、ロードバランサが、知っているより新しいバージョンを提示した ClientHello を解析できず、規格どおり TLS 1.2 で応答する代わりに接続をリセットするケース。TLS 1.3 はこうした装置をすり抜けるため ClientHello の legacy_version を 1.2 のままにし、supported_versions 拡張の中でだけ名乗るが、この装置はその拡張を読んでなお詰まる。既定のクライアントはどれも TLS 1.3 を提示するので、アラートもなくリセットだけで失敗し、上限を TLS 1.2 に下げた同じクライアント（curl --tls-max 1.2、openssl s_client -tls1_2）は通る。",
			},
			Listener: Listener{Mode: "terminate"},
			Faults: []faults.Rule{{Name: "tls13-intolerant", Action: faults.ActVersionIntolerance,
				IntolerantAbove: faults.VersionTLS12}},
			Try:           curlTrusted,
			Compare:       "curl --cacert {ca} --tls-max 1.2 https://localhost:{port}/",
			CompareExpect: "hello from the tlsgate demo backend",
			ExpectClient:  "curl: (35) Recv failure: Connection reset by peer",
			ExpectCode:    "fault_injected",
			ExpectProbe:   "version_intolerance",
			ProbeNote: Text{
				EN: "The probe's own ClientHello offers TLS 1.3 and is reset right after the hello, as a WAF's would look; the probe then retries capped at TLS 1.2, gets a ServerHello, and names the version as the trigger.",
				JA: "probe 自身の ClientHello は TLS 1.3 を提示して直後にリセットされ、WAF によるものと同じに見える。probe は上限を TLS 1.2 にして再試行し、ServerHello を受け取って、バージョンが引き金だと報告する。",
			},
			Fix: Text{
				EN: "Update the middlebox's firmware, or turn off its TLS inspection for this traffic, so it passes hellos that offer TLS 1.3 (or answers them with TLS 1.2). Capping clients at TLS 1.2 is a diagnosis and a stopgap, not a fix. A BIG-IP behind it logs nothing: the hello never reached it.",
				JA: "中継装置のファームウェアを更新するか、この通信について TLS 検査を無効にして、TLS 1.3 を提示する ClientHello を通す（または TLS 1.2 で応答させる）。クライアントの上限を TLS 1.2 に下げるのは切り分けと一時しのぎであって対策ではない。その後ろの BIG-IP のログには何も出ない（ClientHello が届いていない）。",
			},
		},
	}
}
