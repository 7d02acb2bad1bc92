package explain

// The Japanese small words: placeholder values, evidence values that are
// prose, warnings and the fault sentences. Written the way a Japanese
// network engineer writes a runbook (plain style, katakana terms such as
// ハンドシェイク and 仮想サーバ), with command lines, code names, alert
// names and BIG-IP lines left as they are. Keys and placeholders match the
// English tables; a test holds them together.

// phrasesJA mirrors phrasesEN.
func phrasesJA() map[string]string {
	return map[string]string{
		"list_sep":              "、",
		"none":                  "（なし）",
		"none_bare":             "なし",
		"unknown":               "（不明）",
		"name_on_cert":          "<証明書に載っているホスト名>",
		"key_origin_minted":     "（ラボ CA から発行する証明書は ECDSA P-256）",
		"key_origin_configured": "（リスナー {listener} は設定した証明書（client_ssl cert）の {subject} を返しており、その鍵は {key}）",
		"peek_timeout":          "先頭バイト待ちのタイムアウト時間",
		"draw_part":             "、draw {draw}",
		"down_plain":            "復号後のデータで {n}",
		"down_wire":             "{n}",
		"then_fin":              "FIN（ストリームが早く終わった）",
		"then_rst":              "リセット（RST）",
		"then_hold":             "何も来ず、残りを自分のタイムアウトまで待った",
		"not_recorded_par":      "（記録なし）",
		"version_range":         "{from}〜{to}",
		"offered_sslv2":         "SSLv2 形式の ClientHello（最大 {max}）",
		"offered_legacy":        "{max} 以下（legacy_version のみで supported_versions 拡張なし）",

		"kind_http":         "平文の HTTP リクエスト（{request}{host}）",
		"kind_http_host":    "、Host {host}",
		"kind_http_bare":    "平文の HTTP リクエスト",
		"kind_h2":           "平文 HTTP/2 のコネクションプリフェイス（h2c の prior knowledge）",
		"kind_ssh":          "SSH クライアントのバナー",
		"kind_proxy1":       "PROXY プロトコル v1 ヘッダ",
		"kind_proxy2":       "PROXY プロトコル v2 ヘッダ",
		"kind_tls":          "TLS のハンドシェイクレコード",
		"kind_sslv2":        "SSLv2 形式の ClientHello",
		"kind_tls_other":    "ハンドシェイク以外の TLS レコード",
		"kind_tls_after":    "warning アラートのレコード {n} 個の後に続く TLS ハンドシェイク",
		"kind_empty":        "0 バイト（何も届いていない）",
		"kind_unknown":      "tlsgate が判別できないプロトコルのバイト列",
		"kind_undecided":    "どのプロトコルの先頭か判別できないほど短いバイト列",
		"kind_tls_prefix":   "TLS レコードヘッダの先頭（TLS 以外にこう始まるものはない）",
		"kind_tls_byte":     "TLS ハンドシェイクレコードの先頭バイト（0x16。平文のプロトコルはこれで始まらない）",
		"kind_sslv2_prefix": "SSLv2 形式の ClientHello のヘッダ（msg_type 1）",

		"hello_seen_header":       "TLS レコードヘッダの先頭 {n}",
		"hello_seen_body":         "{n} バイト（TLS レコードヘッダと、それが予告した {len} バイトのうち {body} バイト）",
		"hello_seen_records":      "TLS レコード {n} バイト（ClientHello はまだ途中）",
		"hello_seen_byte":         "1 バイト（TLS ハンドシェイクレコードのコンテントタイプ 0x16）",
		"hello_seen_sslv2_header": "SSLv2 レコードヘッダの先頭 {n} バイト（{len} バイトの ClientHello を予告、msg_type 1）",
		"hello_seen_sslv2_body":   "SSLv2 形式の ClientHello の {n} バイト（レコードヘッダが予告した {len} バイトのうち {body} バイト）",
		"tls_began":               "こう始まるのは TLS だけだが",
		"tls_began_byte":          "0x16 の 1 バイトで始まるのは、ほぼ必ず TLS のハンドシェイクレコードだが",
		"tls_began_sslv2":         "msg_type 1 の SSLv2 レコードヘッダで始まるのは SSLv2 形式の ClientHello（古いクライアントが TLS も併せて提示する形式）だが",
		"hint_ssh":                "SSH の場合は、`ssh -p` やポートフォワードで指定したポート番号を間違えて、この TLS サービスに向けている。",
		"hint_h2":                 "平文 HTTP/2 の場合は、prior knowledge で接続するクライアント（`curl --http2-prior-knowledge http://…`）か、TLS なしの gRPC クライアント。",
		"hint_proxy":              "PROXY ヘッダの場合は、ロードバランサが PROXY プロトコルを付けているのに、リスナー側がそれを想定していない。",

		"tls_offered": "{versions} を提示 alpn={alpn}（終端せず）",
		"tls_unread":  "{what}（終端せず）",

		"hello_alert_warning": "。ただし警告レベルで、その後に接続が閉じた。多くのクライアントは ServerHello の前に来た警告アラートを読み飛ばし、代わりに切断を報告する。Java はハンドシェイク専用のアラートなら警告でも拒否する",
		"our_cert_configured": "設定した証明書（client_ssl cert）、subject={subject} issuer={issuer}",
		"tls_plain":           "平文 {kind}",
		"proxied":             " クライアント {client}、経由 {peer}（PROXY v{v}）",
		"tls_noread":          "{kind}、ClientHello は読めず（終端せず）",

		"at_version":            "（{version} の場合）",
		"peek_spoke":            "送信あり",
		"peek_silent":           "無言",
		"peek_closed":           "切断（FIN）",
		"peek_reset":            "リセット（RST）",
		"peek_partial":          "途中まで送信した後に無言",
		"peek_other":            "ピーク終了 {n}",
		"peek_after":            "、受信 {n}",
		"peek_timeout_n":        "（先頭バイト待ちのタイムアウト {timeout}）",
		"handshake_timeout_n":   "（ハンドシェイクのタイムアウト {timeout}）",
		"handshake_timeout_of":  "{timeout}（ハンドシェイクのタイムアウト）",
		"idle_cut":              "{idle} のあいだどちら向きにも無通信のため両側をリセット。{took} で上り {up} B、下り {down} B",
		"relay_reset_by":        "{took} で上り {up} B、下り {down} B の後に{side}がリセット。tlsgate はもう一方をリセットした",
		"side_client":           "クライアント",
		"side_backend":          "バックエンド",
		"skipped_alert":         "オフセット {at} の warning アラート {alert}",
		"relayed_by_pass":       "パススルー",
		"relayed_by_bypass":     "バイパス",
		"n_bytes":               "{n} バイト",
		"one_byte":              "1 バイト",
		"passes_tls":            "リスナー {listener} は TLS をパススルー",
		"passes_tls_bypass":     "リスナー {listener} はこの接続の TLS を読まずにパススルー（バイパス: {bypass}）",
		"stall_end_idle":        "tlsgate の idle_timeout（{idle}）が両側をリセットした",
		"stall_end_reset":       "{side}がリセットした",
		"stall_end_alert":       "バックエンドがアラート {alert} を返して接続が閉じた",
		"stall_end_answer":      "バックエンドが {down} バイト返して接続が閉じた",
		"proxy_not_ssl":         "client-ssl プロファイルがあり PROXY プロトコルを扱わない BIG-IP の仮想サーバは、このヘッダを TLS の先頭バイトとして読む。ハンドシェイクのレコードではないので、同じポートへの平文 HTTP と同じく `not SSL` を記録する（上の行）。",
		"listener_at_proxy":     "{own}。クライアントの接続先は PROXY ヘッダによるとロードバランサの VIP {vip}",
		"listener_at_orig":      "{own}。クライアントの元の宛先は {vip}",
		"vip_which_proxy":       "（クライアントの接続先。PROXY ヘッダにあるロードバランサの VIP {vip}。リスナー {listener} 自体は {own}）",
		"vip_which_orig":        "（クライアントの元の宛先 {vip}。リスナー {listener} 自体は {own}）",
		"stall_end_client_fin":  "クライアントが {after} 後に自分の側を閉じ（FIN）、その後バックエンドが{then}",
		"stall_end_backend_fin": "バックエンドが {after} 後に先に閉じ（FIN。自身のハンドシェイクタイムアウトか、途中までの ClientHello をあきらめた）、その後クライアントが閉じた",
		"stall_then_alert":      "アラート {alert} を返して閉じた",
		"stall_then_answer":     "{down} バイト返して閉じた",
		"stall_then_closed":     "閉じた",
		"stall_then_reset":      "リセットした",
		"bigip_plain_mode_ssl":  "BIG-IP では仮想サーバから client-ssl プロファイルを外す",
		"bigip_plain_mode_pass": "SSL プロファイルのない BIG-IP の仮想サーバは平文も届いたまま転送する。tlsgate のパススルーリスナーは non_ssl の動作で拒否する",
		"bigip_allow_ssl":       "BIG-IP では Non-SSL Connections を有効化",
		"bigip_allow_pass":      "plain_backend も設定する。BIG-IP の Non-SSL Connections は client-ssl プロファイルの設定で、パススルーの仮想サーバにはない",
		"bigip_silent_ssl":      "client-ssl プロファイルのある仮想サーバなら、BIG-IP はこれをハンドシェイクタイムアウトで終わらせる。",
		"bigip_silent_pass":     "client-ssl プロファイルのない BIG-IP の仮想サーバにはハンドシェイクのタイマーがなく、TCP のアイドルタイムアウトまでこうした接続を保つ。tlsgate のパススルーリスナーは peek_timeout（{peek_timeout}）で閉じる。",
		"stall_why_split":       "TCP セグメント 1 つに収まらない ClientHello（ポスト量子のものは約 1.6 KB。Go 1.24 以降、Chrome 124 以降）は 2 つに分かれて届く。2 つ目のセグメントを捨てる中継装置や経路 MTU のブラックホールがあると、ちょうどこうなる。",
		"stall_why_short":       "{n}はどの経路でも TCP セグメント 1 つに収まるので、2 つ目のセグメントの欠落や MTU ブラックホールでは説明できない。クライアント自身が最初のメッセージの途中で送るのをやめている（止まった、または非常に遅いクライアント、テストツールやスキャナー、接続を占有する slow-loris 型のクライアント）。",
		"stall_check_mtu":       "クライアントから経路 MTU を確認する: `ping -M do -s 1472 {virtual_host}` が通るはず。",
		"stall_check_short":     "{client_ip} が何者か（スキャナー、ヘルスチェック、負荷ツール）と、残りを送ることがあるかを調べる: `tcpdump -ni any host {client_ip} and port {vport}`。",
		"stall_end_closed":      "切断（FIN）された（バックエンド自身のハンドシェイクタイムアウトか、クライアントがあきらめた）",
		"key_shares_none":       "なし（key_share が空）",
		"knob_max_rule":         "フォールトルール {rule} の max_version",
		"knob_max_listener":     "リスナー {listener} の max_version",
		"late_fin": "別の順序の出来事でも同じ終わり方になり、tlsgate のソケットからは両者を区別できない: ClientHello の直後に閉じるつもりのクライアントが、ClientHello の書き込みと送信側のシャットダウンを 2 回の呼び出しで行うと（`nc -N`、スクリプトの shutdown(SHUT_WR)）、その間にスケジューラで待たされることがあり、FIN は tlsgate のフライトが届いた後に出る。" +
			"どちらも tlsgate にはフライトの後にアラートもバイトもない FIN として届き、違うのは FIN のタイミングだけで、負荷のあるマシンではそれは何の証拠にもならない。クライアントがそのようなスクリプトやプローブなら、何も拒否しておらず早く閉じただけ（client_closed_early）で、証明書は問題ではない。",
		"fin_before_flight":         "tlsgate がハンドシェイクフライトを書き込んだ時点で既に届いていた（ソケットは CLOSE_WAIT）",
		"fin_before_backend_flight": "中継がバックエンドの応答の最初のバイトをクライアントに書き込む前に読んでいた",
		"skipped_note":              "（crypto/tls と同じく ClientHello の前で読み飛ばし、その後の ClientHello を読んだ）",

		"verify_skipped":   "省略（server_ssl.verify = false）: どんな証明書でも受け入れる状態だった",
		"verified_for":     "{name} として検証済み",
		"verified":         "検証済み",
		"brief_verified":   " 検証済み",
		"brief_unverified": " 未検証",
		"mimicked_yes":     "あり: リーフ証明書に本物のサーバの subject と SAN をコピーしている",
		"mimicked_no":      "なし: リーフ証明書には SNI（なければ宛先 IP）だけを載せている",
		"streak_first":     "SNI {sni}・JA4 {ja4} で初回の失敗",
		"streak_n":         "SNI {sni}・JA4 {ja4} で {n} 回連続",
		"streak_sentence":  "同じ種類のクライアント（JA4 {ja4}）からこのホスト（SNI {sni}）への失敗が {n} 回続いている。",
		"more_not_kept":    "（ほか {n} 件は保持していない）",

		"upstream_unverified":     "本物のサーバ {dest} には証明書を検証せずに接続し（server_ssl.verify = false）",
		"upstream_verified":       "本物のサーバ {dest} の証明書を {name} として検証し",
		"mimic_note":              "（本物のサーバの subject と SAN をコピーしたもの）",
		"backend_saw_inspect":     "inspect モードの tlsgate はクライアントに応答する前にサーバ側レッグを確立するので、クライアントのハンドシェイクには何も返らない。tlsgate は ClientHello の後で接続をリセットし、curl は `curl: (35) Recv failure: Connection reset by peer`、Go は `read: connection reset by peer`、ブラウザは ERR_CONNECTION_RESET を表示する。",
		"backend_saw":             "クライアントから見ると tlsgate との TLS ハンドシェイクは成功するが、バックエンドからの応答がないまま tlsgate が接続をリセットする: curl は `curl: (56) Recv failure: Connection reset by peer`、`(52) Empty reply from server`、または送信しようとした瞬間にリセットが届けば `(55) getpeername() failed with errno 107: Transport endpoint is not connected`（curl 7.88）や `(55) Send failure: Connection reset by peer`、Go は `read: connection reset by peer`、ブラウザは ERR_CONNECTION_RESET を表示する。",
		"backend_saw_passthrough": "ここでは tlsgate は TLS を終端しない。ClientHello が届いた時点でバックエンドに接続し、それに失敗するとクライアントをリセットするので、クライアントのハンドシェイクには ServerHello の代わりに RST が返る: curl は `curl: (35) Recv failure: Connection reset by peer`、openssl s_client は `write:errno=104`、Go は `read: connection reset by peer`、ブラウザは ERR_CONNECTION_RESET を表示する。",
		"backend_saw_plain":       "クライアントから見ると接続は成功して最初のバイト列も送れるが、バックエンドからの応答がないまま tlsgate がリセットする: curl は `curl: (56) Recv failure: Connection reset by peer`、Go は `read: connection reset by peer`、ブラウザは ERR_CONNECTION_RESET を表示する。",

		"rank_unknown": "強度不明",
		"rank_0":       "3DES/RC4",
		"rank_1":       "静的 RSA 鍵交換（前方秘匿性なし）",
		"rank_2":       "ECDHE + CBC",
		"rank_3":       "ECDHE + AEAD 暗号",
		"rank_4":       "TLS 1.3 の AEAD",

		"alert_unrecorded":  "アラート（記録なし）",
		"alert_n":           "アラート {alert}",
		"saw_alert_none":    "TLS アラート: curl はアラート名を出して終了コード 35 で終わり、Go は `remote error: tls: …` を表示する。",
		"saw_alert":         "TLS アラート {alert}: curl は {curl}、Go は {go}、Chrome は {chrome} を表示する。",
		"saw_after_warning": "警告そのものには何も出さず、その後に起きたこと（切断後の EOF、リセット、タイムアウト）",
		"chrome_blames":     "（クライアント証明書の問題のように見える表示）",
		"cert_saw_tls12":    "TLS 1.2 ではハンドシェイク自体が失敗する。curl は `{curl}`、Go は `{go}` を表示する。",
		"cert_saw_tls13":    "TLS 1.3 ではクライアント側ではハンドシェイクが完了したように見え、最初の読み込みでアラートを受け取る。curl は `{curl}` を表示し、Go は最初の Read が `{go}` を返す。",
		"auth_ca_lab":       "ラボ CA",
		"auth_ca_none":      "どの CA でもない（すべての証明書を拒否する）",
		"auth_ca_or":        "または",
		"auth_reject_with":  "（ルールの reject_with が指定したアラート。crypto/tls だけなら別のアラートになる）",

		"seclevel_note": "OpenSSL 3 のバックエンドが TLS 1.0 や 1.1 を受け付けるには、暗号スイート文字列に `@SECLEVEL=0` も必要。",
		"legacy_risk":   "TLS 1.0 と 1.1 は廃止されている（RFC 8996）。更新できないクライアントにだけ許可する。",
		"java_legacy":   "（Java は java.security の jdk.tls.disabledAlgorithms にも TLSv1 と TLSv1.1 を載せているので、そこからも外す）",

		"chain_verify_other":       "その種類のチェーンが起こすエラー",
		"chain_instead_lab":        "tlsgate のラボ CA のチェーンの代わりに",
		"chain_instead_configured": "リスナー {listener} に設定した証明書（client_ssl cert、{subject}）の代わりに（ルールのチェーンは tlsgate 自身のもの（ラボ CA か、わざと用意した別の CA のもの）なので、発行者も変わった）",
		"replaced_note_lab":        "",
		"replaced_note_configured": "実際のケースと違い、発行者も変わっている: chain や skew のルールはどれもそうするように、このルールはリスナー {listener} に設定した証明書（client_ssl cert、{subject}）をラボ CA のこの証明書に置き換えたので、ラボ CA を信頼していないクライアントはそのためにも拒否する。",
		"clock_expired":            "有効期限切れ",
		"clock_not_yet":            "まだ有効期間前",
		"clock_ahead":              "進んでいる",
		"clock_behind":             "遅れている",
		"clock_saw_expired":        "curl は `curl: (60) SSL certificate problem: certificate has expired`、openssl s_client は `verify error:num=10:certificate has expired`、Go は `x509: certificate has expired or is not yet valid: current time … is after …`、Chrome は NET::ERR_CERT_DATE_INVALID（または「時計が進んでいます」のページ）を表示する。",
		"clock_saw_not_yet":        "curl は `curl: (60) SSL certificate problem: certificate is not yet valid`、openssl s_client は `verify error:num=9:certificate is not yet valid`、Go は `x509: certificate has expired or is not yet valid: current time … is before …`、Chrome は NET::ERR_CERT_DATE_INVALID（または「時計が遅れています」のページ）を表示する。",

		"curl_wrong_host":        "`curl: (60) SSL: no alternative certificate subject name matches target host name '{host}'`（curl は名前をハンドシェイクの後で自分で照合し、アラートは送らない）",
		"curl_verify":            "`curl: (60) SSL certificate problem: {text}`（curl はこのチェーンをハンドシェイク中にアラート付きで拒否する。今回のクライアントはアラートを送っていない）",
		"curl_huge_cert":         "`curl: (35) … excessive message size`（OpenSSL はこれほど大きな証明書リストを読めず、curl はハンドシェイク中に失敗する）",
		"curl_accepts":           "何も出ない: curl は既定の設定でこのチェーンを受け入れ、リクエストを送る",
		"curl_ocsp":              "`--cert-status` を付けると `curl: (91) {text}`（curl はハンドシェイクが終わってからステープルされた OCSP レスポンスを確かめ、アラートなしで切断する）。`--cert-status` なしなら curl はつながる",
		"ocsp_revoked":           "失効（理由 keyCompromise）",
		"ocsp_ocsp_unknown":      "不明（unknown）",
		"ocsp_ocsp_expired":      "good だが nextUpdate を過ぎている（期限切れ）",
		"ocsp_clock_ahead":       "thisUpdate が {skew} 先の未来",
		"ocsp_clock_behind":      "nextUpdate が {skew} 前の過去",
		"ocsp_clock_real_ahead":  "時計が {skew} 進んでいて、まだ有効でないレスポンスを出す OCSP レスポンダ",
		"ocsp_clock_real_behind": "時計が {skew} 遅れていて、nextUpdate を過ぎたレスポンスを自分には有効に見えるためステープルし続けるサーバ",
		"curl_chain_other":       "その種類のチェーンが起こす検証エラー（curl の終了コード 60）",
		"curl_skew":              "。{skew} のずれで日付がクライアントの時計を越えていれば `curl: (60) SSL certificate problem: certificate has expired`（または `certificate is not yet valid`）",
		"silent_done":            "ハンドシェイクを終えた後、リクエストもアラートも送らずに切断した",
		"silent_flight_fin":      "tlsgate の証明書フライトを受け取った後、ハンドシェイクを終える前にアラートなしで切断した（FIN）",
		"silent_flight_rst":      "tlsgate の証明書フライトを受け取った後、ハンドシェイクを終える前にアラートなしで接続をリセットした（RST）",

		"size_unknown": "サイズ不明",
		"size":         "{records} レコードで {n} バイト",
		"size_shares":  "、key share は {groups}",
	}
}

// warningTextsJA mirrors warningTexts.
func warningTextsJA() map[string]string {
	return map[string]string{
		warnVerifyOff: "サーバ側の証明書検証が無効: tlsgate はどんなサーバ証明書でも受け入れるので、クライアントの信頼判断が本物のサーバまで引き継がれていない" +
			"（リスナー {listener} は server_ssl.verify = false、{dest} の証明書は未検証）",
		warnDowngrade: "レッグ間で TLS {client_ver_short} → {server_ver_short} にダウングレード: クライアントと tlsgate の間は {client_version} だが、" +
			"tlsgate から {dest} へは {server_version} で接続している。クライアントはエンドツーエンドで {client_version} だと思い込んでいる",
		warnOfferDowngrade: "レッグ間で TLS 1.3 → {server_ver_short} にダウングレード: クライアントは TLS 1.3 を提示したが、{dest} へのサーバ側レッグは {server_version} になった" +
			"（[listener.server_ssl] にはバージョンの設定がなく、tlsgate はサーバに TLS 1.2 と 1.3 を提示するので、{dest} 自体が {server_version} までしか話さない。直接つないだクライアントでも同じ結果になる）",
		warnWeakerCipher: "サーバ側レッグの暗号スイートが弱い: クライアントは {best_offered}（{best_offered_class}）を提示していたのに、{server_cipher}（{server_cipher_class}）が使われている",
		warnHelloTooLarge: "ClientHello が tlsgate の解析上限を超えている（{hello_err}）ため、SNI・ALPN・JA3・JA4 を読めていない: " +
			"名前による振り分けや、それらをキーにした障害ルールはこの接続に効いていない",
		warnRelayedUnread: "クライアントが送ったのは {kind_desc}（{first_hex}）で、tlsgate が読める ClientHello ではない{hello_err_why}。リスナー {listener} はそれをそのまま {backend} へ中継した: " +
			"応答したのはバックエンドで tlsgate ではないため、SNI・ALPN・JA3・JA4 は読めておらず、拒否があったとすればバックエンドによるもの",
		warnHelloTooLargeRead: "ClientHello が tlsgate の解析上限を超えている（{hello_err}）。crypto/tls はハンドシェイクのために読んだ（SNI {sni}）が、tlsgate の解析器は読めていないため、" +
			"ALPN の提示・JA3・JA4 は不明で、ハンドシェイク前に決まる名前による振り分けや、SNI・JA3・JA4 をキーにした障害ルールはこの接続に効いていない",
		warnHelloTooLargeBypass: "ClientHello が tlsgate の解析上限を超えている（{hello_err}）。バイパスの照合のために crypto/tls が SNI {sni} を読み、tlsgate は読んだバイト列をそのまま中継した。" +
			"ALPN の提示・JA3・JA4 は読めておらず、ClientHello を読む前に決まる、SNI・JA3・JA4 をキーにした障害ルールはこの接続に効いていない",
		warnHelloUnread: "クライアントの最初のバイト列（{kind_desc}、{first_hex}）は tlsgate が読める ClientHello ではなかった{hello_err_why}。それでも crypto/tls はこのバイト列でハンドシェイクを完了した（SNI {sni}）: " +
			"tlsgate の解析器は ALPN の提示・JA3・JA4 を読めておらず、ハンドシェイク前に決まる、SNI・JA3・JA4 をキーにした障害ルールはこの接続に効いていない",
	}
}

// faultSentencesJA mirrors faultSentences.
func faultSentencesJA() map[string]string {
	return map[string]string{
		sentFiring:    "ルール {fr_rule}（{fr_stage} で {fr_action}{fr_draw}）",
		sentSummary:   "{fr_firing} による注入",
		sentCause:     "{fr_firing} による注入: 実際のネットワークなら{fr_real}に相当する。",
		sentReply:     "クライアントはアラート {client_reply} を返した。受け取った内容をクライアントの TLS スタックが拒否している。",
		sentOthers:    "この接続では他にも{fr_list}が発動した。",
		sentNoBigIP:   "BIG-IP 自身は失敗しておらず、経路上の装置が切った形なので、BIG-IP のログには何も出ない。",
		sentEvidence:  "{fr_rule} {fr_action}（{fr_stage}）{fr_draw_kv} 想定症状={fr_symptom}",
		sentRealOther: "経路上の装置が {fr_action} を行った場合",
		sentMaySee:    "ルール {fr_rule} が発動した（{fr_stage} で {fr_action}）。効いた場合のクライアント側の症状: {fr_symptom}",
	}
}

// faultWhatJA mirrors faultWhat.
func faultWhatJA() map[string]string {
	return map[string]string{
		"reset":             "リセット（RST）",
		"close":             "切断（FIN）",
		"close/s2c":         "ハーフクローズ（クライアント方向へ FIN）",
		"blackhole":         "ブラックホール（無応答のまま保持）",
		"alert":             "{fault_alert_sent}",
		"sni_policy":        "厳格な SNI ポリシーによる拒否、{fault_alert_sent}",
		"alpn_refuse":       "ALPN の拒否、{fault_alert_sent}",
		"plaintext_reply":   "平文 HTTP での応答",
		"ssl3_server_hello": "SSLv3 の ServerHello",
		"unoffered_cipher":  "クライアントが提示していない暗号スイートを選んだ ServerHello",
		"large_hello":       "大きな ClientHello を通さない中継装置",
		"tls_policy":        "TLS ポリシーによる拒否、{fault_alert_sent}",
		"truncate":          "ストリームの途中切断（truncate）",
		"limit_data":        "バイト数の上限での切断（limit_data）",
		"timeout":           "ストリームの飲み込み（timeout）",
		"idle_timeout":      "無通信の後の状態の失効（idle_timeout）",
		"mtu":               "フルサイズのセグメントの消失（PMTUD ブラックホール）",
		"blackhole/s2c":     "クライアント方向だけのブラックホール",
		"blackhole/c2s":     "サーバ方向だけのブラックホール",
		"record_corrupt":    "暗号化されたレコードの 1 ビットの反転",
		"proxy_skew":        "上流側でのプロキシ自身の時計のずれによる、サーバ証明書の拒否",
		"alpn_downgrade":    "h2 を取り除く HTTP/1.1 専用プロキシによる{fault_alert_sent}",
	}
}

// faultStagePhraseJA mirrors faultStagePhrase; each phrase reads before
// the particle に.
func faultStagePhraseJA() map[string]string {
	return map[string]string{
		"accept":             "接続受付の直後（クライアントが何も送る前）",
		"client_hello":       "ClientHello の直後",
		"client_hello/plain": "クライアントの最初のバイト（ClientHello ではない平文）の直後",
		"server_flight":      "サーバのハンドシェイクフライトの途中",
		"handshake_done":     "TLS ハンドシェイク完了後",
		"request":            "リクエストの時点",
		"response":           "レスポンスの時点",
		"request/plain":      "リクエストが届いた時点",
		"response/plain":     "リクエストを中継した後のレスポンスの時点",
		"idle":               "アイドル中",
	}
}

// faultRealJA mirrors faultReal; each phrase reads before に相当する.
func faultRealJA() map[string]string {
	return map[string]string{
		"reset":                "TCP リセットを注入するファイアウォール、IPS、ロードバランサ",
		"close":                "接続を閉じる（FIN）サーバやプロキシ",
		"blackhole":            "片方向だけ黙って捨てる経路（非対称ルーティングや、接続状態を失ったステートフルファイアウォール）",
		"latency":              "遅い経路（輻輳した回線、長距離や衛星の回線、VPN の折り返し、処理の遅い検査装置）",
		"bandwidth":            "帯域制限された回線や飽和した回線、トラフィックシェーパー",
		"slicer":               "データを細切れに届ける経路（小さい MSS や、再セグメント化する中継装置）",
		"fragment":             "TCP セグメントや TLS レコードを細かく分割する経路（準拠したクライアントは再構成できるが、素朴な DPI やパーサは扱えない）",
		"slow_close":           "FIN を遅らせるサーバやプロキシ（lingering close）",
		"limit_data":           "一定のバイト数で接続を切るプロキシや中継装置",
		"timeout":              "トラフィックを飲み込んで後から閉じる装置（プロキシのタイムアウト）",
		"mtu":                  "PMTUD ブラックホール（MTU が 1500 未満のトンネル（VPN、GRE、IPsec、PPPoE）で ICMP fragmentation-needed がフィルタされ、フルサイズのセグメントだけが消えて小さいものは通る）",
		"truncate":             "フライトを途中で切る中継装置（証明書のフライトやレスポンスボディ）",
		"first_byte_delay":     "接続確立の遅さ（遠いサーバや過負荷のサーバ）",
		"idle_timeout":         "アイドルタイマーで接続状態を消した NAT やファイアウォール",
		"block_page":           "TLS を終端して HTTP のブロックページを返す WAF（F5 ASM の `The requested URL was rejected`、AWS WAF の 403、Cloudflare の 403 や 429。TLS のエラーではない）",
		"rewrite":              "レスポンスを書き換えるプロキシ（HSTS の削除、Via の追加、ページ内の文字列の置き換え）",
		"chain":                "不正な証明書チェーンを返すサーバ（有効期限切れ、ホスト名の不一致、自己署名、中間証明書の欠落など）、またはクライアントが信頼しない CA で再署名する TLS 検査プロキシ",
		"chain/clock_ahead":    "時計が進んでいるクライアント（サーバの証明書に問題はないが期限切れに見える。直すべきは証明書ではなくクライアントの時計（NTP））",
		"chain/clock_behind":   "時計が遅れているクライアント（発行したばかりの証明書がまだ有効期間前に見える。直すべきは証明書ではなくクライアントの時計（NTP））",
		"chain/not_yet_valid":  "notBefore より前に使われた証明書（時計が進んだホストで発行されたか、時計が遅れたクライアントが検証している）",
		"chain/revoked":        "CA が失効させた証明書を使い続けるサーバ（OCSP レスポンスが revoked を返す。拒否するのは失効を確かめるクライアント（curl --cert-status など）だけで、Go、--cert-status なしの curl、プライベート CA に対するブラウザはそのままつながる）",
		"chain/ocsp_unknown":   "CA の OCSP レスポンダがその証明書を知らないサーバ（status unknown。拒否するのは失効を確かめるクライアントだけで、確かめないクライアントはつながる）",
		"chain/ocsp_expired":   "古い OCSP レスポンスをステープルし続けるサーバ（nextUpdate 切れで、レスポンダに届かないサーバでよく起きる。拒否するのは失効を確かめるクライアントだけで、確かめないクライアントはつながる）",
		"version":              "一部のプロトコルバージョンしか受け付けないサーバやロードバランサのプロファイル",
		"cipher":               "暗号スイートを絞ったサーバやロードバランサのプロファイル（FIPS のみ、ハードニング済みなど）",
		"alert":                "TLS アラートで拒否するロードバランサ、WAF、ポリシーエンジン",
		"alert/handshake_done": "読めないセッションを平文のアラートで切断するファイアウォール、IPS、インスペクション装置",
		"alert/request":        "読めないセッションを平文のアラートで切断するファイアウォール、IPS、インスペクション装置",
		"alert/response":       "読めないセッションを平文のアラートで切断するファイアウォール、IPS、インスペクション装置",
		"alert/idle":           "アイドルになったキープアライブ接続を平文のアラートで閉じるロードバランサやファイアウォール",
		"sni_policy":           "未知の名前や SNI なしを拒否する、SNI に厳格なサーバやロードバランサ",
		"sni_policy/request":   "リクエストの Host が接続の TLS サーバ名（SNI）と別のサイトを指すとき 421 Misdirected Request を返すサーバやロードバランサ（Apache httpd、nginx、Envoy がそうする）。別の名前に接続を使い回したクライアントや、Host だけ書き換えて SNI はそのままのプロキシで起きる。リクエストはバックエンドに届いておらず、その名前で新しく接続すれば通る",
		"alpn_refuse":          "提示された ALPN プロトコルをすべて拒否するサーバ",
		"plaintext_reply":      "平文 HTTP で応答するキャプティブポータルやプロキシのエラーページ",
		"large_hello":          "大きな（ポスト量子）ClientHello の最初のセグメントしか解析しない中継装置",
		"large_hello/fail_open": "複数のセグメントにまたがる ClientHello の解析をあきらめて読まずに通す、フェイルオープンの中継装置（SNI やフィンガープリントによるポリシーがそのクライアントには効かず、" +
			"小さな ClientHello のクライアントは止めても、Go 1.24 以降や Chrome 124 以降などポスト量子の ClientHello を送るクライアントは通してしまう）",
		"ssl3_server_hello": "SSLv3 しか話さないレガシーなサーバ",
		"unoffered_cipher":  "クライアントが提示していない暗号スイートを選ぶサーバ",
		"abort":             "バックエンドの代わりにリクエストへ自らエラーを返すプロキシやサービスメッシュ（Envoy の fault フィルタの abort。gRPC には grpc-status を載せた HTTP 200）。TLS のエラーではなく、リクエストはバックエンドに届かない",
		"client_auth":       "クライアント証明書を必須にするサーバやロードバランサ（BIG-IP の peer-cert-mode require）、または一覧にない CA の証明書を拒否する WAF や mTLS ゲートウェイ",
		"proxy_skew":        "自分の時計が狂っていて、正しいサーバ証明書を期限切れやまだ有効でないとして拒否する TLS 復号プロキシや server-ssl プロファイル（ずれが証明書の有効期間を越えたときだけ）",
		"http_date":         "時計が狂っていて、ずれた Date でレスポンスを返すオリジンサーバ（または Date を付け足すプロキシ）。エラーにはならないが、キャッシュはレスポンスの経過時間を Date から求めるので、max-age より古い Date のレスポンスは届いた時点で古いとみなされ、毎回取り直される。Cookie の期限と HSTS の max-age はクライアント自身の時計で数えるので影響しない",
		"ocsp_times":        "時計が狂った OCSP レスポンダ（thisUpdate が未来のレスポンス）や、時計が遅れていて期限切れの OCSP レスポンスをステープルし続けるサーバ。証明書も状態（good）も正しく、ステープルを確かめるクライアント（curl --cert-status）だけが期限切れとして拒否し、ほかはつながる",
		"alpn_downgrade":    "クライアントと HTTP/1.1 しか話さず、ALPN から h2 を取り除くプロキシやロードバランサ（HTTP/1.1 も提示するクライアントはエラーなしで落ち、gRPC のように h2 しか提示しないものはアラート 120 で拒否される）",
		"refuse":            "閉じたポート、またはファイアウォールの REJECT ルール（サービスが停止しているか、そのアドレスで待ち受けていない）。SYN に RST が返り、接続そのものが成立しない",
		"record_corrupt":    "中継するだけのはずのバイトを変えてしまう経路上の装置（TCP のチェックサムをすり抜けた NIC・ケーブル・スイッチポートの故障や、ペイロードを書き換える中継装置）。レコードを復号する側はそれを bad record MAC として報告する",
	}
}
