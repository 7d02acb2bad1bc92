package lab

import "github.com/tlsgate/tlsgate/faults"

// serverScenarios are failures whose cause is on the virtual server: its
// profile (versions, ciphers, SNI, client certificates) or its certificate.
func serverScenarios() []Scenario {
	return []Scenario{
		{
			Name:   "server-tls10-only",
			Family: FamilyServer,
			Title: Text{
				EN: "Server too old: TLS 1.0 only, modern client",
				JA: "サーバが古い：TLS 1.0 のみのサーバに最新のクライアントが接続",
			},
			Reproduces: Text{
				EN: "A legacy server or pool member (old IIS, an appliance's management page, an unpatched Java application server) that stops at TLS 1.0. The client still offers TLS 1.0, but modern OpenSSL refuses the SHA-1 signature TLS 1.0 requires at its default security level.",
				JA: "古い IIS、機器の管理画面、パッチの当たっていない Java アプリケーションサーバなど、TLS 1.0 までしか話せないサーバやプールメンバ。クライアントは TLS 1.0 も提示するが、最近の OpenSSL は既定のセキュリティレベルで TLS 1.0 に必要な SHA-1 署名を拒否する。",
			},
			Listener: Listener{Mode: "terminate"},
			Faults: []faults.Rule{{Name: "server-tls10-only", Action: faults.ActVersion,
				MinVersion: faults.VersionTLS10, MaxVersion: faults.VersionTLS10}},
			Try:          curlTrusted,
			ExpectClient: "curl: (35) … legacy sigalg disallowed or unsupported",
			ExpectCode:   "client_alert",
			ExpectProbe:  "legacy_only",
			BigIP:        []string{ltmHandshakeFailed},
			Fix: Text{
				EN: "Enable TLS 1.2 on the server. If it cannot be upgraded, terminate TLS on the BIG-IP with a modern client-ssl profile and speak the old protocol only on the server-ssl side. A single client can connect meanwhile with curl --tlsv1.0 --ciphers DEFAULT@SECLEVEL=0, which is a diagnosis, not a fix.",
				JA: "サーバ側で TLS 1.2 を有効にする。更新できない場合は BIG-IP の client-ssl プロファイル（最新設定）でTLSを終端し、古いプロトコルは server-ssl 側だけで使う。curl --tlsv1.0 --ciphers DEFAULT@SECLEVEL=0 で一時的に接続はできるが、これは切り分け用であって対策ではない。",
			},
		},
		{
			Name:   "server-tls13-only",
			Family: FamilyServer,
			Title: Text{
				EN: "Server TLS 1.3 only, client capped at TLS 1.2",
				JA: "サーバが TLS 1.3 のみ、クライアントは TLS 1.2 まで",
			},
			Reproduces: Text{
				EN: "A hardened virtual server that accepts only TLS 1.3, and a client that cannot go above TLS 1.2 (older Java 8 builds, .NET Framework, embedded stacks, a load balancer's health monitor). curl --tls-max 1.2 plays that client.",
				JA: "TLS 1.3 のみを許可するよう強化した仮想サーバに、TLS 1.2 までしか話せないクライアント（古い Java 8、.NET Framework、組込みスタック、ロードバランサのヘルスモニタ等）が接続するケース。curl --tls-max 1.2 でそのクライアントを再現する。",
			},
			Listener:      Listener{Mode: "terminate"},
			Faults:        []faults.Rule{{Name: "server-tls13-only", Action: faults.ActVersion, MinVersion: faults.VersionTLS13}},
			Try:           "curl --cacert {ca} --tls-max 1.2 https://localhost:{port}/",
			Compare:       curlTrusted,
			CompareExpect: "hello from the tlsgate demo backend",
			ExpectClient:  "curl: (35) … tlsv1 alert protocol version",
			ExpectCode:    "ssl_version_too_old",
			ExpectProbe:   "tls13_only",
			BigIP:         []string{ltmUnsupportedVer, ltmHandshakeFailed},
			Fix: Text{
				EN: "Allow TLS 1.2 on the profile with a strong cipher list (ECDHE with AES-GCM), or move the client to a stack with TLS 1.3. Check what the client offers in tlsgate's log (versions_offered) before changing the server.",
				JA: "プロファイルで TLS 1.2 を強力な暗号スイート（ECDHE + AES-GCM）と共に許可するか、クライアントを TLS 1.3 対応のスタックに移行する。サーバ設定を変える前に、tlsgate のログ（versions_offered）でクライアントが何を提示しているか確認する。",
			},
		},
		{
			Name:   "no-shared-cipher",
			Family: FamilyServer,
			Title: Text{
				EN: "No shared cipher: a legacy cipher list on the virtual server",
				JA: "共通の暗号スイートがない：仮想サーバに古い暗号スイートだけが残っている",
			},
			Reproduces: Text{
				EN: "A client-ssl profile still carrying a decade-old cipher string (RC4 and 3DES only) meets a modern client that removed those suites. The reverse, a hardened profile and an old client, fails the same way.",
				JA: "十年前のセキュリティ基準のまま RC4 と 3DES だけが残った client-ssl プロファイルに、それらを既に削除した最近のクライアントが接続するケース。逆に、強化したプロファイルに古いクライアントが来ても同じ失敗になる。",
			},
			Listener: Listener{Mode: "terminate", ClientSSL: &ClientSSL{MaxVersion: "1.2",
				Ciphers: []string{"TLS_RSA_WITH_RC4_128_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA"}}},
			Try:          curlTrusted,
			ExpectClient: "curl: (35) … sslv3 alert handshake failure",
			ExpectCode:   "no_shared_cipher",
			ExpectProbe:  "no_shared_cipher",
			BigIP:        []string{ltmNoSharedCiphers, ltmNoSharedPeers, ltmHandshakeFailed},
			Fix: Text{
				EN: "Compare the suites the client offers (tlsgate logs them as ciphers_offered) with the profile's cipher string (on a BIG-IP, `tmm --clientciphers '<string>'` lists what it allows), and add a modern ECDHE-GCM suite both sides support.",
				JA: "クライアントが提示する暗号スイート（tlsgate のログの ciphers_offered）とプロファイルの暗号文字列を比較する（BIG-IP では `tmm --clientciphers '<文字列>'` で許可される一覧が見られる）。両者が対応する ECDHE-GCM 系のスイートを追加する。",
			},
		},
		{
			Name:   "expired",
			Family: FamilyServer,
			Title: Text{
				EN: "Expired certificate",
				JA: "証明書の有効期限切れ",
			},
			Reproduces: Text{
				EN: "The server's certificate is past its notAfter date: a renewal was missed, or the new certificate was imported but the client-ssl profile still points at the old one.",
				JA: "サーバ証明書が notAfter を過ぎている。更新漏れ、または新しい証明書をインポートしたが client-ssl プロファイルが古い証明書を参照したままになっているケース。",
			},
			Listener:     Listener{Mode: "terminate"},
			Faults:       []faults.Rule{chainRule("expired-leaf", faults.ChainExpired)},
			Try:          curlTrusted,
			ExpectClient: "curl: (60) SSL certificate problem: certificate has expired",
			ExpectCode:   "client_alert",
			ExpectProbe:  "expired",
			BigIP:        []string{ltmHandshakeFailed},
			Fix: Text{
				EN: "Renew the certificate and attach it to every profile that used the old one. `openssl s_client -connect host:443 -servername name </dev/null | openssl x509 -noout -dates` shows what is really served. Monitor expiry: a BIG-IP warns ahead of time with 01420008 'will expire' lines.",
				JA: "証明書を更新し、旧証明書を使っていたすべてのプロファイルに適用する。実際に返っている証明書は `openssl s_client -connect host:443 -servername 名前 </dev/null | openssl x509 -noout -dates` で確認できる。期限は監視しておく（BIG-IP は 01420008 の「will expire」で事前に警告する）。",
			},
		},
		{
			Name:   "not-yet-valid",
			Family: FamilyServer,
			Title: Text{
				EN: "Certificate not yet valid",
				JA: "証明書の有効期間開始前",
			},
			Reproduces: Text{
				EN: "A certificate whose notBefore is in the future: issued by a CA whose clock is ahead, or a pre-staged renewal put into service before its start date.",
				JA: "notBefore が未来の日時になっている証明書。時計が進んでいるCAが発行した、または開始日前の更新用証明書を先に適用してしまったケース。",
			},
			Listener:     Listener{Mode: "terminate"},
			Faults:       []faults.Rule{chainRule("future-leaf", faults.ChainNotYetValid)},
			Try:          curlTrusted,
			ExpectClient: "curl: (60) SSL certificate problem: certificate is not yet valid",
			ExpectCode:   "client_alert",
			ExpectProbe:  "not_yet_valid",
			BigIP:        []string{ltmHandshakeFailed},
			Fix: Text{
				EN: "Check notBefore against real time; wait, or reissue with a correct start date. If only some clients fail, check their clocks instead (scenario clock-behind).",
				JA: "notBefore を正しい現在時刻と比べ、開始日まで待つか正しい開始日で再発行する。一部のクライアントだけが失敗するなら、そちらの時計を確認する（シナリオ clock-behind）。",
			},
		},
		{
			Name:   "wrong-host",
			Family: FamilyServer,
			Title: Text{
				EN: "Certificate for the wrong host name",
				JA: "ホスト名が一致しない証明書",
			},
			Reproduces: Text{
				EN: "The certificate does not name the host the client asked for: another site's certificate on a shared virtual server, a SAN missing after a rename, or a wildcard one label too shallow (*.example.com does not cover a.b.example.com).",
				JA: "クライアントが指定したホスト名が証明書に含まれていない。共有の仮想サーバで別サイトの証明書が返っている、名前変更後に SAN を追加し忘れた、ワイルドカードの階層が足りない（*.example.com は a.b.example.com をカバーしない）等。",
			},
			Listener:     Listener{Mode: "terminate"},
			Faults:       []faults.Rule{chainRule("wrong-host-leaf", faults.ChainWrongHost)},
			Try:          curlTrusted,
			ExpectClient: "curl: (60) SSL: no alternative certificate subject name matches target host name 'localhost'",
			ExpectCode:   "ok",
			ExpectProbe:  "hostname_mismatch",
			Fix: Text{
				EN: "Reissue the certificate with every name clients use in subjectAltName (clients ignore the CN), or select the right certificate by SNI on the virtual server. curl checks the name after the handshake and just closes, so the server logs no handshake failure.",
				JA: "クライアントが使うすべての名前を subjectAltName に入れて再発行する（CN は参照されない）か、仮想サーバ側で SNI によって正しい証明書を選ばせる。curl はハンドシェイク完了後に名前を検証して切断するだけなので、サーバ側にはハンドシェイク失敗のログが残らない。",
			},
		},
		{
			Name:   "self-signed",
			Family: FamilyServer,
			Title: Text{
				EN: "Self-signed certificate",
				JA: "自己署名証明書",
			},
			Reproduces: Text{
				EN: "A server presenting a self-signed certificate: an appliance's factory default (a BIG-IP client-ssl profile still on default.crt), or a test certificate left in production.",
				JA: "サーバが自己署名証明書を返している。機器の出荷時証明書（BIG-IP の client-ssl プロファイルが default.crt のまま）や、テスト用証明書が本番に残っているケース。",
			},
			Listener:     Listener{Mode: "terminate"},
			Faults:       []faults.Rule{chainRule("self-signed-leaf", faults.ChainSelfSigned)},
			Try:          curlTrusted,
			ExpectClient: "curl: (60) SSL certificate problem: self-signed certificate",
			ExpectCode:   "client_alert",
			ExpectProbe:  "self_signed",
			BigIP:        []string{ltmHandshakeFailed},
			Fix: Text{
				EN: "Replace it with a certificate from a CA the clients trust. Trusting a self-signed certificate on each client only scales to a lab.",
				JA: "クライアントが信頼するCAの証明書に差し替える。自己署名証明書を各クライアントで個別に信頼させる方法は、検証環境でしか通用しない。",
			},
		},
		{
			Name:   "untrusted-root",
			Family: FamilyServer,
			Title: Text{
				EN: "Certificate from a root the client does not trust",
				JA: "クライアントが信頼していないルートCAの証明書",
			},
			Reproduces: Text{
				EN: "A certificate issued by a private or internal CA that this client's trust store does not hold (a company PKI, a partner's CA), sent without its root.",
				JA: "クライアントの証明書ストアに入っていないプライベートCA・社内CA（自社PKIや取引先のCA）が発行した証明書。ルート証明書は送られていない。",
			},
			Listener:     Listener{Mode: "terminate"},
			Faults:       []faults.Rule{chainRule("untrusted-root-leaf", faults.ChainUntrustedRoot)},
			Try:          curlTrusted,
			ExpectClient: "curl: (60) SSL certificate problem: unable to get local issuer certificate",
			ExpectCode:   "client_alert",
			ExpectProbe:  "untrusted_root",
			ProbeNote: Text{
				EN: "The server sends the leaf alone, which by itself looks like a missing intermediate; the probe names an untrusted root because the issuer calls itself a root, and public CAs never sign leaves with one.",
				JA: "サーバはサーバ証明書だけを送るので、それだけでは中間証明書の欠落と区別がつかない。発行者が名前でルートと名乗っていて、公的 CA はルートで直接サーバ証明書に署名しないことから、probe は信頼されていないルートと判定する。",
			},
			BigIP: []string{ltmHandshakeFailed},
			Fix: Text{
				EN: "Distribute the issuing root to the clients' trust stores: the OS store and every tool's own bundle (Java cacerts, Python certifi, curl's CA file). Public clients need a publicly trusted certificate.",
				JA: "発行元のルートCAをクライアントの証明書ストアに配布する。OSのストアだけでなく、各ツール独自のバンドル（Java の cacerts、Python の certifi、curl のCAファイル）にも入れる。不特定のクライアント向けには公的に信頼された証明書を使う。",
			},
		},
		{
			Name:   "untrusted-root-in-chain",
			Family: FamilyServer,
			Title: Text{
				EN: "Untrusted root sent in the chain",
				JA: "信頼されていないルートCAが証明書チェーンに含まれている",
			},
			Reproduces: Text{
				EN: "As untrusted-root, but the server also sends the private root itself. Sending the root does not make a client trust it; OpenSSL just names the problem differently.",
				JA: "untrusted-root と同じだが、サーバがプライベートのルート証明書自体もチェーンに入れて送っているケース。ルートを送ってもクライアントが信頼するわけではなく、OpenSSL のエラー表現が変わるだけ。",
			},
			Listener:     Listener{Mode: "terminate"},
			Faults:       []faults.Rule{chainRule("untrusted-root-sent", faults.ChainUntrustedRootWithRoot)},
			Try:          curlTrusted,
			ExpectClient: "curl: (60) SSL certificate problem: self-signed certificate in certificate chain",
			ExpectCode:   "client_alert",
			ExpectProbe:  "untrusted_root",
			BigIP:        []string{ltmHandshakeFailed},
			Fix: Text{
				EN: "Install the private root in the clients' trust stores (as for untrusted-root) and stop sending the root: a server's chain should end at the last intermediate.",
				JA: "untrusted-root と同様にプライベートルートをクライアントの証明書ストアに入れる。あわせてルート証明書の送信をやめる（サーバが送るチェーンは最後の中間証明書まででよい）。",
			},
		},
		{
			Name:   "incomplete-chain",
			Family: FamilyServer,
			Title: Text{
				EN: "Incomplete chain: the intermediate certificate is missing",
				JA: "証明書チェーン不備：中間証明書が送られていない",
			},
			Reproduces: Text{
				EN: "The server sends its leaf without the intermediate CA certificate. Browsers often still connect (AIA fetching, a cached intermediate) while curl, Java, Python and Go fail: the classic 'works in Chrome, fails in the app'.",
				JA: "サーバがサーバ証明書だけを送り、中間CA証明書を送っていない。ブラウザは AIA による取得やキャッシュで接続できてしまうことが多い一方、curl・Java・Python・Go は失敗する。「Chrome では見えるのにアプリだと失敗する」典型例。",
			},
			Listener:     Listener{Mode: "terminate"},
			Faults:       []faults.Rule{chainRule("missing-intermediate", faults.ChainIncomplete)},
			Try:          curlTrusted,
			ExpectClient: "curl: (60) SSL certificate problem: unable to get local issuer certificate",
			ExpectCode:   "client_alert",
			ExpectProbe:  "incomplete_chain",
			BigIP:        []string{ltmHandshakeFailed},
			Fix: Text{
				EN: "Configure the chain on the profile (BIG-IP client-ssl 'Chain' = the intermediate bundle) so the server sends leaf plus intermediates. `openssl s_client -showcerts` showing only depth 0 means the chain is missing.",
				JA: "プロファイルにチェーンを設定し（BIG-IP の client-ssl の「Chain」に中間証明書バンドルを指定）、サーバ証明書と中間証明書を一緒に送らせる。`openssl s_client -showcerts` で depth 0 しか出なければチェーンが欠けている。",
			},
		},
		{
			Name:   "sni-required",
			Family: FamilyServer,
			Title: Text{
				EN: "SNI required, client sends none",
				JA: "SNI 必須の仮想サーバに SNI なしで接続",
			},
			Reproduces: Text{
				EN: "A virtual server that requires SNI (BIG-IP sni-require) and a client that sends none: connecting by IP address, an old Java or Python client, a health monitor, or a proxy that drops the extension. By name it works.",
				JA: "SNI を必須にした仮想サーバ（BIG-IP の sni-require）に、SNI を送らないクライアントが接続するケース。IP アドレス指定での接続、古い Java / Python、ヘルスモニタ、拡張を落とすプロキシ等。ホスト名で接続すれば成功する。",
			},
			Listener:      Listener{Mode: "terminate", ClientSSL: &ClientSSL{SNIRequire: true}},
			Try:           curlByIP,
			Compare:       curlTrusted,
			CompareExpect: "hello from the tlsgate demo backend",
			ExpectClient:  "curl: (35) … sslv3 alert handshake failure",
			ExpectCode:    "sni_missing",
			Probe:         "tlsgate probe 127.0.0.1:{port} --cacert {ca}",
			ExpectProbe:   "sni_required",
			ProbeNote: Text{
				EN: "Probe by IP without --sni, as the failing client connects: step 6 shows every hello without SNI refused and any name accepted. Step 3 alone sees only the generic handshake_failure alert.",
				JA: "失敗しているクライアントと同じく、--sni を付けずに IP アドレスで実行する。ステップ 6 で、SNI なしの ClientHello はすべて拒否され、名前があれば受け付けられることがわかる。ステップ 3 だけでは汎用的な handshake_failure アラートしか見えない。",
			},
			BigIP: []string{ltmHandshakeFailed},
			Fix: Text{
				EN: "Make the client send SNI (connect by host name, set the server name in its TLS library), or give the virtual server a default profile (sni-default) for clients without SNI.",
				JA: "クライアントに SNI を送らせる（ホスト名で接続する、TLS ライブラリでサーバ名を設定する）か、SNI なしのクライアント向けに仮想サーバへデフォルトプロファイル（sni-default）を用意する。",
			},
		},
		{
			Name:   "default-cert-no-sni",
			Family: FamilyServer,
			Title: Text{
				EN: "Wrong default certificate for clients without SNI",
				JA: "SNI なしのクライアントに別名義のデフォルト証明書が返る",
			},
			Reproduces: Text{
				EN: "A virtual server hosting several sites picks the certificate by SNI; a client that sends no SNI gets the default profile's certificate, issued for another name. By name it works; by IP, or from an old client, it fails with a name mismatch.",
				JA: "複数サイトを収容する仮想サーバが SNI で証明書を選んでいるため、SNI を送らないクライアントには別名義のデフォルトプロファイルの証明書が返るケース。ホスト名なら成功し、IP 指定や古いクライアントでは名前不一致で失敗する。",
			},
			Listener: Listener{Mode: "terminate"},
			Faults: []faults.Rule{{Name: "default-cert-other-name", SNI: faults.SNINone,
				Action: faults.ActChain, Chain: faults.ChainWrongHost}},
			Try:           curlByIP,
			Compare:       curlTrusted,
			CompareExpect: "hello from the tlsgate demo backend",
			ExpectClient:  "curl: (60) SSL: no alternative certificate subject name matches target host name '127.0.0.1'",
			ExpectCode:    "ok",
			ExpectProbe:   "default_cert_differs",
			ProbeNote: Text{
				EN: "With --sni the probe compares the certificate for the name with the one sent without SNI, and names the wrong default. Without --sni it would see only what the failing client sees: a certificate that does not match 127.0.0.1 (hostname_mismatch).",
				JA: "--sni を付けると、probe は名前に対する証明書と SNI なしで返る証明書を比べ、デフォルト証明書の誤りを指摘する。--sni なしで実行すると、失敗しているクライアントと同じく 127.0.0.1 と一致しない証明書（hostname_mismatch）しか見えない。",
			},
			Fix: Text{
				EN: "Make the default (sni-default) profile's certificate cover the names and addresses clients use without SNI, and make clients send SNI. `openssl s_client -connect ip:443 -noservername` shows what a client without SNI receives.",
				JA: "デフォルト（sni-default）プロファイルの証明書に、SNI なしのクライアントが使う名前・アドレスを含める。あわせてクライアントに SNI を送らせる。SNI なしで何が返るかは `openssl s_client -connect IP:443 -noservername` で確認できる。",
			},
		},
		{
			Name:   "mtls-required",
			Family: FamilyServer,
			Title: Text{
				EN: "Client certificate required, none sent",
				JA: "クライアント証明書が必須なのに送られていない",
			},
			Reproduces: Text{
				EN: "The virtual server requires a client certificate (peer-cert-mode require) and the client presents none: it was never configured, it expired and was dropped, or the client's certificate is from a CA missing from the server's list, so the client sent nothing. The profile stops at TLS 1.2, as BIG-IP client-ssl profiles do by default (option no-tlsv1.3), so the failure shows in the handshake.",
				JA: "仮想サーバがクライアント証明書を必須にしている（peer-cert-mode require）のに、クライアントが証明書を提示しないケース。設定されていない、期限切れで外された、あるいはサーバが提示するCA一覧にクライアント証明書の発行元がないため何も送られない、等。BIG-IP の client-ssl プロファイルの既定（no-tlsv1.3 オプション）と同じく TLS 1.2 までにしているので、失敗はハンドシェイク中に見える。",
			},
			Listener:     Listener{Mode: "terminate", ClientSSL: &ClientSSL{MaxVersion: "1.2", ClientCert: "require"}},
			Try:          curlTrusted,
			ExpectClient: "curl: (35) … sslv3 alert handshake failure",
			ExpectCode:   "client_cert_missing",
			ExpectProbe:  "client_cert_required",
			BigIP:        []string{ltmHandshakeFailed},
			Fix: Text{
				EN: "Give the client a certificate and key (curl --cert/--key) issued by a CA in the profile's trusted list, or use peer-cert-mode request if certificates are optional. The generic 'handshake failure' says nothing about certificates; tlsgate's log and a capture (a CertificateRequest answered by an empty Certificate) do. Under TLS 1.3 the same failure shows after the handshake, on the first read: curl (56) … tlsv13 alert certificate required.",
				JA: "プロファイルの信頼CA一覧にあるCAが発行した証明書と鍵をクライアントに設定する（curl なら --cert / --key）。証明書が任意なら peer-cert-mode を request にする。「handshake failure」という汎用的なエラーからは証明書の問題だとわからないが、tlsgate のログやパケットキャプチャ（CertificateRequest に空の Certificate が返っている）で判別できる。TLS 1.3 では同じ失敗がハンドシェイク後の最初の読み込みで見え、curl は (56) … tlsv13 alert certificate required となる。",
			},
		},
		{
			Name:   "sslv3-server",
			Family: FamilyServer,
			Title: Text{
				EN: "SSLv3 server: the server answers with SSL 3.0",
				JA: "SSLv3 サーバ：サーバが SSL 3.0 で応答する",
			},
			Reproduces: Text{
				EN: "An ancient server or appliance that answers every ClientHello with SSL 3.0 (pre-2015 embedded web servers, old printers, UPS and KVM management cards). Every current client refuses it. tlsgate writes the SSLv3 ServerHello by hand; it implements no SSLv3.",
				JA: "2015年以前の組込みWebサーバ、古いプリンタ、UPS や KVM の管理カードなど、どの ClientHello にも SSL 3.0 で応答する古い機器。現在のクライアントはすべて拒否する。tlsgate は SSLv3 の ServerHello を手書きで送るだけで、SSLv3 自体は実装していない。",
			},
			Listener:     Listener{Mode: "terminate"},
			Faults:       []faults.Rule{{Name: "answer-sslv3", Action: faults.ActSSL3ServerHello}},
			Try:          curlTrusted,
			ExpectClient: "curl: (35) … unsupported protocol",
			ExpectCode:   "fault_injected",
			ExpectProbe:  "sslv3",
			Fix: Text{
				EN: "Upgrade or replace the device's TLS stack. If that is impossible, put it behind a proxy (a BIG-IP virtual server with a modern client-ssl profile) and reach it only from a management network.",
				JA: "機器の TLS スタックを更新するか機器を更改する。不可能なら、最新の client-ssl プロファイルを持つ BIG-IP の仮想サーバ等のプロキシの裏に置き、管理用ネットワークからのみアクセスさせる。",
			},
		},
	}
}
