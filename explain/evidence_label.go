package explain

// EvidenceLabel names an evidence key for people in lang: "first bytes"
// or "先頭バイト" for first_bytes. The key itself stays the stable name in
// JSON and in the English log lines; an unknown key is returned as is.
func EvidenceLabel(key, lang string) string {
	labels := evidenceLabels()[key]
	if labels[1] == "" {
		return key
	}
	if normLang(lang) == LangJA {
		return labels[1]
	}
	return labels[0]
}

// evidenceLabels holds {English, Japanese} per evidence key.
func evidenceLabels() map[string][2]string {
	return map[string][2]string{
		"first_bytes":          {"first bytes", "先頭バイト"},
		"kind":                 {"protocol seen", "判定したプロトコル"},
		"http_request":         {"HTTP request line", "HTTP リクエスト行"},
		"http_host":            {"HTTP Host", "HTTP Host ヘッダ"},
		"non_ssl_action":       {"non_ssl action", "non_ssl の動作"},
		"route":                {"route", "振り分け結果"},
		"sni":                  {"SNI", "SNI"},
		"versions_offered":     {"versions offered", "提示されたバージョン"},
		"versions_ours":        {"versions accepted", "受け付けるバージョン"},
		"ciphers_offered":      {"cipher suites offered", "提示された暗号スイート"},
		"ciphers_ours":         {"our cipher suites", "こちらの暗号スイート"},
		"groups_offered":       {"key exchange groups offered", "提示された鍵交換グループ"},
		"key_shares":           {"key shares offered", "提示された key share"},
		"groups_ours":          {"key exchange groups allowed", "こちらが許す鍵交換グループ"},
		"alpn_offered":         {"ALPN offered", "提示された ALPN"},
		"ja3":                  {"JA3", "JA3"},
		"ja4":                  {"JA4", "JA4"},
		"alert_recv":           {"alert received", "受信したアラート"},
		"peer_skew":            {"client's clock shift", "クライアントの時計のずれ"},
		"our_cert":             {"certificate served", "提示した証明書"},
		"alert_sent":           {"alert sent", "送信したアラート"},
		"client_error":         {"client-side TLS error", "クライアント側の TLS エラー"},
		"hello_error":          {"ClientHello parse error", "ClientHello の解析エラー"},
		"late_bytes":           {"bytes read after the peek", "先頭バイト待ちの後に読んだバイト数"},
		"handshake_timeout":    {"handshake timeout", "ハンドシェイクのタイムアウト"},
		"peek":                 {"first-bytes wait", "先頭バイト待ちの結果"},
		"proxy":                {"PROXY header", "PROXY ヘッダ"},
		"connect":              {"explicit proxy's CONNECT", "明示プロキシへの CONNECT"},
		"backend":              {"backend", "バックエンド"},
		"backend_error":        {"backend connect error", "バックエンド接続エラー"},
		"idle":                 {"idle timeout", "アイドルタイムアウト"},
		"relay_end":            {"relay end", "中継の終わり"},
		"backend_tls_error":    {"backend TLS error", "バックエンドの TLS エラー"},
		"backend_verify":       {"backend certificate check", "バックエンド証明書の検証"},
		"backend_cert":         {"backend certificate chain", "バックエンドの証明書チェーン"},
		"backend_endpoints":    {"server-side endpoints", "サーバ側の接続元と接続先"},
		"backend_before_hello": {"backend's end before the hello", "ClientHello 前のバックエンドの終了"},
		"backend_alpn":         {"ALPN offered to the backend", "バックエンドに提示した ALPN"},
		"hello_alert":          {"backend's first record", "バックエンドの最初のレコード"},
		"backend_answer":       {"backend's first bytes", "バックエンドの最初のバイト列"},
		"exchange":             {"records after the handshake", "ハンドシェイク後のレコード"},
		"client_end":           {"after the hello", "ClientHello の後"},
		"faults":               {"fault rules fired", "発動したフォールトルール"},
		"fault":                {"fault fired", "発動したフォールト"},
		"fault_alert_sent":     {"alert sent by the fault", "フォールトが送ったアラート"},
		"client_reply":         {"client's answer", "クライアントの応答"},
		"hello_size":           {"ClientHello size", "ClientHello のサイズ"},
		"skipped_records":      {"records skipped", "読み飛ばしたレコード"},
		"fin_before_flight":    {"client's FIN", "クライアントの FIN"},
		"client_leg":           {"client-side leg", "クライアント側レッグ"},
		"server_leg":           {"server-side leg", "サーバ側レッグ"},
		"server_verify":        {"server certificate check", "サーバ証明書の検証"},
		"server_cert":          {"server certificate chain", "サーバの証明書チェーン"},
		"mimicked":             {"leaf mimics the real server", "本物のサーバの模倣"},
		"transparent":          {"transparent mode", "透過モード"},
		"orig_dst":             {"original destination", "元の宛先"},
		"orig_dst_err":         {"original destination error", "元の宛先の取得エラー"},
		"accept_err":           {"error after accept", "受け付け後のエラー"},
		"listen_addr":          {"listener address", "リスナーのアドレス"},
		"bypass":               {"bypass rule", "バイパスルール"},
		"http_exchanges":       {"HTTP exchanges", "HTTP のやり取り"},
		"fail_streak":          {"failure streak", "連続失敗"},
		"cert_alert":           {"alert for the client certificate", "クライアント証明書へのアラート"},
		"leg_version":          {"version on this leg", "このレッグのバージョン"},

		// What ExplainLine could read from a pasted line.
		"time":       {"time", "時刻"},
		"host":       {"host", "ホスト"},
		"slot":       {"chassis slot", "シャーシのスロット"},
		"process":    {"process", "プロセス"},
		"severity":   {"severity", "重大度"},
		"pri":        {"syslog priority", "syslog の PRI"},
		"message_id": {"message ID", "メッセージ ID"},
		"addresses":  {"addresses", "アドレス"},
	}
}
