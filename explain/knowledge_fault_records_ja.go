package explain

// Japanese texts of recordKnowledge; they mirror sawFaultCorrupt* and
// checkCorrupt*.
const (
	sawFaultCorruptS2CJA = "壊れたレコードをクライアント自身が復号できずに失敗する。curl は TLS 1.3 なら `curl: (56) OpenSSL SSL_read: OpenSSL/3.0.19: error:0A000119:SSL routines::decryption failed or bad record mac, errno 0`（TLS 1.2 の AES-GCM なら `error:1C800066:Provider routines::cipher operation failed`）、openssl s_client は `decryption failed or bad record mac`、Go は `local error: tls: bad record MAC`、Python は `[SSL: DECRYPTION_FAILED_OR_BAD_RECORD_MAC] decryption failed or bad record mac`。ハンドシェイク自体は成功している。"
	sawFaultCorruptC2SJA = "クライアントのレコードを復号できなかったサーバが送るアラート 20 bad_record_mac を受け取る。curl は `curl: (56) OpenSSL SSL_read: OpenSSL/3.0.19: error:0A0003FC:SSL routines::sslv3 alert bad record mac, errno 0`、openssl s_client は `sslv3 alert bad record mac … SSL alert number 20`、Go は `remote error: tls: bad record MAC`、Python は `[SSL: SSLV3_ALERT_BAD_RECORD_MAC] sslv3 alert bad record mac`、Chrome は ERR_SSL_BAD_RECORD_MAC_ALERT。ハンドシェイク自体は成功している。"

	checkCorruptRetryJA   = "同じリクエストを数十回繰り返す（`for i in $(seq 30); do curl -sS -o /dev/null --cacert {lab_ca} {curl_target}; done`）。経路上での破損は、名前や証明書やクライアントに関係なくランダムに失敗し、流れるデータが多いほど失敗しやすい。"
	checkCorruptCompareJA = "疑わしい装置の両側で同時にキャプチャし（`tcpdump -ni any -s0 -w side.pcap host {client_ip} and port {vport}`）、同じ TCP セグメント（同じシーケンス番号）のペイロードを 2 つのキャプチャで比べる: `tshark -r side.pcap -Y 'tls.record.content_type == 23' -T fields -e tcp.seq -e tls.app_data`。違うバイトがあれば、間で書き換えられたもの。TCP のチェックサムは弱くすべての変化は捕まえられず、チェックサムをオフロードする NIC は破損の後で計算する。"
	checkCorruptCounterJA = "経路上のエラーカウンタを読む（`ip -s link`、`ethtool -S <iface> | grep -iE 'err|crc'`、スイッチポートの CRC・FCS エラー）。ホスト側でチェックサムとセグメンテーションのオフロードを切って再試行する（`ethtool -K <iface> rx off tx off tso off gro off`）。"
)

// recordKnowledgeJA is recordKnowledge in Japanese.
func recordKnowledgeJA() map[string]entry {
	const device = "実際のネットワークで、うまくいったハンドシェイクの後にレコードを復号できないのは、途中でバイトが変わったことを意味する。TCP の弱いチェックサムをすり抜けた（またはチェックサムのオフロードで隠れた）NIC・ケーブル・スイッチポートの故障、壊れたオフロードエンジン、あるいは通すだけのはずのペイロードを書き換えるミドルボックス（WAN 最適化装置、データを正規化する IPS、バッファにバグのあるプロキシ）。TCP が見逃したものを TLS が捕まえる。レコードの認証タグが合わなくなり、受け取った側は bad_record_mac で中断する。証明書・バージョン・暗号スイートには問題がなく、同じリクエストを繰り返すか別の経路を通ればうまくいくことが多い。"
	return map[string]entry{
		CodeFaultInjected + "/record_corrupt_s2c": {
			cause:     device + "この接続では、ハンドシェイク後にサーバが送った最初のレコードの 1 ビットがクライアントへ向かう途中で変わり、クライアントはそれを復号できなかった。",
			checks:    []string{checkCorruptRetryJA, checkCorruptCompareJA, checkCorruptCounterJA, checkFaultOffJA},
			clientSaw: sawFaultCorruptS2CJA,
		},
		CodeFaultInjected + "/record_corrupt_c2s": {
			cause:     device + "この接続では、ハンドシェイク後にクライアントが送った最初のレコードの 1 ビットがサーバへ向かう途中で変わり、サーバはそれを復号できずにアラート 20 bad_record_mac を返した。クライアントが読むのはサーバの判定で、クライアント自身の不具合ではない。",
			checks:    []string{checkCorruptRetryJA, checkCorruptCompareJA, checkCorruptCounterJA, checkFaultOffJA},
			clientSaw: sawFaultCorruptC2SJA,
		},
	}
}
