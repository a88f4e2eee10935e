/*
 * The C test suite of libconnstr, written only against include/connstr.h.
 * Built with gcc -fsanitize=address,undefined and run by ffi/tests/c_api.rs,
 * which starts the real OAuth server (tests/oidc) and passes its settings in
 * the environment:
 *
 *   test_connstr check          check/explain/authorize/version, no server
 *   test_connstr nulls          every function with NULL arguments
 *   test_connstr print-check F  print connstr_check's JSON for file F
 *   test_connstr print-explain F
 *   test_connstr token          CONNSTR_TEST_CONN: a token, twice (cached)
 *   test_connstr expiry         CONNSTR_TEST_CONN, CONNSTR_TEST_MARGIN: a token,
 *                               then 16 threads at its refresh time
 *   test_connstr wrong-secret   CONNSTR_TEST_CONN with a wrong ClientSecret,
 *                               CONNSTR_TEST_SECRET: invalid_client, no secret
 *
 * Exit 0 when every check passed; every failure is printed. Everything
 * allocated is freed: LeakSanitizer checks that at exit.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "connstr.h"

static int failures = 0;

#define CHECK(cond, ...)                                                       \
  do {                                                                         \
    if (!(cond)) {                                                             \
      failures++;                                                              \
      fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);          \
      fprintf(stderr, __VA_ARGS__);                                            \
      fputc('\n', stderr);                                                     \
    }                                                                          \
  } while (0)

static int contains(const char *haystack, const char *needle) {
  return haystack != NULL && needle != NULL && strstr(haystack, needle) != NULL;
}

static const char *env(const char *name) {
  const char *v = getenv(name);
  if (v == NULL || *v == '\0') {
    fprintf(stderr, "test_connstr: %s is not set\n", name);
    exit(2);
  }
  return v;
}

static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    perror(path);
    exit(2);
  }
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap);
  size_t n;
  while (buf != NULL && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
    len += n;
    if (cap - len - 1 == 0) {
      char *bigger = realloc(buf, cap * 2);
      if (bigger == NULL) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = bigger;
      cap *= 2;
    }
  }
  fclose(f);
  if (buf == NULL) {
    exit(2);
  }
  buf[len] = '\0';
  return buf;
}

/* ---------------------------------------------------------------- check */

static void test_check(void) {
  const char *secret = "s3cr3t-Value-9f2";
  char *json = (char *)1;
  char bad[256];
  snprintf(bad, sizeof bad,
           "AuthenticationMethod=OAuth2-ClientCredentials;ClientID=app;"
           "ClientSecret={%s}",
           secret);
  int rc = connstr_check(bad, "<-c 1>", &json);
  CHECK(rc == 1, "rc=%d json=%s", rc, json);
  CHECK(contains(json, "\"missing-required\""), "%s", json);
  CHECK(contains(json, "\"source\":\"<-c 1>\""), "%s", json);
  CHECK(!contains(json, secret), "secret in the report: %s", json);
  connstr_string_free(json);

  char good[300];
  snprintf(good, sizeof good,
           "AuthenticationMethod=OAuth2-ClientCredentials;ClientID=app;"
           "ClientSecret={%s};TokenURI=POST https://as.example/token;Scope=api",
           secret);
  rc = connstr_check(good, NULL, &json);
  CHECK(rc == 0, "rc=%d json=%s", rc, json);
  CHECK(contains(json, "\"summary\":{\"errors\":0"), "%s", json);
  connstr_string_free(json);

  /* An odbc.ini, by its name and by its content. */
  const char *ini = "; mine\n[sales]\nDriver=DataDirect REST\n"
                    "AuthenticationMethod=Basic\nUser=ann\n";
  rc = connstr_check(ini, "odbc.ini", &json);
  CHECK(rc == 1, "rc=%d %s", rc, json);
  CHECK(contains(json, "\"section\":\"sales\""), "%s", json);
  CHECK(contains(json, "Password"), "%s", json);
  connstr_string_free(json);

  /* Explain: the plan, secrets redacted. */
  rc = connstr_explain(good, "conn.txt", &json);
  CHECK(rc == 0, "rc=%d %s", rc, json);
  CHECK(contains(json, "\"grant\":\"client_credentials\""), "%s", json);
  CHECK(contains(json, "\"client_secret\":\"<redacted>\""), "%s", json);
  CHECK(!contains(json, secret), "secret in the plan: %s", json);
  connstr_string_free(json);
  rc = connstr_explain(bad, "conn.txt", &json);
  CHECK(rc == 1, "rc=%d %s", rc, json);
  CHECK(contains(json, "\"plan\":null"), "%s", json);
  connstr_string_free(json);

  /* Not UTF-8: could not run, an error document. */
  rc = connstr_check("User=\xe9t\xe9", NULL, &json);
  CHECK(rc == CONNSTR_ERR_UTF8, "rc=%d", rc);
  CHECK(contains(json, "\"error\""), "%s", json);
  connstr_string_free(json);

  /* Version. */
  const char *v = connstr_version();
  CHECK(v != NULL && v[0] >= '0' && v[0] <= '9' && strchr(v, '.') != NULL,
        "version %s", v ? v : "(null)");

  /* Authorize without a server: a static UrlParameter token and a header. */
  connstr_source *s = NULL;
  char *error = NULL;
  rc = connstr_source_new("AuthenticationMethod=UrlParameter;AuthParam=key;"
                          "SecurityToken={tok-Value-77}",
                          &s, &error);
  CHECK(rc == 0 && s != NULL, "rc=%d error=%s", rc, error);
  connstr_string_free(error);
  char *headers = NULL, *url = NULL;
  rc = connstr_authorize(s, "GET", "https://api.example/v1/items?page=2",
                         &headers, &url, &error);
  CHECK(rc == 0, "rc=%d error=%s", rc, error);
  CHECK(headers != NULL && strcmp(headers, "{}") == 0, "headers=%s", headers);
  CHECK(url != NULL &&
            strcmp(url, "https://api.example/v1/items?page=2&key=tok-Value-77") == 0,
        "url=%s", url);
  connstr_string_free(headers);
  connstr_string_free(url);
  connstr_string_free(error);
  /* Not OAuth: no token. */
  char *token = NULL;
  int64_t exp = 42;
  rc = connstr_source_token(s, &token, &exp, &error);
  CHECK(rc == CONNSTR_ERR_NOT_OAUTH && token == NULL && exp == 0, "rc=%d", rc);
  CHECK(contains(error, "OAuth 2.0"), "error=%s", error);
  connstr_string_free(error);
  /* A bad URL. */
  rc = connstr_authorize(s, "GET", "not a url", &headers, &url, &error);
  CHECK(rc == CONNSTR_ERR_INPUT && headers == NULL && url == NULL, "rc=%d", rc);
  CHECK(contains(error, "url"), "error=%s", error);
  connstr_string_free(error);
  connstr_source_free(s);

  rc = connstr_source_new("AuthenticationMethod=HttpHeader;AuthHeader=X-Api-Key;"
                          "SecurityToken={k-123456}",
                          &s, &error);
  CHECK(rc == 0, "rc=%d error=%s", rc, error);
  rc = connstr_authorize(s, "POST", "https://api.example/", &headers, NULL,
                         &error);
  CHECK(rc == 0 && contains(headers, "\"X-Api-Key\":\"k-123456\""),
        "rc=%d headers=%s", rc, headers);
  connstr_string_free(headers);
  connstr_source_free(s);

  /* A configuration with errors: listed with hints, secret never. */
  rc = connstr_source_new(bad, &s, &error);
  CHECK(rc == CONNSTR_ERR_CONFIG && s == NULL, "rc=%d", rc);
  CHECK(contains(error, "missing-required") && contains(error, "TokenURI"),
        "error=%s", error);
  CHECK(!contains(error, secret), "secret in the error: %s", error);
  connstr_string_free(error);
  /* error may be NULL: only the code. */
  rc = connstr_source_new(bad, &s, NULL);
  CHECK(rc == CONNSTR_ERR_CONFIG && s == NULL, "rc=%d", rc);
}

/* ---------------------------------------------------------------- nulls */

static void test_nulls(void) {
  char *out = NULL, *error = NULL, *url = NULL;
  int64_t exp = 7;
  connstr_source *s = NULL;

  CHECK(connstr_check(NULL, NULL, &out) == CONNSTR_ERR_NULL, "check text");
  CHECK(contains(out, "text"), "%s", out);
  connstr_string_free(out);
  CHECK(connstr_check("DSN=a", NULL, NULL) == CONNSTR_ERR_NULL, "check out");
  CHECK(connstr_explain(NULL, "x", &out) == CONNSTR_ERR_NULL, "explain text");
  connstr_string_free(out);
  CHECK(connstr_explain("DSN=a", "x", NULL) == CONNSTR_ERR_NULL, "explain out");

  CHECK(connstr_source_new(NULL, &s, &error) == CONNSTR_ERR_NULL && s == NULL,
        "source_new conn");
  CHECK(contains(error, "conn"), "%s", error);
  connstr_string_free(error);
  CHECK(connstr_source_new("AuthenticationMethod=None", NULL, &error) ==
            CONNSTR_ERR_NULL,
        "source_new out");
  connstr_string_free(error);
  CHECK(connstr_source_new(NULL, NULL, NULL) == CONNSTR_ERR_NULL, "all NULL");

  CHECK(connstr_source_token(NULL, &out, &exp, &error) == CONNSTR_ERR_NULL &&
            out == NULL && exp == 0,
        "token s");
  CHECK(contains(error, "connstr_source_new"), "%s", error);
  connstr_string_free(error);
  CHECK(connstr_source_token(NULL, NULL, NULL, NULL) == CONNSTR_ERR_NULL,
        "token all NULL");

  CHECK(connstr_source_new("AuthenticationMethod=BearerToken;SecurityToken={abcd1234}",
                           &s, &error) == 0,
        "bearer source: %s", error);
  CHECK(connstr_source_token(s, NULL, &exp, &error) == CONNSTR_ERR_NULL,
        "token out");
  CHECK(contains(error, "access_token"), "%s", error);
  connstr_string_free(error);
  error = NULL;
  CHECK(connstr_authorize(NULL, "GET", "https://a.example/", &out, &url, &error) ==
            CONNSTR_ERR_NULL,
        "authorize s");
  connstr_string_free(error);
  CHECK(connstr_authorize(s, NULL, "https://a.example/", &out, &url, &error) ==
            CONNSTR_ERR_NULL,
        "authorize method");
  CHECK(contains(error, "method"), "%s", error);
  connstr_string_free(error);
  CHECK(connstr_authorize(s, "GET", NULL, &out, &url, &error) == CONNSTR_ERR_NULL,
        "authorize url");
  connstr_string_free(error);
  /* Results not wanted: fine. */
  CHECK(connstr_authorize(s, "GET", "https://a.example/", NULL, NULL, NULL) == 0,
        "authorize, no outputs");
  connstr_source_free(s);

  connstr_source_free(NULL);
  connstr_string_free(NULL);
}

/* ---------------------------------------------------------------- tokens */

static connstr_source *source_from_env(void) {
  connstr_source *s = NULL;
  char *error = NULL;
  int rc = connstr_source_new(env("CONNSTR_TEST_CONN"), &s, &error);
  if (rc != 0) {
    fprintf(stderr, "connstr_source_new: %d %s\n", rc, error ? error : "");
    connstr_string_free(error);
    exit(1);
  }
  return s;
}

static char *token_or_die(connstr_source *s, int64_t *exp) {
  char *token = NULL, *error = NULL;
  int rc = connstr_source_token(s, &token, exp, &error);
  if (rc != 0) {
    fprintf(stderr, "connstr_source_token: %d %s\n", rc, error ? error : "");
    connstr_string_free(error);
    exit(1);
  }
  return token;
}

static void test_token(void) {
  connstr_source *s = source_from_env();
  int64_t exp1 = 0, exp2 = 0;
  char *t1 = token_or_die(s, &exp1);
  char *t2 = token_or_die(s, &exp2);
  CHECK(strlen(t1) > 16, "token length %zu", strlen(t1));
  CHECK(strcmp(t1, t2) == 0, "the second call is not the cached token");
  CHECK(exp1 > (int64_t)time(NULL) && exp1 == exp2, "expires_at %lld",
        (long long)exp1);
  /* authorize: the same token as a Bearer header. */
  char *headers = NULL, *url = NULL, *error = NULL;
  int rc = connstr_authorize(s, "GET", "https://api.example/data", &headers, &url,
                             &error);
  CHECK(rc == 0, "rc=%d %s", rc, error);
  char want[4096];
  snprintf(want, sizeof want, "{\"Authorization\":\"Bearer %s\"}", t1);
  CHECK(headers != NULL && strcmp(headers, want) == 0, "headers=%s", headers);
  CHECK(url != NULL && strcmp(url, "https://api.example/data") == 0, "url=%s", url);
  printf("token-length %zu\n", strlen(t1));
  connstr_string_free(headers);
  connstr_string_free(url);
  connstr_string_free(error);
  connstr_string_free(t1);
  connstr_string_free(t2);
  connstr_source_free(s);
}

#define THREADS 16

struct waiter {
  connstr_source *s;
  pthread_barrier_t *barrier;
  char *token;
  int rc;
};

static void *wait_for_token(void *arg) {
  struct waiter *w = arg;
  char *error = NULL;
  int64_t exp = 0;
  pthread_barrier_wait(w->barrier);
  w->rc = connstr_source_token(w->s, &w->token, &exp, &error);
  if (w->rc != 0) {
    fprintf(stderr, "thread: %d %s\n", w->rc, error ? error : "");
  }
  connstr_string_free(error);
  return NULL;
}

static void test_expiry(void) {
  long margin = strtol(env("CONNSTR_TEST_MARGIN"), NULL, 10);
  connstr_source *s = source_from_env();
  int64_t exp = 0;
  char *first = token_or_die(s, &exp);
  /* Wait until the token is surely due for refresh. The source refreshes at
     the margin before expiry or at half the token's remaining life when it
     was cached, whichever comes later (8 s tokens: 3.5-4 s before expiry,
     depending on how long the request took), and `exp` is in whole seconds
     (rounded down): waiting until margin/2 before it is past that point in
     every case and still leaves the refresh time before the token expires.
     (Waiting until margin - 1 s before it raced the half-life rule.) */
  int64_t due = exp - margin / 2;
  while ((int64_t)time(NULL) < due) {
    struct timespec ts = {0, 100 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  pthread_barrier_t barrier;
  pthread_barrier_init(&barrier, NULL, THREADS);
  pthread_t threads[THREADS];
  struct waiter w[THREADS];
  for (int i = 0; i < THREADS; i++) {
    w[i] = (struct waiter){s, &barrier, NULL, -100};
    if (pthread_create(&threads[i], NULL, wait_for_token, &w[i]) != 0) {
      fprintf(stderr, "pthread_create failed\n");
      exit(2);
    }
  }
  for (int i = 0; i < THREADS; i++) {
    pthread_join(threads[i], NULL);
  }
  pthread_barrier_destroy(&barrier);
  for (int i = 0; i < THREADS; i++) {
    CHECK(w[i].rc == 0 && w[i].token != NULL, "thread %d rc=%d", i, w[i].rc);
    CHECK(w[i].token == NULL || strcmp(w[i].token, first) != 0,
          "thread %d got the expired token", i);
    CHECK(w[i].token == NULL || w[0].token == NULL ||
              strcmp(w[i].token, w[0].token) == 0,
          "thread %d got another token than thread 0", i);
  }
  for (int i = 0; i < THREADS; i++) {
    connstr_string_free(w[i].token);
  }
  printf("threads %d\n", THREADS);
  connstr_string_free(first);
  connstr_source_free(s);
}

static void test_wrong_secret(void) {
  const char *secret = env("CONNSTR_TEST_SECRET");
  connstr_source *s = source_from_env();
  char *token = NULL, *error = NULL;
  int64_t exp = 5;
  int rc = connstr_source_token(s, &token, &exp, &error);
  CHECK(rc == CONNSTR_ERR_TOKEN && token == NULL && exp == 0, "rc=%d", rc);
  CHECK(contains(error, "invalid_client"), "error=%s", error);
  CHECK(contains(error, "hint"), "no hint: %s", error);
  CHECK(!contains(error, secret), "secret in the error: %s", error);
  printf("error: %s\n", error ? error : "(null)");
  connstr_string_free(error);
  connstr_source_free(s);
}

static int print_doc(const char *path, int explain) {
  char *text = read_file(path);
  char *json = NULL;
  int rc = explain ? connstr_explain(text, path, &json)
                   : connstr_check(text, path, &json);
  fputs(json ? json : "", stdout);
  connstr_string_free(json);
  free(text);
  return rc < 0 ? 2 : rc;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: test_connstr MODE\n");
    return 2;
  }
  const char *mode = argv[1];
  if (strcmp(mode, "print-check") == 0 && argc == 3) {
    return print_doc(argv[2], 0);
  } else if (strcmp(mode, "print-explain") == 0 && argc == 3) {
    return print_doc(argv[2], 1);
  } else if (strcmp(mode, "check") == 0) {
    test_check();
  } else if (strcmp(mode, "nulls") == 0) {
    test_nulls();
  } else if (strcmp(mode, "token") == 0) {
    test_token();
  } else if (strcmp(mode, "expiry") == 0) {
    test_expiry();
  } else if (strcmp(mode, "wrong-secret") == 0) {
    test_wrong_secret();
  } else {
    fprintf(stderr, "unknown mode %s\n", mode);
    return 2;
  }
  if (failures > 0) {
    fprintf(stderr, "%s: %d failure(s)\n", mode, failures);
    return 1;
  }
  printf("%s: ok\n", mode);
  return 0;
}
