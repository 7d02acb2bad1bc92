"""A Python ssl client for the fault e2e tests.

usage: pyclient.py HOST PORT SNI CAFILE PATH TIMEOUT [ALPN] [MAXVER]

Connects, prints "PORT <local port>", handshakes with SNI (empty: none),
sends GET PATH with Connection: close, reads to the end, and prints either
"OK <status>" and "BODYHEX <hex>" or "ERR <ExceptionClass>: <message>".
"""
import socket
import ssl
import sys


def main():
    host, port, sni, cafile, path, timeout = sys.argv[1:7]
    alpn = sys.argv[7] if len(sys.argv) > 7 else ""
    maxver = sys.argv[8] if len(sys.argv) > 8 else ""
    ctx = ssl.create_default_context(cafile=cafile)
    if alpn:
        ctx.set_alpn_protocols([alpn])
    if maxver == "1.2":
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    if not sni:
        ctx.check_hostname = False
    sock = socket.create_connection((host, int(port)), timeout=float(timeout))
    print("PORT", sock.getsockname()[1], flush=True)
    try:
        tls = ctx.wrap_socket(sock, server_hostname=sni or None)
        req = "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % (path, sni or host)
        tls.sendall(req.encode())
        data = b""
        while True:
            chunk = tls.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        status = head.split(b" ", 2)[1].decode()
        print("OK", status)
        print("BODYHEX", body.hex())
    except Exception as e:  # the class is what the test checks
        print("ERR %s: %s" % (type(e).__name__, e))
    finally:
        sock.close()


main()
