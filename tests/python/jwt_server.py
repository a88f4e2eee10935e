"""An RFC 7523 authorization server: Authlib's JWTBearerGrant in a Flask app,
with a small protected API.

- POST /token: the JWT bearer grant (Authlib verifies the signature with the
  issuer's registered public key, `iss`, `aud` = this server's /token URL,
  `exp`; the `sub` must be a known subject).
- GET /api/whoami: 200 with the token's subject, client and scope for a token
  it issued, 401 (`WWW-Authenticate: Bearer error="invalid_token"`) otherwise.
- GET /stats: how many token requests arrived, and for each its form
  parameter names and the assertion's header and claims (decoded, for the
  tests' assertions on alg/kid/aud/jti).

Usage: python jwt_server.py --client ISS=PUBLIC_KEY.pem ... --subject SUB ...
Prints `READY http://127.0.0.1:PORT`; exits when its standard input closes.
"""
import argparse
import base64
import json
import sys
import threading
import time

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc7523 import JWTBearerGrant
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from flask import Flask, jsonify, request
from joserfc.jwk import ECKey, RSAKey
from werkzeug.serving import make_server

parser = argparse.ArgumentParser()
parser.add_argument("--client", action="append", default=[], help="ISS=PUBLIC_KEY.pem")
parser.add_argument("--subject", action="append", default=[], help="a subject the server knows")
args = parser.parse_args()

KEYS = {}
for c in args.client:
    iss, _, path = c.partition("=")
    with open(path, "rb") as f:
        pem = f.read()
    is_ec = isinstance(load_pem_public_key(pem), ec.EllipticCurvePublicKey)
    KEYS[iss] = ECKey.import_key(pem) if is_ec else RSAKey.import_key(pem)
SUBJECTS = set(args.subject)

app = Flask(__name__)
app.config["OAUTH2_TOKEN_EXPIRES_IN"] = {JWTBearerGrant.GRANT_TYPE: 3600}
LOCK = threading.Lock()
STATS = {"token_requests": 0, "requests": []}
TOKENS = {}
BASE = {}


class Client:
    def __init__(self, iss):
        self.client_id = iss

    def check_grant_type(self, grant_type):
        return grant_type == JWTBearerGrant.GRANT_TYPE

    def get_allowed_scope(self, scope):
        return scope or ""

    def check_endpoint_auth_method(self, method, endpoint):
        return method == "none"


class User:
    def __init__(self, sub):
        self.sub = sub

    def get_user_id(self):
        return self.sub


class Grant(JWTBearerGrant):
    def resolve_issuer_client(self, issuer):
        return Client(issuer) if issuer in KEYS else None

    def resolve_client_public_key(self, client):
        return KEYS[client.client_id]

    def authenticate_user(self, subject):
        return User(subject) if subject in SUBJECTS else None

    def has_granted_permission(self, client, user):
        return True

    def get_audiences(self):
        return [BASE["url"] + "/token"]


def query_client(client_id):
    return Client(client_id) if client_id in KEYS else None


def save_token(token, req):
    TOKENS[token["access_token"]] = {
        "client": req.client.client_id,
        "sub": req.user.sub if req.user else None,
        "scope": token.get("scope"),
        "expires": time.time() + token.get("expires_in", 3600),
    }


server = AuthorizationServer(app, query_client=query_client, save_token=save_token)
server.register_grant(Grant)


def decode_part(part):
    try:
        return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except Exception:  # noqa: BLE001 - a test server records what it can
        return None


@app.post("/token")
def token():
    form = request.form
    parts = (form.get("assertion") or "").split(".")
    with LOCK:
        STATS["token_requests"] += 1
        STATS["requests"].append(
            {
                "params": sorted(form.keys()),
                "authorization": "authorization" in request.headers,
                "scope": form.get("scope"),
                "header": decode_part(parts[0]) if len(parts) == 3 else None,
                "claims": decode_part(parts[1]) if len(parts) == 3 else None,
            }
        )
    return server.create_token_response()


@app.get("/api/whoami")
def whoami():
    auth = request.headers.get("Authorization", "")
    t = TOKENS.get(auth[len("Bearer "):]) if auth.startswith("Bearer ") else None
    if not t or t["expires"] < time.time():
        resp = jsonify({"error": "invalid_token"})
        resp.status_code = 401
        resp.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        return resp
    return jsonify({"sub": t["sub"], "client": t["client"], "scope": t["scope"]})


@app.get("/stats")
def stats():
    with LOCK:
        return jsonify(STATS)


def main():
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    BASE["url"] = f"http://127.0.0.1:{srv.server_port}"
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    print(f"READY {BASE['url']}", flush=True)
    sys.stdin.read()
    srv.shutdown()


if __name__ == "__main__":
    main()
