package explain

// alpnKnowledge covers an HTTP/1.1-only proxy that strips h2 from ALPN
// (alpn_downgrade). It ends a connection only when the client offered
// nothing else: crypto/tls refuses that hello with alert 120. A client
// that also offered HTTP/1.1 falls back without an error, and its
// connection is explained as working, with the rule beside it.
func alpnKnowledge() map[string]entry {
	return map[string]entry{
		CodeFaultInjected + "/alpn_downgrade": {
			cause: "On a real network this is a proxy or load balancer that speaks only HTTP/1.1 with its clients (an HTTP/1.1-only TLS-inspecting proxy, an older load balancer or WAF profile without HTTP/2): it strips h2 from the ALPN exchange. A client that also offers HTTP/1.1 falls back without an error, and only loses h2; one that offers nothing but h2, as gRPC clients do, has nothing left to agree on and is refused with {fault_alert_sent}. This client offered {alpn_list}.",
			checks: []string{
				"Compare the protocol agreed through the proxy with the one agreed straight with the server: `curl -sv --http2 …` prints `ALPN: server accepted …`; http/1.1 through the proxy where the server itself accepts h2 means the proxy stripped it.",
				"Offer h2 alone: `openssl s_client -connect {virtual} -servername {sni_or_host} -alpn h2 </dev/null` ends in `tlsv1 alert no application protocol`, while `-alpn http/1.1` prints `ALPN protocol: http/1.1`.",
				"Turn HTTP/2 on at the proxy's client side (on BIG-IP, an HTTP/2 profile on the virtual server), or exempt the h2-only service (gRPC) from inspection.",
				checkFaultOff},
			clientSaw: "{fault_alert_saw}",
		},
	}
}

// alpnKnowledgeJA is alpnKnowledge in Japanese.
func alpnKnowledgeJA() map[string]entry {
	return map[string]entry{
		CodeFaultInjected + "/alpn_downgrade": {
			cause: "実際のネットワークなら、クライアントと HTTP/1.1 しか話さないプロキシやロードバランサ（HTTP/1.1 専用の TLS 復号プロキシ、HTTP/2 のない古いロードバランサや WAF のプロファイル）にあたる。ALPN のやり取りから h2 を取り除く。HTTP/1.1 も提示するクライアントはエラーなしでそちらに落ち、h2 を失うだけで済む。gRPC のクライアントのように h2 しか提示しないクライアントは合意できるものがなくなり、{fault_alert_sent}で拒否される。このクライアントが提示したのは {alpn_list}。",
			checks: []string{
				"プロキシ経由とサーバ直結で合意したプロトコルを比べる: `curl -sv --http2 …` は `ALPN: server accepted …` を表示する。サーバ自身は h2 を受け入れるのにプロキシ経由では http/1.1 なら、プロキシが取り除いている。",
				"h2 だけを提示する: `openssl s_client -connect {virtual} -servername {sni_or_host} -alpn h2 </dev/null` は `tlsv1 alert no application protocol` で終わり、`-alpn http/1.1` なら `ALPN protocol: http/1.1` が表示される。",
				"プロキシのクライアント側で HTTP/2 を有効にする（BIG-IP なら仮想サーバに HTTP/2 プロファイルを付ける）か、h2 専用のサービス（gRPC）を復号対象から外す。",
				checkFaultOffJA},
			clientSaw: "{fault_alert_saw}",
		},
	}
}
