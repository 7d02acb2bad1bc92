package lab

import "github.com/tlsgate/tlsgate/faults"

// constraintsScenarios are server causes added after the version
// intolerance one: a chain whose intermediate's name constraints leave
// out the name. They come last so that no earlier scenario's port moves.
func constraintsScenarios() []Scenario {
	return []Scenario{
		{
			Name:   "name-constrained-intermediate",
			Family: FamilyServer,
			Title: Text{
				EN: "Name-constrained intermediate: the CA may not sign for this name",
				JA: "名前制約付き中間証明書：CA がこの名前に署名できない",
			},
			Reproduces: Text{
				EN: "A certificate issued under an intermediate that carries X.509 name constraints (a technically constrained sub-CA, such as an enterprise's own issuing CA limited to its domains) whose permitted subtrees do not cover the name: a new host name outside the company's domain, or a certificate requested from the wrong internal CA. The chain is complete and the root is trusted, yet every client that verifies it refuses it; only the intermediate shows why.",
				JA: "X.509 の名前制約を持つ中間証明書（自社ドメインに限定された企業の発行 CA など、技術的に制約された下位 CA）の下で、許可サブツリーに含まれない名前の証明書が発行されているケース。会社のドメイン外の新しいホスト名や、間違った社内 CA に申請した証明書で起こる。チェーンは揃っていてルートも信頼されているのに、検証するクライアントはすべて拒否し、理由は中間証明書を見ないとわからない。",
			},
			Listener: Listener{Mode: "terminate"},
			Faults: []faults.Rule{{Name: "constrained-intermediate", Action: faults.ActChain, Chain: faults.ChainNameConstraints,
				PermittedDNS: []string{"example.net"}}},
			Try:           curlTrusted,
			Compare:       "curl --cacert {ca} --resolve www.example.net:{port}:127.0.0.1 https://www.example.net:{port}/",
			CompareExpect: "hello from the tlsgate demo backend",
			ExpectClient:  "curl: (60) SSL certificate problem: permitted subtree violation",
			ExpectCode:    "client_alert",
			ExpectProbe:   "name_constraints",
			BigIP:         []string{ltmHandshakeFailed},
			Fix: Text{
				EN: "Read the constraints off the intermediate: `openssl s_client -connect 127.0.0.1:{port} -servername localhost -showcerts </dev/null` prints the chain; `openssl x509 -noout -text` on the second certificate shows `X509v3 Name Constraints` with `Permitted: DNS:example.net`, which does not cover localhost (asking for www.example.net, as the Compare command does, works). Have the certificate issued by a CA whose constraints cover the name, or the constraints widened by the CA that signs the intermediate; nothing on the client fixes it.",
				JA: "中間証明書の制約を確認する: `openssl s_client -connect 127.0.0.1:{port} -servername localhost -showcerts </dev/null` でチェーンを表示し、2 つ目の証明書に `openssl x509 -noout -text` を実行すると `X509v3 Name Constraints` に `Permitted: DNS:example.net` とあり、localhost を含まない（比較コマンドのように www.example.net を要求すれば通る）。名前を含む制約の CA から証明書を発行してもらうか、中間証明書に署名する CA に制約を広げてもらう。クライアント側では直せない。",
			},
		},
	}
}
