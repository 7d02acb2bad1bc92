package explain

// Japanese roles and checks shared by several lines; they mirror the
// English roleLeftEither … lineCheckUsedBy.
const (
	roleLeftEitherJA  = "クライアント: そのアドレスとエフェメラルな送信元ポート（サーバ側なら BIG-IP のセルフ IP か SNAT アドレス）"
	roleRightEitherJA = "仮想サーバ: クライアントの接続先アドレスとポート（サーバ側ならプールメンバー）"

	lineCheckSidesJA   = "どちら側かを見分ける: `tmsh list ltm virtual one-line | grep '{right_ip}'` で仮想サーバが見つかればクライアント側、`tmsh list ltm pool one-line | grep '{right_ip}'` でプールメンバーが見つかればサーバ側。"
	lineCheckReasonJA  = "この行のすぐ上に、同じ時刻・同じ {process}[{pid}] の `01260009` か `01260026` の行がないか探す。あればそれが理由を示している。"
	lineCheckCaptureJA = "BIG-IP 上でハンドシェイクをキャプチャする: `tcpdump -ni 0.0:nnn -s0 -w /var/tmp/hs.pcap host {client_ip} and port {vs_port}` の後、`ssldump -A -nr /var/tmp/hs.pcap` でどちらがどのアラートを送ったかが分かる。"
	lineCheckCiphersJA = "プロファイルが許可している暗号スイートを一覧する: BIG-IP 上で `tmm --clientciphers '<cipher string>'`（文字列は `tmsh list ltm profile client-ssl <profile> ciphers` で確認）。"
	lineCheckEnumJA    = "外から見て仮想サーバが受け付けるものを一覧する: `nmap --script ssl-enum-ciphers -p {vs_port} {vs_ip}`。1 つずつ試すなら `openssl s_client -connect {vs} -cipher <name> </dev/null`。"
	lineCheckUsedByJA  = "どこで使われているかを探す: `tmsh list ltm profile client-ssl one-line | grep {file}`（server-ssl も同様）。"
	lineCheckGroupsJA  = "スイートだけでなく鍵交換グループも確認する: `openssl s_client -connect {vs} -groups X25519 </dev/null`、続けて `-groups P-256`、`-groups P-384` と 1 つずつ試し（完了したものが仮想サーバの対応するグループ）、クライアントの supported_groups と key_share 拡張（Wireshark で ClientHello の中に見える）と比べる。BIG-IP では、グループはプロファイルの cipher group に入っている cipher rule の DH グループで決まる（`tmsh list ltm cipher rule <rule>`）。"

	// lineCauseGroupsJA mirrors lineCauseGroups.
	lineCauseGroupsJA = "バージョンもスイートも合うのに、共通の鍵交換グループがない。クライアントの supported_groups（TLS 1.3 なら key_share も）に、プロファイルが許すグループが 1 つもない。NIST 曲線（P-256、P-384）だけに絞った FIPS 対応やハードニング済みのプロファイルに X25519 しか提示しないクライアントが当たるケースや、耐量子ハイブリッドを必須にしたプロファイルに従来のクライアントが当たるケース。TLS 1.3 のハンドシェイクはすべて、TLS 1.2 以前でも ECDHE なら共通のグループが必要で、BIG-IP はスイートを選ぶときにグループも決めるとみられるので、この不一致もおそらく同じ `no shared ciphers` (40) として記録される。"
)

// lineKnowledgeJA is lineKnowledgeEN in Japanese; scenarios stay in the
// English table.
func lineKnowledgeJA() map[string]lineEntry {
	return map[string]lineEntry{
		IDHandshakeFailed: {
			title: "SSL ハンドシェイク失敗（サマリ行）",
			meaning: "TMM が {left} -> {right} の接続で TLS ハンドシェイクをあきらめた。矢印は TCP 接続の向きで、左側が接続を開いた側、右側が受けた側である。" +
				"クライアント側（client-ssl プロファイル）なら、左がクライアントのアドレスとエフェメラルな送信元ポート、右が仮想サーバのアドレスとポート。" +
				"サーバ側（server-ssl プロファイル）なら、左が BIG-IP のセルフ IP か SNAT アドレス、右がプールメンバー。" +
				"この行だけではどちら側かは分からない。{right_ip} が仮想サーバの宛先ならクライアント側、プールメンバーのアドレスならサーバ側である。" +
				"この行自体に理由は書かれていない。たいていは直前の同じ秒・同じ tmm の `01260009` の行に理由がある。",
			left:  roleLeftEitherJA,
			right: roleRightEitherJA,
			causes: []string{
				"クライアントが証明書を拒否して中断した（48 unknown_ca や 42 bad_certificate などのアラート、または黙って切断）。信頼されていないルートCAやプライベート CA、中間証明書の欠落、有効期限切れ、名前の不一致。クライアントからのアラートには BIG-IP は理由の行を出さないので、01260013 が単独で出ているときはこれが最も多い。",
				"クライアントか経路上の何かがハンドシェイクの途中であきらめた。ClientHello の後で切る TCP ヘルスモニターやスキャナー、接続をリセットするファイアウォールや IPS、独自の短いタイムアウトを持つクライアントなど。",
				"ハンドシェイクのタイムアウト（handshake-timeout、既定 10 秒）。クライアントが止まっている。MTU ブラックホールのある経路で証明書のフライトが落ちているケースが多い。",
				"バージョン、暗号スイート、TLS 以外のバイト列の問題。この場合は同じ秒にこの行の直前に `01260009` の理由の行（unsupported version、no shared ciphers、not SSL）が出ている。",
				"サーバ側: プールメンバーがそのポートで TLS を話さない、BIG-IP の server-ssl の提示を拒否している、またはその証明書が server-ssl の検証に通らない。",
			},
			checks: []string{
				lineCheckSidesJA,
				lineCheckReasonJA,
				"クライアントから、仮想サーバが返すものを見る: `openssl s_client -connect {vs} -servername <name> -showcerts </dev/null`（証明書チェーンはそろっているか、有効期限切れではないか、名前は合っているか）。一通り確認するなら `tlsgate probe {vs} --sni <name>`。",
				lineCheckCaptureJA,
				"/var/log/ltm にもっと詳しく出したいなら、短い間だけ `tmsh modify sys db log.ssl.level value Debug` にして、終わったら Warning に戻す。",
			},
		},

		IDConnectionError + "/not SSL": {
			title: "not SSL: 先頭のバイト列が TLS ではない",
			meaning: "TMM が接続の先頭バイトを読んだところ、TLS のレコードではなかった（TLS のハンドシェイクは 0x16 で始まる）ので、応答すべき ClientHello がない。" +
				"{func}:{line_no} は TMM のソース上の位置で、ビルドごとに変わる。({alert}) は BIG-IP がログに書くアラート番号で、実際の通信ではアラートを送らずに接続を閉じるだけである。" +
				"続くサマリ行（01260013、同じ秒・同じ tmm）の矢印の左側がクライアント、右側が仮想サーバ。",
			causes: []string{
				"HTTPS の仮想サーバに平文の HTTP を送っている。TLS のポートを指定した http:// の URL（http://host:443/）や、TLS なしで設定されたアプリケーション。",
				"ヘルスモニター（別のロードバランサや監視システム）が TLS のポートに平文の HTTP や TCP のペイロードを送っている。",
				"平文で使うはずの仮想サーバ（80 番など）に client-ssl プロファイルが付いている。",
				"別のプロトコルが来ている。前段のロードバランサが付けた PROXY プロトコルのヘッダ、SSH、平文の HTTP/2 など。",
				"サーバ側: server-ssl プロファイルを付けているのに、プールメンバーが BIG-IP の ClientHello に平文で応答している（そのポートは平文の HTTP）。",
			},
			checks: []string{
				"続く 01260013 の行（矢印の左側）からクライアントを特定し、何者か（ブラウザか、スクリプトか、モニターか）を調べる。",
				"バイト列を見る: `tcpdump -ni 0.0:nnn -A -s0 host {client_ip} and port {vs_port}` で `GET / HTTP/1.1` が平文で見える。",
				"この仮想サーバで平文も受ける必要があるなら、client-ssl プロファイルの Non-SSL Connections（allow-non-ssl）を有効にする。できれば平文の HTTP は 80 番で受けて HTTPS にリダイレクトする方がよい。",
				"仮想サーバを平文で使うつもりなら、client-ssl プロファイルを外す。",
			},
		},
		IDConnectionError + "/unsupported version": {
			title: "unsupported version: 共通のプロトコルバージョンがない",
			meaning: "ClientHello が提示したプロトコルバージョンの中に、SSL プロファイルが許可しているものがなかったので、TMM は ClientHello の段階で止めた（{func}、ソース上の行 {line_no}）。" +
				"({alert}) はログに書かれるアラート番号で、RFC なら 70 protocol_version を送る場面でも BIG-IP はよく 40 handshake_failure と記録する（既定の generic-alert 設定のためとみられる）。" +
				"続く 01260013 の行にクライアントと仮想サーバが出る。",
			causes: []string{
				"TLS 1.0 や 1.1（または SSLv3）しか提示しない古いクライアントが、それらを無効にしたプロファイル（no-tlsv1、no-tlsv1.1）に来ている。組み込み機器、古い Java、Windows 7 世代の TLS スタック、古いバージョンに固定したスクリプトなど。",
				"TLS 1.3 しか話さないクライアントが、TLS 1.3 を無効にしたままのプロファイル（no-tlsv1.3 オプション。多くの BIG-IP のバージョンで既定）に来ている。",
				"古いバージョンを探っているスキャナー。",
				"サーバ側: プールメンバーが server-ssl プロファイルの許可していないバージョンしか話さない。",
			},
			checks: []string{
				"仮想サーバに対してバージョンごとに試す: `openssl s_client -connect {vs} -tls1 </dev/null`、続けて `-tls1_1`、`-tls1_2`、`-tls1_3`。",
				"プロファイルの options を確認する: `tmsh list ltm profile client-ssl <profile> options`（no-tlsv1、no-tlsv1.1、no-tlsv1.3 を探す）。",
				"続く 01260013 の行からクライアントを特定して更新する。プロファイルの下限を下げるのは、意図した期間限定の例外としてだけにする。",
				"`ssldump -A -nr <file>` でキャプチャを読むと、ClientHello が提示したバージョンが分かる。",
			},
		},
		IDConnectionError + "/no shared ciphers": {
			title: "no shared ciphers: 共通の暗号スイートがない",
			meaning: "クライアントの暗号スイートと SSL プロファイルの暗号スイート文字列に共通のものがなく、TMM はスイートを選べずに ({alert}) で失敗した（{func}、ソース上の行 {line_no}）。" +
				"たいてい同じ秒に、2 つのピアを書いた `01260026` の行と `01260013` のサマリ行が続く。",
			causes: []string{
				"ハードニングしたプロファイルが外しているスイートしか提示しない古いクライアント。ECDHE と AES-GCM だけの暗号スイート文字列に対して、RC4、3DES、CBC、静的 RSA のスイートしか出してこない。",
				"クライアントより厳しく絞ったプロファイル（FIPS やコンプライアンス向けの暗号スイート文字列、独自の cipher group）、またはクライアントのスイートでは使えない鍵の種類の証明書（ECDSA の証明書だけで、クライアントは RSA のスイートしか提示しない）。",
				lineCauseGroupsJA,
				"サーバ側: server-ssl の暗号スイート文字列とプールメンバーに共通のスイートがない。",
			},
			checks: []string{
				lineCheckCiphersJA,
				lineCheckEnumJA,
				"クライアントの提示と比べる（`ssldump -A` でキャプチャを読むと ClientHello のスイートが分かる）。クライアントが提示しているスイートを有効にするか、クライアントを更新する。",
				lineCheckGroupsJA,
			},
		},
		IDConnectionError + "/TLS_FALLBACK_SCSV with a lower protocol": {
			title: "TLS_FALLBACK_SCSV: バージョンを下げた再試行を拒否",
			meaning: "クライアントが TLS_FALLBACK_SCSV（RFC 7507、「一度失敗したので低いバージョンで再試行している」という合図）を付け、しかも BIG-IP が対応する最高バージョンより低いバージョンを提示してきた。" +
				"これはダウングレード攻撃と同じ形なので、BIG-IP は ({alert}) で拒否した（{func}、ソース上の行 {line_no}）。",
			causes: []string{
				"クライアントが最高バージョンで試した最初の接続が、経路上の何か（TLS 1.2 や 1.3、大きな ClientHello、特定の拡張を通さない中継装置）に壊されて失敗し、その後のフォールバックの再試行が仕様どおり拒否された。",
				"TLS と関係ないネットワークエラーの後でもバージョンを下げて再試行してしまう、フォールバック処理に問題のあるクライアント。",
				"フォールバック保護を試しているスキャナー。",
			},
			checks: []string{
				"この行の直前に、同じクライアントアドレスからの失敗がないか探す。本当に失敗したのはそちらの接続。",
				"再現する: プロファイルが TLS 1.3 を許可していれば `openssl s_client -connect {vs} -tls1_2 -fallback_scsv </dev/null`（TLS 1.2 までで 1.1 も許可しているなら `-tls1_1`）が同じように拒否され、-fallback_scsv を外すと ClientHello はバージョンのチェックまで進む。",
				"最初の接続を壊したものを探す: クライアントのそばと BIG-IP のそばで同時にキャプチャして比べる。",
			},
		},
		IDConnectionError: {
			title: "接続エラー: {reason}",
			meaning: "TMM の SSL の処理が {func}（ソース上の行 {line_no}）で、理由 `{reason}`、TLS アラート ({alert}) として接続を止めた。" +
				"この理由は tlsgate が知っている確認済みのもの（unsupported version、no shared ciphers、TLS_FALLBACK_SCSV with a lower protocol、not SSL）のどれでもないので、失敗の種類を示すアラート以上のことは推測しない。",
			checks: []string{
				"続く 01260013 の行（同じ秒・同じ tmm）で 2 つのエンドポイントを確認する。",
				"F5 のナレッジベース（my.f5.com）で理由の文字列 `{reason}` をそのまま検索する。",
				lineCheckCaptureJA,
			},
		},

		IDNoSharedCiphers: {
			title: "no shared ciphers between SSL peers（詳細行）",
			meaning: "暗号スイートの不一致の詳細行で、失敗したハンドシェイクの 2 つのピアを、ポートの前をドット、ピアの間をコロンで区切って書いている（{left} と {right}）。" +
				"同じ接続の `no shared ciphers` の理由（01260009）とサマリ（01260013）の間に出る。1 つ目のピアがクライアント（サーバ側なら BIG-IP のセルフ IP か SNAT アドレス）、2 つ目が仮想サーバ（サーバ側ならプールメンバー）。",
			left:  roleLeftEitherJA,
			right: roleRightEitherJA,
			causes: []string{
				"ハードニングしたプロファイルが外しているスイートしか提示しない古いクライアント。ECDHE と AES-GCM だけの暗号スイート文字列に対して、RC4、3DES、CBC、静的 RSA のスイートしか出してこない。",
				"クライアントより厳しく絞ったプロファイル（FIPS やコンプライアンス向けの暗号スイート文字列）、またはクライアントのスイートでは使えない鍵の種類の証明書。",
				lineCauseGroupsJA,
				"サーバ側: server-ssl の暗号スイート文字列とプールメンバーに共通のスイートがない。",
			},
			checks: []string{lineCheckSidesJA, lineCheckCiphersJA, lineCheckEnumJA, lineCheckGroupsJA},
		},

		IDTPSLimit: {
			title: "SSL の TPS 上限に到達",
			meaning: "ライセンスで決まっている SSL の秒間トランザクション数（TPS）の上限に達した。レートが下がるまで、新しいハンドシェイクは拒否されるか待たされる。" +
				"この ID とこの文言の組み合わせは F5 の K7747 を引用した学習ノートによるもので、確認済みのサンプルではない（確度は中程度）。",
			causes: []string{
				"ライセンスの SSL TPS を超えるトラフィックの急増。",
				"実際の負荷に対してライセンスが小さいプラットフォーム。",
				"フルハンドシェイクが多い。セッション再開をしないクライアントや、TLS 接続を大量に開くスキャナー・フラッド。",
			},
			checks: []string{
				"ライセンスの SSL TPS を確認する: `tmsh show sys license detail`（SSL の TPS 上限の項目を見る）。",
				"一番忙しい仮想サーバのハンドシェイクのレートと比べ、急増の発生源を探す。",
				"主なクライアントでセッション再開（セッションキャッシュ、チケット）が効いているか確認する。再開したハンドシェイクはずっと軽い。",
			},
		},

		IDCertWillExpire: {
			title: "証明書の有効期限が近い",
			meaning: "tmsh の定期チェックで、{file} の証明書 `{subject}` の有効期限が近いことが分かった。期限は {date} GMT。" +
				"まだ何も失敗していないが、その日からは、この証明書を使うハンドシェイクが証明書を検証するすべてのクライアントで失敗する。",
			causes: []string{"証明書の有効期間が終わりに近づいているのに、まだ更新されていない。"},
			checks: []string{
				lineCheckUsedByJA,
				"日付を確認する: `tmsh list sys file ssl-cert {file}`。",
				"{date} より前に更新してプロファイルを更新する（または同じオブジェクトに更新後の証明書をインポートする）。",
			},
		},
		IDCertExpired: {
			title: "証明書の有効期限切れ",
			meaning: "tmsh の定期チェックで、{file} の証明書 `{subject}` がすでに有効期限切れ（{date} GMT）であることが分かった。" +
				"SSL プロファイルがこの証明書を返しているなら、証明書を検証するクライアントはすべてハンドシェイクを拒否する（curl なら `certificate has expired`）。アラートを送るのはクライアント側なので、BIG-IP には 01260013 のサマリ行しか出ない。",
			causes: []string{
				"証明書の更新が間に合わなかった。",
				"更新した証明書を別の名前でインポートし、プロファイルがまだ古い方を指している。",
				"クライアント認証用の CA やクライアント証明書のバンドル（ca-file）である。この場合は、それにつながるクライアント証明書の方が失敗する。",
				"どのプロファイルも使っていない古い証明書がストアに残っているだけ。この場合は何も失敗しないので、削除してよい。",
			},
			checks: []string{
				lineCheckUsedByJA,
				"更新してプロファイルを直し、中間証明書も一緒に返されるか確認する。",
				"BIG-IP の時計と NTP を確認する: `date` と `tmsh show sys ntp`。",
			},
		},

		IDRSTLimit: {
			title: "TCP リセットの送信レートを制限",
			meaning: "TMM は 1 秒あたりに送る TCP リセットの数を制限している。{rst_what} の応答が毎秒 {rst_from} に達し、{rst_to} に抑えられた（トラフィックグループ {traffic_group}）。" +
				"不要な接続や拒否された接続が大量に来ているときに出る背景ノイズで、それ自体は SSL の失敗ではない。本来クライアントに届くはずのリセットの一部が送られていない。",
			causes: []string{
				"ポートスキャン、または BIG-IP が拒否するポートやアドレスへの大量の接続。",
				"一度に大量の接続が拒否されている。client-ssl の仮想サーバにリセットされる平文 HTTP のクライアントや、使えるメンバーのないプールなど。",
				"SYN フラッド、または短い間隔で再試行を繰り返すおかしなクライアント。",
			},
			checks: []string{
				"発生源を探す: `tcpdump -ni 0.0:nnn -c 200 'tcp[tcpflags] & tcp-rst != 0'` で、リセットを受けている相手が分かる。",
				"同じ時間帯の SSL や接続のログを見て、拒否された接続を確認する。",
				"攻撃なら上流でフィルタする（ACL、レート制限）。この制限自体は BIG-IP を守るためのもの。",
			},
		},

		IDPoolMemberDown: {
			title: "ヘルスモニターによりプールメンバーがダウン",
			meaning: "mcpd がプール {pool} のメンバー {member} を {status} にした。{monitor_failed}。{duration}。" +
				"TLS ハンドシェイクに失敗した HTTPS モニターは、0126xxxx の SSL の行ではなくここに出る。メンバーが復帰するまで BIG-IP は新しい接続を送らず、生きているメンバーがないプールはクライアントをリセットするか拒否する。",
			causes: []string{
				"メンバー上のサービスが止まっているか、そのポートで待ち受けていない。",
				"BIG-IP のセルフ IP とメンバーの間のファイアウォールやルーティングの問題。",
				"モニターがサービスに合っていない。平文のポートに HTTPS モニター、TLS のポートに HTTP モニター、メンバーが拒否する TLS のバージョン・暗号スイート・SNI、合わなくなった受信文字列など。",
				"tcp_half_open（サンプルの行のように）の場合: メンバーが SYN に SYN-ACK を返さなかった。ポートが閉じているかフィルタされている。",
			},
			checks: []string{
				"`tmsh show ltm pool {pool} members` で各メンバーの状態とモニターの理由が分かる。",
				"BIG-IP 自身から、セルフ IP を送信元にして試す: HTTPS モニターなら `curl -vk --interface <self IP> https://<member address>:<port>/`、TCP なら `nc -vz <member address> <port>`。",
				"モニターの定義を読む: `tmsh list ltm monitor <type> {monitor}` で、何を送って何を期待しているかが分かる。",
			},
		},

		IDRSTSent: {
			title: "TCP リセットを送信（リセット理由のログ）",
			meaning: "BIG-IP が {left} から {right} へ TCP リセットを送り、その理由を記録した: [{rst_code}] {rst_reason}。この行は db キー tm.rstcause.log を有効にしている間だけ出る。" +
				"このメッセージの文言はログパーサーから推定したもので、そのままの形では確認されていないので、各項目はあくまで最善の読み取りとして扱う。",
			left:  "リセットを送った BIG-IP 側（仮想サーバ、サーバ側ならセルフ IP）",
			right: "リセットを受けた相手",
			causes: []string{
				"コードの後ろの理由が原因を示している。iRule のエラー、ハンドシェイクの失敗やタイムアウト、使えるプールメンバーがないなど。",
			},
			checks: []string{
				"理由 `{rst_reason}` を読み、同じエンドポイントの SSL の行が直前にないか探す。",
				"終わったらリセット理由のログを無効に戻す: `tmsh modify sys db tm.rstcause.log value disable`。",
			},
		},

		IDPeerCertVerify: {
			title: "ピアの証明書の検証エラー",
			meaning: "BIG-IP がピアの証明書を検証できなかった: {cert_subject} について深さ {depth}（0 がピア自身の証明書、1 がその発行者…）で `{verify_reason}`。" +
				"サーバ側で server-ssl プロファイルがプールメンバーの証明書を検証するとき、またはクライアント側で client-ssl プロファイルがクライアント証明書を必須にしているとき（peer-cert-mode require）に起きる。" +
				"このメッセージの文言は F5 の記事によるもので、確認済みのサンプルではない（確度は低〜中程度）。",
			causes: []string{
				"発行者がプロファイルの信頼する CA バンドル（ca-file）にない。未知の CA やプライベート CA、または中間証明書の欠落。",
				"証明書が有効期限切れか、有効期間がまだ始まっていない（双方の時計を確認する）。",
				"自己署名の証明書、または authenticate-depth（既定 9）より長い証明書チェーン。",
			},
			checks: []string{
				"検証エラーの理由を読む。`unable to get local issuer certificate` なら中間証明書か CA の不足、`certificate has expired` なら日付の問題。",
				"プロファイルを確認する: `tmsh list ltm profile server-ssl <profile> ca-file peer-cert-mode`（クライアント証明書なら client-ssl）。",
				"ピアの証明書チェーンを見る: `openssl s_client -connect <peer address>:<port> -showcerts </dev/null`。",
			},
		},

		lineThrottle: {
			title: "メッセージ {id} のログ抑制通知{throttled_title}",
			meaning: "`{throttle}` はログ抑制（スロットリング）の通知である。BIG-IP はこれを独自の ID ではなく、抑制したメッセージの ID（{id}）で書く。" +
				"同じ {id} のメッセージが集中してログのレート上限を超えたので、ここから先は一部がログに残っていない。行数を数えると件数を少なく見積もることになる。",
			causes: []string{
				"同じメッセージの集中。大量のハンドシェイク失敗を起こすスキャナーやフラッド、またはループで再試行を続ける壊れたクライアント。",
				"変更（証明書、プロファイル、プール）の後で、多くのクライアントが一斉に失敗している。",
			},
			checks: []string{
				"この行の直前にある {id} のメッセージを読む。抑制されているのはそのメッセージ。",
				"失敗の件数はログの行数ではなく統計で数える: `tmsh show ltm profile client-ssl <profile>` はログが抑制されていてもハンドシェイクの失敗を数えている。",
				"それらのメッセージに出ているアドレスから、集中の発生源を探す。",
			},
		},

		lineSession: {
			title:   "SSL ハンドシェイクの詳細: 完了したハンドシェイク（17.1 のセッションログ）",
			meaning: "BIG-IP 17.1 以降は、SSL のセッションログが有効なとき、完了したハンドシェイクについてこのイベントを（メッセージ ID なしで）書く。{left} -> {right} で {version}、{cipher} が使われた。何も失敗していない。",
			left:    "接続を開いた側（クライアント、サーバ側なら BIG-IP のセルフ IP/SNAT）",
			right:   "接続を受けた側（仮想サーバ、サーバ側ならプールメンバー）",
			checks:  []string{"対処は不要。同じ仮想サーバで失敗しているクライアントの行と比べると、バージョンや暗号スイートの違いから足りないものが分かることが多い。"},
		},
		lineSessionClient: {
			title: "SSL ハンドシェイクの詳細: 完了したクライアント側のハンドシェイク（17.1 のセッションログ）",
			meaning: "BIG-IP 17.1 以降は、SSL のセッションログが有効なとき、完了したハンドシェイクについてこのイベントを（メッセージ ID なしで）書く。" +
				"entity: client はクライアント側という意味で、{left} がクライアント、{right} が仮想サーバ。ハンドシェイクは {version}、{cipher} で、何も失敗していない。",
			left:   "クライアント",
			right:  "仮想サーバ",
			checks: []string{"対処は不要。同じ仮想サーバで失敗しているクライアントの行と比べると、バージョンや暗号スイートの違いから足りないものが分かることが多い。"},
		},
		lineSessionServer: {
			title: "SSL ハンドシェイクの詳細: 完了したサーバ側のハンドシェイク（17.1 のセッションログ）",
			meaning: "BIG-IP 17.1 以降は、SSL のセッションログが有効なとき、完了したハンドシェイクについてこのイベントを（メッセージ ID なしで）書く。" +
				"entity: server はサーバ側という意味で、{left} が BIG-IP のセルフ IP か SNAT アドレス、{right} がプールメンバー。ハンドシェイクは {version}、{cipher} で、何も失敗していない。",
			left:   "BIG-IP のセルフ IP か SNAT アドレス",
			right:  "プールメンバー",
			checks: []string{"対処は不要。それでもクライアントが失敗しているなら、問題はこの仮想サーバのクライアント側にある。"},
		},

		lineIRule: {
			title:   "iRule のログ出力（{irule}）",
			meaning: "`Rule <name> <EVENT>:` で始まる行は iRule の `log` コマンドの出力で、中身は iRule の作者が書いたものそのもの。メッセージ ID も決まった意味もない。",
			checks:  []string{"iRule を読む: `tmsh list ltm rule {irule}` で、この文言を書いている `log` コマンドを探す。"},
		},

		lineNoID: {
			title:   "メッセージ ID なし",
			meaning: "この行には BIG-IP のメッセージ ID がなく、文言も tlsgate が知っているメッセージのどれとも一致しないので、何のメッセージかは判断できない。行から読み取れたことを下に示す。",
			checks: []string{
				"/var/log/ltm にあるとおりの行を、`ID:severity:` の部分（`01260013:4:` など）も含めてそのまま貼り付ける。",
				"同じ秒・同じプロセスの前後の行を見る。",
			},
		},
		lineUnknown: {
			title: "未知のメッセージ ID {id}: tlsgate が知らないメッセージ",
			meaning: "tlsgate はメッセージ ID {id} の確認済みの文言を持っていないので、意味を推測しない。" +
				"ID はプロダクト {id_product}、サブセット {id_subset}、メッセージ番号 {id_number} と読める（F5 の K16197 の構成。プロダクト 01 が BIG-IP）。{id_subset_note}行から読み取れたことを下に示す。",
			checks: []string{
				"F5 のナレッジベース（my.f5.com）で `{id}` を検索する。",
				"同じ秒・同じプロセスの前後の行を見る。隣にある既知のメッセージから事情が分かることが多い。",
			},
		},
	}
}

// lineNotesJA mirrors lineNotesEN.
func lineNotesJA() map[string]string {
	return map[string]string{
		noteArrow:    "矢印は TCP 接続の向きで、ポートの変換を表すものではない。`x:80 -> y:443` は、たまたま送信元ポートが 80 だったクライアントが 443 番に接続したということで、80 番から 443 番へ何かが転送されたわけではない。",
		noteLowPort:  "ここでの左側のポートは {left_port}。小さい番号だが、これはクライアントの送信元ポート（クライアントや NAT 装置は空いているポートを何でも使う）であって、{left_port} 番で待ち受けているサービスではない。",
		noteVSPort80: "右側は 80 番ポート。80 番の仮想サーバに client-ssl プロファイルが付いていると、平文 HTTP のクライアントはすべてこのように失敗する。同じ秒に `not SSL` の行がないか探す。",
		noteRouteDomain: "アドレスの後の `%N` は BIG-IP のルートドメイン（{rd_addrs}: ルートドメイン {rd}）。ルートドメインはそれぞれ独立したルーティングテーブルなので、別のルートドメインにある同じ IP は別のネットワークの別のホストである。" +
			"tmsh はアドレスを `%N` 付き（{rd_ip}）で表示し、指定にも使うので、その形で検索する。キャプチャのフィルタやクライアントには `%N` のないアドレスを使う。0.0 でキャプチャすると別のルートドメインの同じ IP も一致するので、そのルートドメインの VLAN でキャプチャし（`tmsh list net route-domain` で各ルートドメインの ID と VLAN が分かる）、そのネットワークにいるクライアントから試す。",
		noteBadPort:        "{bad_ports}: TCP のポートは 0 から 65535 までの数なので、BIG-IP がこのポートを書くことはない。行は途中で壊れたか書き換えられた（コレクタ、コピー、手作業）。tlsgate はこのアドレスをコマンドに使わない。本当のポートは /var/log/ltm の元の行にある。",
		noteNullConnflow:   "`(null connflow)`: TMM にはこのメッセージの接続コンテキストがなく、どの接続のものかを結び付けられなかった。",
		noteIDFromText:     "この行にはメッセージ ID がない。tlsgate は文言から {id} と判断した。",
		noteSevMismatch:    "重大度の単語（{sev_word}）と ID の後の数字（{sev}）が食い違っている。行が編集されたか、収集側で書き換えられた可能性がある。",
		notePRIMismatch:    "syslog の優先度 <{pri}>（{pri_name}）と行自体の重大度（{sev} {sev_name}）が食い違っている。途中の収集側や中継が優先度を書き換えたので、フィルタやアラートは PRI ではなく行の中の重大度で行う。BIG-IP は LTM の行を local0 と行の重大度で転送する（warning なら <132>、info なら <134>）。",
		noteGroup:          "この {n} 行は 1 つの失敗した接続のもの。同じ秒・同じ {process}[{pid}] で、BIG-IP が書くとおり理由が先、サマリが最後に並んでいる。",
		notePeersMismatch:  "01260026 のピア（{peer_left}、{peer_right}）と 01260013 のエンドポイント（{left} -> {right}）が一致しない。これらの行は 1 つの接続のものではないかもしれない。",
		noteSubset26:       "サブセット 26 は TMM の SSL の処理なので SSL に関するメッセージだが、文言は確認されていない。",
		noteSubset42:       "サブセット 42 は tmsh が証明書のチェックを書く場所。",
		noteThrottleKnown:  "（{title}）",
		noteThrottleOther:  "（tlsgate が知らない ID）",
		noteUnknownValue:   "（行にない）",
		noteNone:           "（なし）",
		noteNoClient:       "<クライアントのアドレス>",
		noteNoVSAddr:       "<仮想サーバのアドレス>",
		noteNoVSPort:       "<仮想サーバのポート>",
		noteNoVS:           "<仮想サーバのアドレス>:<ポート>",
		noteMonitorNamed:   "ヘルスモニター {monitor} が失敗している（最後のエラー: {last_error}）",
		noteMonitorUnnamed: "ヘルスモニターが失敗している（行にはモニター名も最後のエラーも書かれていない）",
		noteUpUnknown:      "メンバーがそれまでどれだけ稼働していたかは行に書かれていない",
		noteNoMonitor:      "<モニター>",
	}
}
