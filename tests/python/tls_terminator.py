"""A TLS terminator for the tests: accepts TLS on 127.0.0.1 with the given
certificate and key, and pipes the decrypted bytes to a plain TCP backend
(oidc-provider, httpbin, ...) and back. Prints `READY https://127.0.0.1:PORT`.
Standard library only.

Usage: python tls_terminator.py --cert srv.pem --key srv.key --backend 127.0.0.1:PORT
       [--client-ca ca.pem]   (require a client certificate signed by that CA)
(exits when stdin closes)
"""
import argparse
import socket
import ssl
import sys
import threading


def pipe(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def handle(raw, context, backend):
    try:
        tls = context.wrap_socket(raw, server_side=True)
    except (ssl.SSLError, OSError) as e:
        print(f"handshake failed: {e}", file=sys.stderr, flush=True)
        raw.close()
        return
    try:
        upstream = socket.create_connection(backend)
    except OSError as e:
        print(f"backend: {e}", file=sys.stderr, flush=True)
        tls.close()
        return
    t = threading.Thread(target=pipe, args=(upstream, tls), daemon=True)
    t.start()
    pipe(tls, upstream)
    t.join()
    tls.close()
    upstream.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--backend", required=True)
    ap.add_argument("--client-ca")
    args = ap.parse_args()
    host, port = args.backend.rsplit(":", 1)
    backend = (host, int(port))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    if args.client_ca:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(args.client_ca)
    listener = socket.create_server(("127.0.0.1", 0))
    print(f"READY https://127.0.0.1:{listener.getsockname()[1]}", flush=True)

    def accept():
        while True:
            conn, _ = listener.accept()
            threading.Thread(target=handle, args=(conn, context, backend), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    sys.stdin.read()  # the test holds our stdin; EOF means it is gone


if __name__ == "__main__":
    main()
