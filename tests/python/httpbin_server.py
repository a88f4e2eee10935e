"""Runs PyPI `httpbin` (its real /digest-auth, /basic-auth, /bearer, /anything
endpoints) on 127.0.0.1 for the tests; prints `READY http://127.0.0.1:PORT`.

Usage: python httpbin_server.py   (exits when stdin closes)
"""
import sys
import threading

from httpbin import app
from werkzeug.serving import make_server


def main():
    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(f"READY http://127.0.0.1:{server.server_port}", flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()  # the test holds our stdin; EOF means it is gone
    server.shutdown()


if __name__ == "__main__":
    main()
