"""A resource server that checks AWS Signature Version 4 with botocore, AWS's
own Python implementation: for every request it rebuilds the request botocore
would have signed from what arrived (the signed headers, the body, the path as
sent, the query parameters decoded and encoded again the way botocore encodes
them) and recomputes the signature with the secret key it was started with.

Answers 200 {"verified": true, ...} when the signatures match, 403 with
botocore's canonical request otherwise. Prints `READY http://127.0.0.1:PORT`.

Usage: python sigv4_server.py ACCESS_KEY SECRET_KEY   (exits when stdin closes)
"""
import json
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.utils import percent_encode_sequence

ACCESS_KEY, SECRET_KEY = sys.argv[1], sys.argv[2]
AUTH_RE = re.compile(
    r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, "
    r"SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$"
)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        m = AUTH_RE.match(self.headers.get("Authorization", ""))
        if not m:
            return self.answer(401, {"error": "no AWS4-HMAC-SHA256 Authorization header"})
        access_key, date, region, service, signed, signature = m.groups()
        if access_key != ACCESS_KEY:
            return self.answer(403, {"error": "unknown access key"})
        path, _, query = self.path.partition("?")
        pairs = []
        for part in query.split("&") if query else []:
            k, _, v = part.partition("=")
            pairs.append((unquote(k), unquote(v)))
        url = f"http://{self.headers['Host']}{path}"
        if pairs:
            url += "?" + percent_encode_sequence(pairs)
        headers = {n: self.headers[n] for n in signed.split(";")}
        request = AWSRequest(method=self.command, url=url, data=body, headers=headers)
        amz_date = self.headers.get("X-Amz-Date", "")
        request.context["timestamp"] = amz_date
        auth = SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), service, region)
        canonical = auth.canonical_request(request)
        expected = auth.signature(auth.string_to_sign(request, canonical), request)
        result = {
            "verified": expected == signature,
            "service": service,
            "region": region,
            "date": date,
            "method": self.command,
            "path": path,
            "query": pairs,
            "canonical_request": canonical,
            "body": body.decode("utf-8", "replace"),
        }
        self.answer(200 if expected == signature else 403, result)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = handle_any


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(f"READY http://127.0.0.1:{server.server_port}", flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()
    server.shutdown()


if __name__ == "__main__":
    main()
