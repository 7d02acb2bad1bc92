package lab

import "github.com/tlsgate/tlsgate/faults"

// proxyScenarios are network causes added after the name-constrained
// intermediate: an explicit proxy refusing the client's CONNECT. They
// come last so that no earlier scenario's port moves.
func proxyScenarios() []Scenario {
	return []Scenario{
		{
			Name:   "proxy-connect-refused",
			Family: FamilyNetwork,
			Title: Text{
				EN: "Explicit proxy refuses the CONNECT (403) before any TLS",
				JA: "明示プロキシが TLS の前に CONNECT を拒否する（403）",
			},
			Reproduces: Text{
				EN: "A client behind a corporate proxy (https_proxy=http://proxy:3128, a browser's proxy setting) asks it for a tunnel with CONNECT host:443, and the proxy answers 403: its ACL does not allow that destination for that client (Squid http_access deny, a gateway's category block). 407 (credentials wanted) and 502 (the proxy cannot reach the host) look the same to the client. (`--noproxy ''` in the commands overrides a NO_PROXY of `*` in the environment, with which curl would ignore -x and go direct.) No TLS starts, so the server and its certificate are never involved; the lab's proxy port never dials the host the CONNECT names either, every tunnel goes to the lab origin.",
				JA: "企業のプロキシの内側のクライアント（https_proxy=http://proxy:3128、ブラウザのプロキシ設定）が CONNECT host:443 でトンネルを求め、プロキシが 403 で応答するケース。そのクライアントにその宛先を ACL が許していない（Squid の http_access deny、ゲートウェイのカテゴリ遮断）。407（認証が必要）や 502（プロキシがホストに到達できない）もクライアントからは同じに見える（コマンドの `--noproxy ''` は環境変数 NO_PROXY が `*` の場合にそれを上書きする。そのままでは curl は -x を無視して直接接続する）。TLS は始まらないので、サーバも証明書も関係しない。ラボのプロキシのポートは CONNECT が指すホストには接続せず、トンネルはすべてラボのオリジンへ向かう。",
			},
			Listener: Listener{Mode: "plaintext", Backend: BackendOrigin, Connect: "tunnel"},
			Faults: []faults.Rule{{Name: "proxy-acl", Action: faults.ActConnectPolicy, Status: 403,
				SNI: "*.blocked.test"}},
			Try:           "curl --cacert {ca} --noproxy '' -x http://127.0.0.1:{port} https://app.blocked.test/",
			Compare:       "curl --cacert {ca} --noproxy '' -x http://127.0.0.1:{port} https://app.lab.test/",
			CompareExpect: "hello from the tlsgate demo backend",
			ExpectClient:  "curl: (56) CONNECT tunnel failed, response 403",
			ExpectCode:    "fault_injected",
			Probe:         "tlsgate probe 127.0.0.1:{port} --sni app.blocked.test --cacert {ca}",
			ExpectProbe:   "reset_after_hello",
			ProbeNote: Text{
				EN: "The probe speaks no proxy: it sends its ClientHello straight to the proxy port, as a client that lost its proxy setting would, and the port resets it (a plaintext port, and tlsgate logs tls_on_plaintext). That the probe fails at the ClientHello while `curl -x` gets the proxy's 403 before any TLS is the clue: run the Try command with -v and read the proxy's status line.",
				JA: "probe はプロキシを経由しない。プロキシの設定を失ったクライアントと同じく ClientHello をプロキシのポートに直接送り、そのポートにリセットされる（平文のポートで、tlsgate は tls_on_plaintext と記録する）。probe が ClientHello で失敗し、`curl -x` は TLS の前にプロキシの 403 を受け取ることが手がかりになる。Try のコマンドに -v を付けて実行し、プロキシのステータス行を読む。",
			},
			Fix: Text{
				EN: "Ask the proxy's owners to allow the destination for these clients (Squid access.log shows TCP_DENIED/403 with the CONNECT), or reach the host without the proxy where policy allows (NO_PROXY). For 407, give the client its proxy credentials; for 502, check the proxy can resolve and reach the host. A BIG-IP behind the proxy logs nothing: the connection never reached it.",
				JA: "プロキシの管理者に、このクライアントからこの宛先への通信を許可してもらう（Squid の access.log に CONNECT とともに TCP_DENIED/403 が出る）か、ポリシーが許すならプロキシを経由せずに接続する（NO_PROXY）。407 ならクライアントにプロキシの認証情報を渡し、502 ならプロキシがホストを解決し到達できるか確かめる。プロキシの背後の BIG-IP のログには何も出ない（接続が届いていない）。",
			},
		},
	}
}
