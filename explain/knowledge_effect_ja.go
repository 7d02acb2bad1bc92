package explain

// effectKnowledgeJA is effectKnowledge in Japanese.
func effectKnowledgeJA() map[string]entry {
	const fixRule = "ハンドシェイクを元に戻すには: `tlsgate fault disable{admin_opt} {effect_rule}`。"
	const fixStaple = "ステープルをやめるには: `tlsgate fault disable{admin_opt} {effect_rule}`。tlsgate は自前のステープルをしないので、curl --cert-status は代わりに `curl: (91) No OCSP response received` で失敗し、--cert-status なしの curl はつながる。"
	chainCheck := "返したものを確認する: `openssl s_client -connect {virtual}{sni_flag} -CAfile {lab_ca}{verify_name_opt} -showcerts </dev/null` は、ラボ CA を信頼したうえで、このチェーンに verify error {chain_verify} を出す。クライアントがラボ CA を信頼していてもいなくても、ルール {effect_rule} の想定どおりの結果である。{chain_look}"
	clockCheck := "クライアントの時計と証明書の日付を比べる: クライアントで `date -u`、そして `openssl s_client -connect {virtual}{sni_flag} </dev/null | openssl x509 -noout -dates`。実際のケースでは、直すのは証明書ではなくクライアントの時計（NTP）。"
	clockOthers := "ほかのクライアントはつながるのに一部だけが「{clock_state}」と言うなら、まずそのクライアントの時計を疑う。"
	// The probe's step 7 names the same staple by its own code.
	const ocspProbe = "クライアント側からは、`tlsgate probe {virtual} --sni {sni_or_host} --cacert {lab_ca} --steps 7`（チェーンが検証に通るよう、ラボ CA を渡す）がステップ 7 で同じステープルをコード `{ocsp_probe_code}` の警告として示す（コードは `--json` の出力に出る）。"
	ocspCheck := "ステープルを確認する: `openssl s_client -connect {virtual}{sni_flag} -CAfile {lab_ca} -status </dev/null` は tlsgate がステープルした OCSP レスポンス（`Cert Status:` …、`This Update` と `Next Update`）を表示する。署名はラボ CA で、ルール {effect_rule} の想定どおりの結果である。チェーン自体は検証に通る。" + ocspProbe
	verboseCheck := "クライアントを詳細表示で動かす（`curl -v --cacert {lab_ca} {curl_target}`）。ハンドシェイクの行の後に、クライアント自身の理由が出る。"
	verboseOCSPCheck := "ステープルを要求してクライアントを詳細表示で動かす（`curl -v --cert-status --cacert {lab_ca} {curl_target}`）。ハンドシェイクの行の後に、クライアント自身の理由が出る。"
	const (
		chainSilentSummary = "クライアント {client} は{silent_end}。フォールトルール {effect_rule} が返した証明書（chain = \"{chain_name}\"）を拒否した"
		clockSilentSummary = "クライアント {client} は{silent_end}。フォールトルール {effect_rule} が日付を {skew} ずらして返した証明書（クライアントには{clock_state}）を拒否した"
		chainSilentSaw     = "このチェーンに対して（client-symptoms.md §4）curl は {chain_curl} を表示する。ルール {effect_rule} がクライアントに想定する症状: {effect_symptom}"
		silentDoneCause    = "TLS ハンドシェイクは完了したが、クライアントはアプリケーションデータを 1 バイトも送らずに接続を閉じた（close_notify かただの FIN で、アラートはなし）。ハンドシェイクの後で証明書を確かめるクライアントは、こうやって拒否する。curl（OpenSSL）はホスト名をハンドシェイクが終わってから照合し、合わなければ切断する。（ハンドシェイクだけを試すクライアント、たとえば `openssl s_client </dev/null` や TLS の監視も、証明書を判断せずに同じように閉じる。）"
		ocspMaybe          = "ステープルを確かめるクライアントがそれを拒否したのと合う（例: curl --cert-status (91)）が、ハンドシェイクだけを試すクライアント（openssl s_client -status </dev/null、監視）も同じように去る"
		ocspSummary        = "クライアント {client} は{silent_end}。フォールトルール {effect_rule} は OCSP レスポンス（chain = \"{chain_name}\"）をステープルしていた。" + ocspMaybe
		ocspFlightMaybe    = "ステープルが理由かどうかはわからない。ステープルを確かめるクライアントは、ハンドシェイク中ならアラートを送って拒否し、curl --cert-status (91) のようにハンドシェイクを終えてから拒否するものもある"
		ocspFlightSummary  = "クライアント {client} は{silent_end}。フォールトルール {effect_rule} は OCSP レスポンス（chain = \"{chain_name}\"）をステープルしていた。" + ocspFlightMaybe
		ocspDoneCause      = "TLS ハンドシェイクは完了したが、クライアントはアプリケーションデータを 1 バイトも送らずに接続を閉じた（close_notify かただの FIN で、アラートはなし）。これはステープルを確かめるクライアントと合う: curl --cert-status はステープルされた OCSP レスポンスをハンドシェイクが終わってから確かめ、受け入れられなければこうして切断する (91)。ただし証拠ではない: ハンドシェイクだけを試すクライアント（`openssl s_client -status </dev/null`、TLS の監視）もステープルを受け入れたうえで同じように閉じるので、ステープルが理由かどうかはわからない。どちらかはクライアント自身の出力でわかる。"
		ocspFlightCause    = "tlsgate は OCSP レスポンスをステープルした証明書を含むハンドシェイクフライトを送っていたが、クライアントはハンドシェイクを終える前に TLS アラートを送らずに切断した。ステープルを確かめるクライアントとして知られているものは、このようには拒否しない: OpenSSL や Go のハンドシェイク中の検査はアラートを送り（Go は 42 bad_certificate）、curl --cert-status はハンドシェイクを終えてから確かめる。したがってステープルが理由かどうかはわからない。あきらめた、落ちた、あるいは ClientHello と FIN を送って応答を読まなかったクライアントも同じように終わる。"
		ocspSaw            = "curl は {chain_curl}。ルール {effect_rule} がクライアントに想定する症状: {effect_symptom}"
		ocspMade           = "証明書そのものは正しい: フォールトルール {effect_rule} はラボ CA のリーフに、ラボ CA が署名した OCSP レスポンスをステープルして返した。その内容は「{ocsp_state}」。これを拒否するのは、ステープルを要求して確かめるクライアント（curl --cert-status）だけで、失効を確かめないクライアント（Go、--cert-status なしの curl、プライベート CA に対するブラウザ）は同じサーバにつながる。一部のクライアントだけが失敗してほかはつながる、というのが失効した証明書の見え方である。{replaced_note}"
		silentFlightCause  = "tlsgate は証明書を含むハンドシェイクフライトを送っていたが、クライアントはハンドシェイクを終える前に TLS アラートを送らずに切断した。理由を言わずに証明書を拒否するクライアント（鍵をピン留めしたアプリ、発行元を信頼しない一部のスタック）はこうする。"
		clockMade          = "そうさせたのはフォールトルール {effect_rule} で、ラボ CA の正しい証明書を、有効期間を {skew} ずらして発行した。これは時計が {skew} {clock_dir}クライアントが見るものとバイト単位で同じで、そのクライアントには証明書が{clock_state}に見える。実際のケースでは証明書に問題はなく、直すべきはクライアントの時計。{replaced_note}"
	)
	ocspClockCheck := "ステープルの時刻と時計を比べる: `openssl s_client -connect {virtual}{sni_flag} -CAfile {lab_ca} -status </dev/null` はステープルされたレスポンスの `This Update` と `Next Update` を表示し、`date -u` はクライアントの時刻を表示する。This Update が未来、または Next Update が過去にあり、その差が OpenSSL の猶予 5 分を超えていれば、それがクライアントの拒否した理由で、ルール {effect_rule} の想定どおりの結果である。実際のケースでは、証明書ではなく OCSP レスポンダとステープルするサーバの時計（NTP）を確かめる。" + ocspProbe
	const (
		ocspClockSummary       = "クライアント {client} は{silent_end}。フォールトルール {effect_rule} は OCSP レスポンス（{ocsp_clock}）をステープルしていた。" + ocspMaybe
		ocspClockFlightSummary = "クライアント {client} は{silent_end}。フォールトルール {effect_rule} は OCSP レスポンス（{ocsp_clock}）をステープルしていた。" + ocspFlightMaybe
		ocspClockSaw           = "`--cert-status` を付けた curl は、ずれの向きにかかわらず `curl: (91) OCSP response has expired` を表示する（付けなければつながる）。ルール {effect_rule} がクライアントに想定する症状: {effect_symptom}"
		ocspClockMade          = "証明書も、その状態も正しい: フォールトルール {effect_rule} はラボ CA のリーフに、ラボ CA が署名した「good」の OCSP レスポンスをステープルして返したが、その時刻は {ocsp_clock} で、{ocsp_clock_real}が出したものと同じである。ステープルを確かめるクライアント（curl --cert-status）は自分の時計で有効でないレスポンスを拒否し、失効を確かめないクライアント（Go、--cert-status なしの curl、プライベート CA に対するブラウザ）は同じサーバにつながる。{replaced_note}"
	)
	return map[string]entry{
		CodeClientAlert + "/ocsp_clock_fault": {
			cause:     "クライアントは tlsgate がステープルした OCSP レスポンスを読んだ後、アラート {alert} で証明書を拒否した（ステープルを VerifyConnection で確かめる Go クライアントは 42 bad_certificate を送る）。" + ocspClockMade,
			checks:    []string{ocspClockCheck, fixStaple},
			clientSaw: ocspClockSaw,
		},
		CodeHandshakeFailed + "/ocsp_clock_fault": {
			cause:     "Go は `bad record MAC` を報告した。OpenSSL のクライアントが TLS 1.3 でハンドシェイクを拒否し、そのアラートを暗号化せずに送ったため、Go はそれを読めなかった（client-symptoms.md §8.4）。" + ocspClockMade,
			checks:    []string{ocspClockCheck, "クライアントを TLS 1.2 までに制限する（`curl --tls-max 1.2`）と、本当のアラートが tlsgate のログに出る。", fixStaple},
			clientSaw: ocspClockSaw,
		},
		CodeClientRejectedSilently + "/ocsp_clock_fault": {
			summary:   ocspClockSummary,
			cause:     ocspDoneCause + ocspClockMade + "BIG-IP 側のハンドシェイクは成功しているので、BIG-IP は SSL エラーを記録しない。",
			checks:    []string{ocspClockCheck, verboseOCSPCheck, fixStaple},
			clientSaw: ocspClockSaw,
		},
		CodeClientRejectedSilently + "/ocsp_clock_fault_flight": {
			summary:   ocspClockFlightSummary,
			cause:     ocspFlightCause + ocspClockMade,
			checks:    []string{ocspClockCheck, verboseOCSPCheck, fixStaple},
			clientSaw: ocspClockSaw,
		},
		CodeClientRejectedSilently + "/chain_fault": {
			summary:   chainSilentSummary,
			cause:     silentDoneCause + "証明書はわざと不正にしたもの: フォールトルール {effect_rule} が {chain_instead} chain = \"{chain_name}\" を返し、OpenSSL のクライアントはこれを verify error {chain_verify} と報告する。問題はクライアントのトラストストアではない。ラボ CA を信頼させてもこのチェーンは有効にならない。BIG-IP 側のハンドシェイクは成功しているので、BIG-IP は SSL エラーを記録しない。",
			checks:    []string{chainCheck, verboseCheck, fixRule},
			clientSaw: chainSilentSaw,
		},
		CodeClientRejectedSilently + "/clock_fault": {
			summary:   clockSilentSummary,
			cause:     silentDoneCause + clockMade + "BIG-IP 側のハンドシェイクは成功しているので、BIG-IP は SSL エラーを記録しない。",
			checks:    []string{clockCheck, clockOthers, verboseCheck, fixRule},
			clientSaw: "{clock_saw}",
		},
		CodeClientRejectedSilently + "/chain_fault_flight": {
			summary:   chainSilentSummary,
			cause:     silentFlightCause + "証明書はわざと不正にしたもの: フォールトルール {effect_rule} が {chain_instead} chain = \"{chain_name}\" を返し、OpenSSL のクライアントはこれを verify error {chain_verify} と報告する。問題はクライアントのトラストストアではない。ラボ CA を信頼させてもこのチェーンは有効にならない。",
			checks:    []string{chainCheck, verboseCheck, fixRule},
			clientSaw: chainSilentSaw,
		},
		CodeClientRejectedSilently + "/clock_fault_flight": {
			summary:   clockSilentSummary,
			cause:     silentFlightCause + clockMade,
			checks:    []string{clockCheck, clockOthers, verboseCheck, fixRule},
			clientSaw: "{clock_saw}",
		},
		CodeClientAlert + "/chain_fault": {
			cause:  "クライアントはアラート {alert} で証明書を拒否した。これはフォールトルール {effect_rule} が狙ったとおりの結果で、{chain_instead}、わざと不正なチェーン（chain = \"{chain_name}\"）を返した。OpenSSL のクライアントはこれを verify error {chain_verify} と報告する。問題はクライアントのトラストストアではない。ラボ CA を信頼させてもこのチェーンは有効にならず、クライアントに何かを足せば練習中のフォールトが見えなくなる。",
			checks: []string{chainCheck, fixRule},
		},
		CodeClientAlert + "/revocation_fault": {
			cause:     "クライアントは tlsgate がステープルした OCSP レスポンスを読んだ後、アラート {alert} で証明書を拒否した。" + ocspMade,
			checks:    []string{ocspCheck, fixStaple},
			clientSaw: ocspSaw,
		},
		CodeHandshakeFailed + "/revocation_fault": {
			cause:     "Go は `bad record MAC` を報告した。OpenSSL のクライアントが TLS 1.3 でハンドシェイクを拒否し、そのアラートを暗号化せずに送ったため、Go はそれを読めなかった（client-symptoms.md §8.4）。" + ocspMade,
			checks:    []string{ocspCheck, "クライアントを TLS 1.2 までに制限する（`curl --tls-max 1.2`）と、本当のアラートが tlsgate のログに出る。", fixStaple},
			clientSaw: ocspSaw,
		},
		CodeClientRejectedSilently + "/revocation_fault": {
			summary:   ocspSummary,
			cause:     ocspDoneCause + ocspMade + "BIG-IP 側のハンドシェイクは成功しているので、BIG-IP は SSL エラーを記録しない。",
			checks:    []string{ocspCheck, verboseOCSPCheck, fixStaple},
			clientSaw: ocspSaw,
		},
		CodeClientRejectedSilently + "/revocation_fault_flight": {
			summary:   ocspFlightSummary,
			cause:     ocspFlightCause + ocspMade,
			checks:    []string{ocspCheck, verboseOCSPCheck, fixStaple},
			clientSaw: ocspSaw,
		},
		CodeClientAlert + "/clock_fault": {
			cause:     "クライアントは証明書を{clock_state}として拒否した（アラート {alert}）。そうさせたのはフォールトルール {effect_rule} で、ラボ CA の正しい証明書を、有効期間を {skew} ずらして発行した。これは時計が {skew} {clock_dir}クライアントが見るものとバイト単位で同じである。実際のケースでは証明書に問題はなく、直すべきはクライアントの時計。{replaced_note}",
			checks:    []string{clockCheck, clockOthers, fixRule},
			clientSaw: "{clock_saw}",
		},
		CodeHandshakeFailed + "/chain_fault": {
			cause:  "Go は `bad record MAC` を報告した。OpenSSL のクライアント（curl、Python）が TLS 1.3 で証明書を拒否し、そのアラートを暗号化せずに送ったため、Go はそれを読めなかった（client-symptoms.md §8.4）。証明書はわざと不正にしてあった: フォールトルール {effect_rule} が chain = \"{chain_name}\" を返し、OpenSSL はこれを verify error {chain_verify} と報告する。ラボ CA を信頼させても結果は変わらない。",
			checks: []string{chainCheck, "クライアントを TLS 1.2 までに制限する（`curl --tls-max 1.2`）と、本当のアラートが tlsgate のログに出る。", fixRule},
		},
		CodeHandshakeFailed + "/clock_fault": {
			cause:     "Go は `bad record MAC` を報告した。OpenSSL のクライアント（curl、Python）が TLS 1.3 で証明書を拒否し、そのアラートを暗号化せずに送った（client-symptoms.md §8.4）。フォールトルール {effect_rule} が証明書の有効期間を {skew} ずらしたので、クライアントには{clock_state}に見える。時計が {skew} {clock_dir}クライアントが見るものと同じで、実際のケースで直すべきはクライアントの時計。{replaced_note}",
			checks:    []string{clockCheck, clockOthers, fixRule},
			clientSaw: "{clock_saw}",
		},
		CodeClientClosedEarly + "/flight_cut": {
			summary: "フォールトルール {effect_rule} が {client} への tlsgate のハンドシェイクフライトを途中で切り、ハンドシェイクが終わる前に接続が閉じた",
			cause:   "クライアントのせいではない: フォールトルール {effect_rule}（{effect_action}、{effect_stage}）が tlsgate のハンドシェイクフライト（ServerHello、証明書）の一部だけをクライアントに届け、その後クライアント向きの接続を終わらせた。クライアントは途中で切れたフライトとストリームの終わりを読んだ。tlsgate が見た切断は、tlsgate 自身の切断への応答である。" + flightBigIPJA,
			checks: []string{
				"{client_ip} を調べる必要はない。ルール {effect_rule} の想定どおりの結果である。" + fixRule,
				"実際のネットワークでフライトが途中で切れるなら、サーバとクライアントの間の中継機器を疑う。その両側でキャプチャして、証明書フライトのバイト列を比べる。",
			},
		},
		CodeClientResetEarly + "/flight_cut": {
			summary: "フォールトルール {effect_rule} が {client} への tlsgate のハンドシェイクフライトを途中で切り、接続をリセットした",
			cause:   "クライアントのせいではない: フォールトルール {effect_rule}（{effect_action}、{effect_stage}）が tlsgate のハンドシェイクフライト（ServerHello、証明書）の一部だけをクライアントに届け、その後自分で接続をリセット（RST）した。" + flightBigIPJA,
			checks: []string{
				"{client_ip} を調べる必要はない。ルール {effect_rule} の想定どおりの結果である。" + fixRule,
				"実際のネットワークでフライトがリセットで切れるなら、サーバとクライアントの間のファイアウォールや IPS を疑う。両側でキャプチャして、RST を送ったアドレスを確かめる。",
			},
		},
		CodeClientClosedEarly + "/flight_stalled": {
			summary: "クライアント {client} は tlsgate のハンドシェイクフライトを待ちきれずに閉じた。フライトはフォールトルール {effect_rule} が止めていた",
			cause:   "フォールトルール {effect_rule}（{effect_action}、{effect_stage}）が tlsgate のハンドシェイクフライト（ServerHello、証明書）をクライアントに届かないようにしたので、クライアントは待ち続け、自分のタイムアウトで接続を閉じた。監視やスキャナではなく、ClientHello への応答を一度も受け取れなかったクライアントである。" + flightBigIPJA,
			checks: []string{
				"実際のネットワークなら: クライアントと {virtual} の間で、片方向だけを捨てるファイアウォールやステートフルな機器（非対称ルーティング、状態の喪失）を確認する。",
				fixRule,
			},
		},
		CodeClientClosedEarly + "/flight_mtu": {
			summary: "クライアント {client} は tlsgate の証明書フライトを待ちきれずに閉じた。フライトは PMTUD ブラックホールで失われた（フォールトルール {effect_rule}）",
			cause:   "フォールトルール {effect_rule} は PMTUD ブラックホールを再現した: tlsgate のハンドシェイクフライト（証明書）のうちフルサイズのセグメントだけが消え、小さなパケットは通ったので、クライアントは証明書を待ち続け、自分のタイムアウトで閉じた。" + flightBigIPJA,
			checks: []string{
				"クライアントからパス MTU を確かめる: `ping -M do -s 1472 {virtual_host}` が通るはず。小さいサイズしか通らないなら、トンネルで TCP MSS をクランプするか、ICMP タイプ 3 コード 4 を通す。",
				"ほかの兆候: 小さな応答は届く。長い RSA のチェーンは失敗し、短い ECDSA のチェーンは通る。`curl -v --max-time 10 --cacert {lab_ca} {curl_target}` が `Client hello (1)` の後で止まり、`curl: (28)` で諦める。",
				fixRule,
			},
		},
	}
}

// flightBigIPJA is flightBigIP (knowledge_effect.go), which says why BIG-IP
// logs a lone 01260013 for a flight a device in the path damaged.
const flightBigIPJA = "BIG-IP 自身は失敗していないが、01260009 の理由の行はなく 01260013 のサマリだけを記録する: BIG-IP はフライトをすべて送ったあと、クライアントの（または途中の装置の）FIN や RST を受けるか、プロファイルの handshake-timeout（既定 10 秒）が切れて、自分の側のハンドシェイクが完了しないまま終わるからである。"
