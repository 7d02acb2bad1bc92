package lab

import "github.com/tlsgate/tlsgate/faults"

// clientScenarios are failures whose cause is on the client: its clock,
// its TLS stack, or what its trust store holds.
func clientScenarios() []Scenario {
	return []Scenario{
		{
			Name:   "clock-ahead",
			Family: FamilyClient,
			Title: Text{
				EN: "Client clock ahead: a valid certificate looks expired",
				JA: "クライアントの時計が進んでいる：有効な証明書が期限切れに見える",
			},
			Reproduces: Text{
				EN: "A laptop, VM or appliance whose clock runs 30 days fast (dead CMOS battery, a VM restored from an old snapshot, NTP blocked by a firewall). The server's certificate is fine, but the client checks it against its own wrong clock. tlsgate mints the leaf with its validity window moved 30 days into the past, which is byte for byte what such a client sees.",
				JA: "CMOS電池切れ、古いスナップショットから戻したVM、NTPがファイアウォールで止められている等で、クライアントの時計が30日進んでいるケース。サーバ証明書自体は正常だが、クライアントは自分のずれた時計で有効期限を判定してしまう。tlsgateは有効期間を30日前にずらした証明書を発行し、そのクライアントから見える状況をそのまま再現する。",
			},
			Listener:     Listener{Mode: "terminate"},
			Faults:       []faults.Rule{{Name: "clock-ahead-30d", Action: faults.ActChain, Skew: -days(30)}},
			Try:          curlTrusted,
			ExpectClient: "curl: (60) SSL certificate problem: certificate has expired",
			ExpectCode:   "client_alert",
			ExpectProbe:  "expired",
			ProbeNote: Text{
				EN: "The probe cannot know the client's clock: it judges the certificate by the clock of the host it runs on, so it names what the skewed client sees, an expired certificate. Run it on the failing client and compare `date -u` there with a good host; a certificate that verifies elsewhere points at the clock.",
				JA: "probe はクライアントの時計を知ることができず、自分が動いているホストの時計で証明書を判定する。そのため、時計のずれたクライアントが見るのと同じ「期限切れ」を報告する。失敗しているクライアント上で実行し、そこでの `date -u` を正常なホストと比べる。他のホストでは同じ証明書を検証できるなら、原因は時計。",
			},
			BigIP: []string{ltmHandshakeFailed},
			Fix: Text{
				EN: "Fix the client's clock (NTP), not the certificate. Compare `date` on the client with the certificate's notBefore/notAfter. When a few clients report 'expired' while everyone else connects, suspect their clocks first.",
				JA: "直すのは証明書ではなくクライアントの時計（NTP同期）。クライアントの `date` と証明書の notBefore / notAfter を比較する。一部のクライアントだけが「期限切れ」で失敗し、他は問題なく接続できているなら、まずそのクライアントの時計を疑う。",
			},
		},
		{
			Name:   "clock-behind",
			Family: FamilyClient,
			Title: Text{
				EN: "Client clock behind: a fresh certificate is not yet valid",
				JA: "クライアントの時計が遅れている：更新直後の証明書がまだ有効期間前になる",
			},
			Reproduces: Text{
				EN: "A client whose clock is 30 days slow (a device without a real-time clock that boots in the past, an unsynchronised VM). A certificate renewed last week is 'not yet valid' to it. tlsgate mints the leaf with its validity window moved 30 days into the future.",
				JA: "RTCを持たず起動時に過去の日時になる機器や、時刻同期していないVMなど、クライアントの時計が30日遅れているケース。先週更新した証明書が、そのクライアントには「まだ有効期間前」に見える。tlsgateは有効期間を30日先にずらした証明書を発行して再現する。",
			},
			Listener:     Listener{Mode: "terminate"},
			Faults:       []faults.Rule{{Name: "clock-behind-30d", Action: faults.ActChain, Skew: days(30)}},
			Try:          curlTrusted,
			ExpectClient: "curl: (60) SSL certificate problem: certificate is not yet valid",
			ExpectCode:   "client_alert",
			ExpectProbe:  "not_yet_valid",
			ProbeNote: Text{
				EN: "The probe cannot know the client's clock: it judges the certificate by the clock of the host it runs on, so it names what the slow client sees, a certificate not yet valid. Run it on the failing client and compare `date -u` there with a good host.",
				JA: "probe はクライアントの時計を知ることができず、自分が動いているホストの時計で証明書を判定する。そのため、時計の遅れたクライアントが見るのと同じ「有効期間前」を報告する。失敗しているクライアント上で実行し、そこでの `date -u` を正常なホストと比べる。",
			},
			BigIP: []string{ltmHandshakeFailed},
			Fix: Text{
				EN: "Synchronise the client's clock. 'Not yet valid' from a few clients right after a certificate renewal means their clocks are behind; the certificate is correct.",
				JA: "クライアントの時計を同期させる。証明書更新の直後に一部のクライアントだけが「not yet valid」になるなら、原因はそのクライアントの時計の遅れで、証明書は正しい。",
			},
		},
		{
			Name:   "old-client-tls10",
			Family: FamilyClient,
			Title: Text{
				EN: "Old client: TLS 1.0 only against a TLS 1.2+ virtual server",
				JA: "古いクライアント：TLS 1.0 しか話せず、TLS 1.2 以上の仮想サーバに弾かれる",
			},
			Reproduces: Text{
				EN: "A legacy client (a Windows 7-era .NET application, Java 6, an old scanner or embedded device) that offers only TLS 1.0, against a client-ssl profile with TLS 1.0 and 1.1 disabled. openssl s_client with -tls1 plays the old client.",
				JA: "Windows 7 世代の .NET アプリ、Java 6、古い複合機や組込み機器など TLS 1.0 しか提示しないクライアントが、TLS 1.0/1.1 を無効にした client-ssl プロファイルの仮想サーバに接続するケース。openssl s_client の -tls1 指定で古いクライアントを再現する。",
			},
			Listener:     Listener{Mode: "terminate", ClientSSL: &ClientSSL{MinVersion: "1.2"}},
			Try:          "openssl s_client -connect 127.0.0.1:{port} -servername localhost -tls1 -cipher DEFAULT@SECLEVEL=0 </dev/null",
			ExpectClient: "tlsv1 alert protocol version",
			ExpectCode:   "ssl_version_too_old",
			ExpectProbe:  "modern_versions",
			ProbeNote: Text{
				EN: "The probe is a modern client, so the server passes: step 4 shows TLS 1.0 and 1.1 refused with protocol_version, which is exactly what the old client meets. The cause is the client's stack, which probing the server cannot show.",
				JA: "probe 自体は最新のクライアントなので、サーバは合格と判定される。ステップ 4 で TLS 1.0 / 1.1 が protocol_version で拒否されることが示され、これが古いクライアントの受ける拒否そのもの。原因はクライアント側の TLS スタックで、サーバ側を調べても見えない。",
			},
			BigIP: []string{ltmUnsupportedVer, ltmHandshakeFailed},
			Fix: Text{
				EN: "Upgrade the client or turn TLS 1.2 on in it (.NET: SchUseStrongCrypto; Java 7: -Djdk.tls.client.protocols=TLSv1.2). Re-enabling TLS 1.0 is a last resort, and then on a separate virtual server for that client only.",
				JA: "クライアントを更新するか TLS 1.2 を有効にする（.NET は SchUseStrongCrypto、Java 7 は -Djdk.tls.client.protocols=TLSv1.2）。TLS 1.0 を再度有効にするのは最後の手段で、その場合もそのクライアント専用の別の仮想サーバに限定する。",
			},
		},
		{
			Name:   "security-software-interception",
			Family: FamilyClient,
			Title: Text{
				EN: "Security software intercepts TLS with a CA this client does not trust",
				JA: "セキュリティソフトがTLSを復号し、このクライアントが信頼していないCAで再署名している",
			},
			Reproduces: Text{
				EN: "Antivirus or endpoint security on the client (or a corporate proxy) decrypts HTTPS and re-signs every site with its own CA. Browsers work because the product added its CA to the OS store, but curl, Python, Java and Git use their own CA bundles and fail. Here tlsgate is the interceptor (inspect mode): it verifies the real server (the lab origin) and re-signs it with the lab CA, which this curl was not told to trust.",
				JA: "クライアント端末のウイルス対策・エンドポイントセキュリティ製品（または社内プロキシ）がHTTPSを復号し、すべてのサイトを自前のCAで再署名しているケース。製品がOSの証明書ストアにCAを入れているのでブラウザは動くが、curl・Python・Java・Git は独自のCAバンドルを使うため失敗する。ここでは tlsgate が inspect モードで割り込み役となり、本来のサーバ（lab origin）を検証した上でラボCAで再署名する。このcurlにはラボCAを信頼させていない。",
			},
			Listener:      Listener{Mode: "inspect", Backend: BackendOrigin, VerifyOrigin: true},
			Try:           "curl https://localhost:{port}/",
			Compare:       curlTrusted,
			CompareExpect: "hello from the tlsgate demo backend",
			ExpectClient:  "curl: (60) SSL certificate problem: unable to get local issuer certificate",
			ExpectCode:    "client_alert",
			Probe:         "tlsgate probe 127.0.0.1:{port} --sni localhost",
			ExpectProbe:   "interception",
			BigIPNote: Text{
				EN: "The real server's virtual server (the lab origin, port {origin}) logs no failure: its handshake is with the interceptor, and that one succeeds. " +
					"The `01260013:4: SSL Handshake failed` line tlsgate logs for this port is the interceptor's own view of its client leg, where curl refused the re-signed certificate: " +
					"what the security product (or a BIG-IP doing SSL forward proxy) would log, never the server.",
				JA: "本来のサーバの仮想サーバ（lab origin、ポート {origin}）には失敗のログは出ない。そのハンドシェイクの相手は割り込み側で、こちらは成功しているため。" +
					"このポートについて tlsgate が出す `01260013:4: SSL Handshake failed` の行は、割り込み側から見たクライアント側の接続（curl が再署名された証明書を拒否した）のログで、" +
					"セキュリティ製品（または SSL フォワードプロキシとして動く BIG-IP）が出すものにあたる。サーバのログではない。",
			},
			ProbeNote: Text{
				EN: "Run without --cacert, as the failing client trusts nothing extra: the probe sees a leaf re-signed by a CA outside its trust store and marked as a copy by an inspecting product. Given the interceptor's CA (--cacert), the chain verifies and the same finding becomes a warning.",
				JA: "失敗しているクライアントと同じく、--cacert を付けずに実行する。probe は、トラストストアにない CA で再署名され、復号製品によるコピーである印の付いた証明書を見る。割り込み側の CA を --cacert で与えるとチェーンは検証でき、同じ指摘が警告に変わる。",
			},
			Fix: Text{
				EN: "Look at the issuer the client really receives (`openssl s_client -connect 127.0.0.1:{port} -servername localhost -showcerts </dev/null`). If it is the security product's CA, add that CA to the tool's own bundle (curl --cacert, REQUESTS_CA_BUNDLE, the Java cacerts keystore, git http.sslCAInfo) or exclude the host from inspection. Nothing on the server needs to change, and its logs are clean.",
				JA: "クライアントが実際に受け取っている証明書の発行者を `openssl s_client -connect 127.0.0.1:{port} -servername localhost -showcerts </dev/null` で確認する。セキュリティ製品のCAであれば、そのCAを各ツールのCAバンドル（curl の --cacert、REQUESTS_CA_BUNDLE、Java の cacerts、git の http.sslCAInfo）に追加するか、そのホストを復号対象から除外する。サーバ側の変更は不要で、サーバのログにも何も出ない。",
			},
		},
		{
			Name:   "fallback-scsv",
			Family: FamilyClient,
			Title: Text{
				EN: "Downgraded retry refused: TLS_FALLBACK_SCSV below the server's highest version",
				JA: "ダウングレードした再試行が拒否される：サーバの最高バージョン未満で TLS_FALLBACK_SCSV",
			},
			Reproduces: Text{
				EN: "A client whose first attempt at its highest version failed (a middlebox broke the TLS 1.3 or large ClientHello, a reset, a timeout) retries at TLS 1.2 and marks the retry with TLS_FALLBACK_SCSV (RFC 7507). The virtual server supports TLS 1.3, so the signal says \"downgrade\" and the server refuses with alert 86 inappropriate_fallback, by design. openssl s_client -tls1_2 -fallback_scsv plays the retry.",
				JA: "最高バージョンでの最初の試行に失敗したクライアント（経路上の機器が TLS 1.3 や大きな ClientHello を壊した、リセットされた、タイムアウトした）が TLS 1.2 で再試行し、その再試行に TLS_FALLBACK_SCSV（RFC 7507）の印を付けるケース。仮想サーバは TLS 1.3 に対応しているので、この印は「ダウングレード」を意味し、サーバは設計どおりアラート 86 inappropriate_fallback で拒否する。openssl s_client -tls1_2 -fallback_scsv でその再試行を再現する。",
			},
			Listener:      Listener{Mode: "terminate"},
			Try:           "openssl s_client -connect 127.0.0.1:{port} -servername localhost -tls1_2 -fallback_scsv </dev/null",
			Compare:       "openssl s_client -connect 127.0.0.1:{port} -servername localhost -tls1_2 </dev/null",
			CompareExpect: "Protocol  : TLSv1.2",
			ExpectClient:  "tlsv1 alert inappropriate fallback",
			ExpectCode:    "handshake_failed",
			ExpectProbe:   "modern_versions",
			ProbeNote: Text{
				EN: "The probe sends no fallback signal, so the server passes: step 4 shows TLS 1.3 served, which is exactly why a TLS 1.2 retry marked as a fallback is refused. The cause is the client's first, failed attempt, which probing the server cannot show.",
				JA: "probe はフォールバックの印を送らないので、サーバは合格と判定される。ステップ 4 で TLS 1.3 が使えることが示され、それこそがフォールバックの印を付けた TLS 1.2 の再試行が拒否される理由。原因はクライアントの最初の失敗した試行で、サーバ側を調べても見えない。",
			},
			BigIP: []string{ltmFallbackSCSV, ltmHandshakeFailed},
			Fix: Text{
				EN: "Do not weaken the server: the refusal is the protection working. Find why the client's first attempt at its highest version failed (an earlier failure from the same client address just before this one; a capture next to the client), and fix that path. A client that retries with the signal after unrelated network errors needs its fallback logic fixed or turned off.",
				JA: "サーバ側の設定を弱めてはいけない。この拒否は保護機能が正しく働いた結果である。クライアントの最高バージョンでの最初の試行がなぜ失敗したか（直前の同じクライアントアドレスからの失敗、クライアント側でのパケットキャプチャ）を調べ、その経路を直す。TLS と無関係なネットワークエラーの後にもこの印を付けて再試行するクライアントは、フォールバック処理を修正するか無効にする。",
			},
		},
	}
}
