package explain

// Texts shared by the entries of a passthrough client that ended its
// handshake with the backend (client-symptoms.md §8.2 for who sends which
// alert, §4 and §6 for what each client prints).
const (
	clientEndIntro = "{passes_tls}: tlsgate decrypts nothing and serves no certificate, and the client's handshake is with the backend {backend} itself. " +
		"The backend answered the ClientHello, and the client ended the handshake instead of finishing it: "
	clientEndNotLab  = " tlsgate did not decrypt, so this is about the backend's certificate chain and the client's trust store, not tlsgate's lab CA."
	clientEndNoBigIP = " A BIG-IP passthrough virtual server (no client-ssl or server-ssl profile) takes no part in the handshake either and logs no SSL error for it, so no BIG-IP line is shown"
	// What ssldump shows depends on how the alert travelled: OpenSSL clients
	// send it in the clear even under TLS 1.3 (client-symptoms.md §8.4), Go
	// and Java clients encrypt it there. A client that sent no alert gets
	// neither sentence.
	clientEndAlertClear  = "; ssldump shows the client's `C>S Alert` after the server's flight."
	clientEndAlertSealed = "; ssldump shows the client's alert as an encrypted `C>S application_data` record after the server's flight."
	clientEndCheckChain  = "Look at the chain the backend serves, without tlsgate: `openssl s_client -connect {backend}{servername_opt} -showcerts </dev/null` prints each certificate's subject and issuer and a `Verify return code`; add `-CAfile <the client's CA bundle>` to verify it as the client does."
	clientEndCheckStore  = "Check the client's trust store or CA bundle: the CA that issued the backend's certificate must be in it (curl `--cacert`, Go `tls.Config.RootCAs` or SSL_CERT_FILE, Java's truststore, the OS store for browsers); a private CA has to be added there."
	clientEndCheckCert   = "Check the backend's certificate itself: the name the client dials ({sni}) in its SAN, its dates by the client's clock, and the intermediate served after the leaf."
	clientEndSawCert     = "Go prints `tls: failed to verify certificate: x509: certificate signed by unknown authority` (or `… is valid for X, not Y`, `… has expired or is not yet valid …`); curl `curl: (60) SSL certificate problem: unable to get local issuer certificate`; openssl s_client -verify_return_error `verify error:num=20:unable to get local issuer certificate`; Chrome NET::ERR_CERT_AUTHORITY_INVALID, Firefox SEC_ERROR_UNKNOWN_ISSUER."
)

// clientEndKnowledge covers a passthrough client that refused the
// backend's answer. BIG-IP has no line for it (groupNone).
func clientEndKnowledge() map[string]entry {
	return map[string]entry{
		CodeClientRejectedBackend: {
			summary: "client {client} ended its handshake with backend {backend} with alert {client_end_alert} after the backend's answer; {relayed_by} relayed it",
			cause: clientEndIntro + "its first record after the ClientHello is alert {client_end_alert}, sent in the clear, so the alert is read, not guessed. " +
				"It refused something in the backend's answer: a version or cipher suite its ServerHello chose that the client does not accept (70, 40, 47), or its certificate." + clientEndNoBigIP + clientEndAlertClear,
			checks: []string{
				"Read the client's own error output: it names what it refused.",
				"Ask the backend directly, without tlsgate: `openssl s_client -connect {backend}{servername_opt} </dev/null` prints the version and cipher it picks (`New, TLSv1.3, Cipher is …`) and its certificate.",
				clientEndCheckChain,
			},
			clientSaw: "The client reports its own reason for alert {client_end_alert}; curl exits with 35 or 60.",
			evidence:  []string{"client_end", "backend", "backend_endpoints", "sni", "versions_offered", "ja4"},
		},
		CodeClientRejectedBackend + "/cert": {
			summary: "client {client} refused the certificate of backend {backend} with alert {client_end_alert}; {relayed_by} relayed the refusal",
			cause: clientEndIntro + "its first record after the ClientHello is alert {client_end_alert}, sent in the clear, so the alert is read, not guessed: the client refused the backend's certificate. {client_end_why}" +
				clientEndNotLab + clientEndNoBigIP + clientEndAlertClear,
			checks:    []string{clientEndCheckChain, clientEndCheckStore, clientEndCheckCert},
			clientSaw: "{client_end_saw}",
		},
		CodeClientRejectedBackend + "/encrypted": {
			summary: "client {client} ended its TLS 1.3 handshake with backend {backend} with an encrypted alert, most likely refusing the backend's certificate; {relayed_by} relayed it",
			cause: clientEndIntro + "after its ClientHello the client sent one application_data record of 19 bytes (after a ChangeCipherSpec, when it sent one) and closed. " +
				"19 bytes is an encrypted TLS 1.3 alert: 2 alert bytes, the inner content type and a 16-byte tag; the client's Finished, which a completed handshake sends instead, is 53 or 69. " +
				"The alert is encrypted with the handshake keys, which tlsgate does not have, so which alert it is is inferred, not read: after the backend's certificate, by far the most common reason is that the client refused it (an untrusted issuer, a wrong name, an expired certificate)." +
				clientEndNotLab + clientEndNoBigIP + clientEndAlertSealed,
			checks: []string{clientEndCheckChain, clientEndCheckStore, clientEndCheckCert,
				"To read the alert itself, repeat with the client capped at TLS 1.2 (curl `--tls-max 1.2`, Go `MaxVersion: tls.VersionTLS12`): there it is sent in the clear and tlsgate logs its number."},
			clientSaw: clientEndSawCert,
		},
		CodeClientRejectedBackend + "/abandoned": {
			summary: "client {client} closed after the handshake flight of backend {backend} without answering it: likely it refused the backend's certificate; {relayed_by} relayed it",
			cause: clientEndIntro + "the backend sent its flight ({down_bytes}, more than a ServerHello, so its certificate was on the way), and the client sent nothing after its ClientHello and closed. " +
				"A completed handshake always has the client's Finished after its hello, so this one did not complete. With no alert there is nothing to read the reason from; " +
				"likely the client refused the backend's certificate and closed without an alert (some clients do), less often it was stopped or gave up on its own. " +
				"Another order of events ends the same way, and the relay cannot tell the two apart: a client that meant to close right after its ClientHello, writing the hello and then shutting its sending side in a second call (`nc -N`, a script's shutdown(SHUT_WR)), can be descheduled between the two calls, and its FIN then leaves after the backend's flight has arrived. " +
				"Both are a FIN with no alert and no byte after the hello; only the FIN's timing differs, and on a busy machine it proves nothing. If the client is such a script or probe, it refused nothing: the certificate is not the question." +
				clientEndNotLab + clientEndNoBigIP + ".",
			checks:    []string{clientEndCheckChain, clientEndCheckStore, "Read the client's own error output: it names what it refused, if anything."},
			clientSaw: clientEndSawCert,
		},
		CodeClientClosedEarly + "/before_backend_flight": {group: groupNoError,
			summary: "client {client} closed the connection (FIN) right after its ClientHello, before tlsgate relayed the certificate of backend {backend}",
			cause: "{passes_tls}, and the client's handshake is with the backend {backend} itself. The relay read the client's FIN before it wrote the first byte of the backend's answer ({down_bytes}: its ServerHello and certificate) to the client: the client closed its side right after the ClientHello, without waiting for an answer. " +
				"It gave up or closed early; it cannot have refused the certificate, which it had not seen. " +
				"Typical: a scanner or TLS probe that sends a hello and shuts its side at once, a script that half-closes after writing (`nc -N`, shutdown(SHUT_WR) before reading), or a monitor that only checks that a hello is accepted. " +
				"tlsgate passed the FIN on and still relayed the backend's flight, which a half-closed client can read; the backend's handshake ended at the FIN. " +
				"A BIG-IP passthrough virtual server (no client-ssl or server-ssl profile) takes no part in the handshake either and logs no SSL error for it, so no BIG-IP line is shown.",
			checks: []string{
				"Find out what {client_ip} is: a scanner, a monitor, or a script that closes its sending side before reading the answer.",
				"If it is a script, let it read the server's answer before it closes; the backend's certificate and the client's trust store are not the question here.",
				"If it is a monitor, filter these entries, or make it an HTTPS monitor that completes the handshake.",
			},
			clientSaw: "Whatever it still read after its own FIN: a half-closed client may read the backend's ServerHello and certificate and then the close; one that closed its socket saw nothing.",
			evidence:  []string{"fin_before_flight", "client_end", "backend", "backend_endpoints", "sni", "versions_offered", "ja4"},
		},
	}
}

// clientEndKnowledgeJA is clientEndKnowledge in Japanese.
func clientEndKnowledgeJA() map[string]entry {
	intro := "{passes_tls}する。tlsgate は何も復号せず証明書も出さない。クライアントのハンドシェイクの相手はバックエンド {backend} 自身である。" +
		"バックエンドは ClientHello に応答したが、クライアントはハンドシェイクを完了せずに終わらせた。"
	notLab := "tlsgate は復号していないので、これは tlsgate のラボ CA ではなく、バックエンドの証明書チェーンとクライアントのトラストストアの問題である。"
	noBigIP := "BIG-IP のパススルー仮想サーバ（client-ssl も server-ssl プロファイルもないもの）もハンドシェイクに関わらず、これについて SSL エラーを記録しないので、BIG-IP の行は表示しない。"
	alertClear := "ssldump ではサーバのフライトの後にクライアントの `C>S Alert` として見える。"
	alertSealed := "ssldump ではサーバのフライトの後に、クライアントのアラートが暗号化された `C>S application_data` レコードとして見える。"
	chain := "tlsgate を通さずに、バックエンドが出すチェーンを見る: `openssl s_client -connect {backend}{servername_opt} -showcerts </dev/null` は各証明書のサブジェクトと発行者、`Verify return code` を表示する。`-CAfile <クライアントの CA バンドル>` を付けるとクライアントと同じ検証になる。"
	store := "クライアントのトラストストアまたは CA バンドルを確認する。バックエンドの証明書を発行した CA が入っている必要がある（curl の `--cacert`、Go の `tls.Config.RootCAs` または SSL_CERT_FILE、Java のトラストストア、ブラウザは OS のストア）。プライベート CA はそこに追加する。"
	cert := "バックエンドの証明書自体を確認する: クライアントが接続する名前（{sni}）が SAN にあるか、クライアントの時計で有効期間内か、中間証明書がリーフの後に送られているか。"
	return map[string]entry{
		CodeClientRejectedBackend: {
			summary: "クライアント {client} はバックエンド {backend} の応答の後、アラート {client_end_alert} でハンドシェイクを終えた。{relayed_by}はそれを中継した",
			cause: intro + "ClientHello の後の最初のレコードは平文のアラート {client_end_alert} なので、アラートは推測ではなく読み取ったものである。" +
				"クライアントはバックエンドの応答の何かを拒否した: ServerHello が選んだバージョンや暗号スイート（70、40、47）、または証明書。" + noBigIP + alertClear,
			checks: []string{
				"クライアント自身のエラー出力を読む。何を拒否したかが書かれている。",
				"tlsgate を通さずにバックエンドに直接聞く: `openssl s_client -connect {backend}{servername_opt} </dev/null` は選ばれたバージョンと暗号（`New, TLSv1.3, Cipher is …`）と証明書を表示する。",
				chain,
			},
			clientSaw: "クライアントはアラート {client_end_alert} を送った理由を自分で表示する。curl は 35 か 60 で終わる。",
		},
		CodeClientRejectedBackend + "/cert": {
			summary: "クライアント {client} はバックエンド {backend} の証明書をアラート {client_end_alert} で拒否した。{relayed_by}はその拒否を中継した",
			cause: intro + "ClientHello の後の最初のレコードは平文のアラート {client_end_alert} なので、アラートは推測ではなく読み取ったものである。クライアントはバックエンドの証明書を拒否した。{client_end_why}" +
				notLab + noBigIP + alertClear,
			checks:    []string{chain, store, cert},
			clientSaw: "{client_end_saw}",
		},
		CodeClientRejectedBackend + "/encrypted": {
			summary: "クライアント {client} はバックエンド {backend} との TLS 1.3 ハンドシェイクを暗号化されたアラートで終えた。バックエンドの証明書を拒否した可能性が高い。{relayed_by}はそれを中継した",
			cause: intro + "クライアントは ClientHello の後に 19 バイトの application_data レコードを 1 つだけ送り（送る場合は ChangeCipherSpec の後）、接続を閉じた。" +
				"19 バイトは暗号化された TLS 1.3 のアラート（アラート 2 バイト、内側のコンテントタイプ、16 バイトのタグ）の大きさで、完了したハンドシェイクなら代わりに 53 か 69 バイトの Finished を送る。" +
				"アラートは tlsgate が持たないハンドシェイク鍵で暗号化されているので、どのアラートかは読み取ったものではなく推測である。バックエンドの証明書の後なら、最も多い理由はクライアントがそれを拒否したこと（信頼しない発行者、名前の不一致、期限切れ）である。" +
				notLab + noBigIP + alertSealed,
			checks: []string{chain, store, cert,
				"アラート自体を読むには、クライアントを TLS 1.2 までに制限して繰り返す（curl の `--tls-max 1.2`、Go の `MaxVersion: tls.VersionTLS12`）。TLS 1.2 ではアラートは平文で送られ、tlsgate はその番号を記録する。"},
			clientSaw: "Go は `tls: failed to verify certificate: x509: certificate signed by unknown authority`（または `… is valid for X, not Y`、`… has expired or is not yet valid …`）、curl は `curl: (60) SSL certificate problem: unable to get local issuer certificate`、openssl s_client -verify_return_error は `verify error:num=20:unable to get local issuer certificate`、Chrome は NET::ERR_CERT_AUTHORITY_INVALID、Firefox は SEC_ERROR_UNKNOWN_ISSUER を表示する。",
		},
		CodeClientRejectedBackend + "/abandoned": {
			summary: "クライアント {client} はバックエンド {backend} のハンドシェイクフライトに応答せずに閉じた。バックエンドの証明書を拒否した可能性が高い。{relayed_by}はそれを中継した",
			cause: intro + "バックエンドはフライト（{down_bytes}、ServerHello より多く、証明書を含む）を送り、クライアントは ClientHello の後に何も送らずに閉じた。" +
				"完了したハンドシェイクには必ず ClientHello の後にクライアントの Finished があるので、このハンドシェイクは完了していない。アラートがないので理由は読み取れない。" +
				"おそらくクライアントがバックエンドの証明書を拒否してアラートなしで閉じた（そうするクライアントがある）。まれに、クライアント自身が中断したか諦めた。" +
				"別の順序の出来事でも同じ終わり方になり、中継からは両者を区別できない: ClientHello の直後に閉じるつもりのクライアントが、ClientHello の書き込みと送信側のシャットダウンを 2 回の呼び出しで行うと（`nc -N`、スクリプトの shutdown(SHUT_WR)）、その間にスケジューラで待たされることがあり、FIN はバックエンドのフライトが届いた後に出る。" +
				"どちらも ClientHello の後にアラートもバイトもない FIN で、違うのは FIN のタイミングだけで、負荷のあるマシンではそれは何の証拠にもならない。クライアントがそのようなスクリプトやプローブなら、何も拒否しておらず、証明書は問題ではない。" +
				notLab + noBigIP,
			checks:    []string{chain, store, "クライアント自身のエラー出力を読む。拒否したものがあれば書かれている。"},
			clientSaw: "Go は `tls: failed to verify certificate: x509: …`、curl は `curl: (60) SSL certificate problem: …`、Chrome は NET::ERR_CERT_AUTHORITY_INVALID などを表示する（クライアントが証明書を拒否した場合）。",
		},
		CodeClientClosedEarly + "/before_backend_flight": {
			summary: "クライアント {client} が ClientHello の直後、tlsgate がバックエンド {backend} の証明書を中継する前に接続を閉じた（FIN）",
			cause: "{passes_tls}し、クライアントのハンドシェイクの相手はバックエンド {backend} 自身である。中継はバックエンドの応答（{down_bytes}、ServerHello と証明書）の最初のバイトをクライアントに書き込む前に、クライアントの FIN を読んでいた。クライアントは ClientHello を送った直後に応答を待たず自分の側を閉じている。" +
				"あきらめたか早く閉じただけで、まだ見ていない証明書を拒否したのではない。" +
				"よくあるのは、ClientHello を送ってすぐ自分の側を閉じるスキャナーや TLS プローブ、書き込んだ後にハーフクローズするスクリプト（`nc -N`、読む前の shutdown(SHUT_WR)）、ClientHello が受け付けられるかだけを見るモニター。" +
				"tlsgate は FIN をバックエンドに渡し、それでもバックエンドのフライトを中継した（ハーフクローズしたクライアントは読める）。バックエンドのハンドシェイクは FIN で終わった。" +
				"BIG-IP のパススルー仮想サーバ（client-ssl も server-ssl プロファイルもないもの）もハンドシェイクに関わらず、これについて SSL エラーを記録しないので、BIG-IP の行は表示しない。",
			checks: []string{
				"{client_ip} が何者か（スキャナーか、モニターか、応答を読む前に送信側を閉じるスクリプトか）を調べる。",
				"スクリプトなら、閉じる前にサーバの応答を読ませる。バックエンドの証明書やクライアントのトラストストアはここでは問題ではない。",
				"モニターならこのログは除外するか、ハンドシェイクまで完了する HTTPS モニターに変える。",
			},
			clientSaw: "自分の FIN の後に読めたものだけ。ハーフクローズしたクライアントならバックエンドの ServerHello と証明書、続いて切断を読むことがあり、ソケットごと閉じたクライアントは何も見ていない。",
		},
	}
}

// clientEndWords is the per-alert text of a certificate refusal: why the
// client sends this alert ("why") and what it prints ("saw").
func clientEndWords(lang string, kind string, desc uint8) string {
	type words struct{ why, saw string }
	en := map[uint8]words{
		48: {"unknown_ca: the chain does not lead to a CA the client trusts (a private CA, a self-signed certificate, or an intermediate the backend does not send). OpenSSL-based clients (curl, Python, s_client with -verify_return_error) send 48 for these.",
			"curl prints `curl: (60) SSL certificate problem: unable to get local issuer certificate` (or `self-signed certificate`, `self-signed certificate in certificate chain`); openssl s_client -verify_return_error `verify error:num=20:unable to get local issuer certificate`; Chrome NET::ERR_CERT_AUTHORITY_INVALID, Firefox SEC_ERROR_UNKNOWN_ISSUER."},
		42: {"bad_certificate: Go clients send 42 for every certificate failure (unknown authority, expired, wrong name), so the alert alone does not say which; OpenSSL sends it for a not-yet-valid or weak-signature certificate.",
			"Go prints `tls: failed to verify certificate: x509: certificate signed by unknown authority` (or `… has expired or is not yet valid …`, `… is valid for X, not Y`); curl `curl: (60) SSL certificate problem: certificate is not yet valid`."},
		45: {"certificate_expired: the leaf or a chain certificate is past notAfter by the client's clock.",
			"curl prints `curl: (60) SSL certificate problem: certificate has expired`; openssl s_client `verify error:num=10:certificate has expired`; Chrome NET::ERR_CERT_DATE_INVALID, Firefox SEC_ERROR_EXPIRED_CERTIFICATE."},
		46: {"certificate_unknown: the generic refusal; Java clients send 46 for most certificate failures (an untrusted issuer, a wrong name), and always under TLS 1.3.",
			"Java prints `PKIX path building failed: … unable to find valid certification path to requested target` or `No subject alternative DNS name matching … found.`"},
		43: {"unsupported_certificate: the certificate is not usable for a server (no serverAuth extended key usage) or the chain is served in the wrong order.",
			"curl prints `curl: (60) SSL certificate problem: unsuitable certificate purpose`."},
		44: {"certificate_revoked: the client holds a CRL or OCSP answer that revokes the certificate.",
			"The client names the revocation in its error (curl `(91)` with --cert-status)."},
	}
	ja := map[uint8]words{
		48: {"unknown_ca: チェーンがクライアントの信頼する CA にたどり着かない（プライベート CA、自己署名証明書、バックエンドが送らない中間証明書）。OpenSSL 系のクライアント（curl、Python、-verify_return_error 付きの s_client）はこれらに 48 を送る。",
			"curl は `curl: (60) SSL certificate problem: unable to get local issuer certificate`（または `self-signed certificate`）、openssl s_client -verify_return_error は `verify error:num=20:unable to get local issuer certificate`、Chrome は NET::ERR_CERT_AUTHORITY_INVALID、Firefox は SEC_ERROR_UNKNOWN_ISSUER を表示する。"},
		42: {"bad_certificate: Go のクライアントは証明書の失敗すべて（不明な発行者、期限切れ、名前の不一致）に 42 を送るので、アラートだけではどれかわからない。OpenSSL はまだ有効でない証明書や弱い署名に送る。",
			"Go は `tls: failed to verify certificate: x509: certificate signed by unknown authority`（または `… has expired or is not yet valid …`、`… is valid for X, not Y`）を表示する。"},
		45: {"certificate_expired: クライアントの時計でリーフかチェーンの証明書が notAfter を過ぎている。",
			"curl は `curl: (60) SSL certificate problem: certificate has expired`、Chrome は NET::ERR_CERT_DATE_INVALID を表示する。"},
		46: {"certificate_unknown: 一般的な拒否。Java のクライアントは証明書の失敗の多くに 46 を送り、TLS 1.3 では常にそうする。",
			"Java は `PKIX path building failed: … unable to find valid certification path to requested target` などを表示する。"},
		43: {"unsupported_certificate: 証明書がサーバ用に使えない（serverAuth の拡張鍵用途がない）か、チェーンの順序が逆である。",
			"curl は `curl: (60) SSL certificate problem: unsuitable certificate purpose` を表示する。"},
		44: {"certificate_revoked: クライアントが証明書を失効とする CRL か OCSP 応答を持っている。",
			"クライアントはエラーで失効を示す。"},
	}
	table := en
	if normLang(lang) == LangJA {
		table = ja
	}
	w := table[desc]
	if kind == "why" {
		return w.why
	}
	return w.saw
}
