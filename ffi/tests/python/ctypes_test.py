"""libconnstr from Python through ctypes, knowing only include/connstr.h.

The error codes are read from the header's #defines and every prototype is
declared from its declarations as written there; nothing else about the
library is assumed. Run by ffi/tests/c_api.rs with:
  CONNSTR_LIB        path to libconnstr.so
  CONNSTR_HEADER     path to include/connstr.h
  CONNSTR_TEST_CONN  a client-credentials configuration for the test server
  CONNSTR_TOKEN_STORE
"""
import ctypes
import json
import os
import re
import sys
import threading

header = open(os.environ["CONNSTR_HEADER"], encoding="utf-8").read()
codes = {m[0]: int(m[1]) for m in re.findall(r"#define (CONNSTR_ERR_\w+) \(?(-?\d+)\)?", header)}
assert codes.get("CONNSTR_ERR_NULL") == -1, codes

# The prototypes, as the header declares them.
for decl in [
    "int connstr_check(const char *text, const char *origin, char **report_json);",
    "int connstr_explain(const char *text, const char *origin, char **plan_json);",
    "int connstr_source_new(const char *conn, connstr_source **out, char **error);",
    "int connstr_source_token(connstr_source *s, char **access_token, int64_t *expires_at, char **error);",
    "void connstr_source_free(connstr_source *s);",
    "void connstr_string_free(char *s);",
    "const char *connstr_version(void);",
]:
    assert decl in re.sub(r"\s+", " ", header), "header does not declare: " + decl

lib = ctypes.CDLL(os.environ["CONNSTR_LIB"])
c_str = ctypes.c_char_p
out_str = ctypes.POINTER(ctypes.c_void_p)  # char ** (freed by connstr_string_free)
lib.connstr_check.argtypes = [c_str, c_str, out_str]
lib.connstr_check.restype = ctypes.c_int
lib.connstr_explain.argtypes = [c_str, c_str, out_str]
lib.connstr_explain.restype = ctypes.c_int
lib.connstr_source_new.argtypes = [c_str, ctypes.POINTER(ctypes.c_void_p), out_str]
lib.connstr_source_new.restype = ctypes.c_int
lib.connstr_source_token.argtypes = [
    ctypes.c_void_p, out_str, ctypes.POINTER(ctypes.c_int64), out_str]
lib.connstr_source_token.restype = ctypes.c_int
lib.connstr_source_free.argtypes = [ctypes.c_void_p]
lib.connstr_source_free.restype = None
lib.connstr_string_free.argtypes = [ctypes.c_void_p]
lib.connstr_string_free.restype = None
lib.connstr_version.argtypes = []
lib.connstr_version.restype = c_str


def take(p):
    """The text of a returned char *, then freed as the header says."""
    if not p.value:
        return None
    text = ctypes.string_at(p.value).decode("utf-8")
    lib.connstr_string_free(p.value)
    return text


failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


version = lib.connstr_version().decode()
check(re.match(r"^\d+\.\d+\.\d+", version), "version " + version)

out = ctypes.c_void_p()
rc = lib.connstr_check(b"AuthenticationMethod=Basic;User=ann", b"<py>", ctypes.byref(out))
doc = json.loads(take(out))
check(rc == 1 and doc["summary"]["errors"] >= 1, "check rc=%d %s" % (rc, doc))
check(doc["diagnostics"][0]["lint"] == "missing-required", str(doc))

rc = lib.connstr_explain(os.environ["CONNSTR_TEST_CONN"].encode(), None, ctypes.byref(out))
doc = json.loads(take(out))
check(rc == 0 and doc["targets"][0]["plan"]["grant"] == "client_credentials", str(doc))
check(doc["targets"][0]["plan"]["client_secret"] == "<redacted>", str(doc))

rc = lib.connstr_check(None, None, ctypes.byref(out))
check(rc == codes["CONNSTR_ERR_NULL"] and "error" in json.loads(take(out)), "NULL text")

source = ctypes.c_void_p()
err = ctypes.c_void_p()
rc = lib.connstr_source_new(os.environ["CONNSTR_TEST_CONN"].encode(), ctypes.byref(source), ctypes.byref(err))
check(rc == 0 and source.value, "source_new rc=%d %s" % (rc, take(err)))

tokens = []
lock = threading.Lock()


def ask():
    tok, e = ctypes.c_void_p(), ctypes.c_void_p()
    exp = ctypes.c_int64()
    r = lib.connstr_source_token(source, ctypes.byref(tok), ctypes.byref(exp), ctypes.byref(e))
    with lock:
        tokens.append((r, take(tok), exp.value, take(e)))


threads = [threading.Thread(target=ask) for _ in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
check(all(r == 0 for r, _, _, _ in tokens), "token errors %s" % [e for _, _, _, e in tokens])
check(len({t for _, t, _, _ in tokens}) == 1, "threads got different tokens")
check(all(exp > 0 for _, _, exp, _ in tokens), "expires_at")

tok = ctypes.c_void_p()
rc = lib.connstr_source_token(None, ctypes.byref(tok), None, ctypes.byref(err))
check(rc == codes["CONNSTR_ERR_NULL"] and tok.value is None, "NULL source rc=%d" % rc)
check("connstr_source_new" in (take(err) or ""), "NULL source message")
lib.connstr_source_free(source)
lib.connstr_source_free(None)
lib.connstr_string_free(None)

if failures:
    sys.exit(1)
print("ctypes: ok")
