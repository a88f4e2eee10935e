/*
 * An ODBC application in C that gets its OAuth 2.0 access token from connstr
 * and connects through the driver manager (unixODBC) with the hand-off
 * connection string, as `connstr connect` does:
 *
 *   the application's string, without any AuthenticationMethod= or
 *   AccessToken= pair, then AuthenticationMethod=OAuth2-AccessToken;
 *   AccessToken={<token>}
 *
 * The grant's settings (TokenURI, ClientID, ClientSecret, ...) live in the
 * DSN's odbc.ini section; connstr resolves DSN= as the driver manager does,
 * keeps tokens in its token store ($CONNSTR_TOKEN_STORE) and refreshes them.
 *
 * Build:  cc odbc_token.c $(pkg-config --cflags --libs connstr) -lodbc
 * Run:    ./odbc_token 'DSN=oauth' 'SELECT customer FROM orders WHERE id = 1'
 */
#include <sql.h>
#include <sqlext.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "connstr.h"

/* `conn` without its AuthenticationMethod and AccessToken pairs (a value in
 * braces may hold ';'), then the pairs that hand the driver the token. */
static char *handoff(const char *conn, const char *token) {
  size_t cap = strlen(conn) + 2 * strlen(token) + 80;
  char *out = malloc(cap);
  if (out == NULL) return NULL;
  size_t len = 0;
  const char *p = conn;
  while (*p != '\0') {
    const char *start = p;
    int braces = 0;
    while (*p != '\0' && (braces || *p != ';')) {
      if (*p == '{') braces = 1;
      else if (*p == '}') braces = (p[1] == '}') ? (p++, 1) : 0;
      p++;
    }
    const char *key = start;
    while (*key == ' ') key++;
    int drop = strncasecmp(key, "AuthenticationMethod=", 21) == 0 ||
               strncasecmp(key, "AccessToken=", 12) == 0 || p == key;
    if (!drop) {
      if (len > 0) out[len++] = ';';
      memcpy(out + len, start, (size_t)(p - start));
      len += (size_t)(p - start);
    }
    if (*p == ';') p++;
  }
  len += (size_t)snprintf(out + len, cap - len, "%sAuthenticationMethod=OAuth2-AccessToken;AccessToken={",
                          len > 0 ? ";" : "");
  for (const char *t = token; *t != '\0'; t++) { /* '}' is doubled in braces */
    out[len++] = *t;
    if (*t == '}') out[len++] = '}';
  }
  out[len++] = '}';
  out[len] = '\0';
  return out;
}

static void odbc_error(SQLSMALLINT type, SQLHANDLE h, const char *what) {
  SQLCHAR state[6], message[512];
  SQLINTEGER native;
  SQLSMALLINT n;
  fprintf(stderr, "%s failed\n", what);
  for (SQLSMALLINT i = 1; SQLGetDiagRec(type, h, i, state, &native, message, sizeof message, &n) == SQL_SUCCESS; i++)
    fprintf(stderr, "  %s: %s\n", state, message);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s CONNECTION-STRING QUERY\n", argv[0]);
    return 2;
  }
  /* 1. The access token, from connstr. */
  connstr_source *source = NULL;
  char *token = NULL, *error = NULL;
  int64_t expires_at = 0;
  if (connstr_source_new(argv[1], &source, &error) != 0 ||
      connstr_source_token(source, &token, &expires_at, &error) != 0) {
    fprintf(stderr, "connstr: %s\n", error);
    connstr_string_free(error);
    connstr_source_free(source);
    return 1;
  }
  char *conn = handoff(argv[1], token);
  connstr_string_free(token); /* a secret: freed as soon as it is used */
  connstr_source_free(source);
  if (conn == NULL) return 1;
  printf("token expires at %lld (unix)\n", (long long)expires_at);

  /* 2. Connect through the driver manager and run the query. */
  int status = 1;
  SQLHENV env = SQL_NULL_HENV;
  SQLHDBC dbc = SQL_NULL_HDBC;
  SQLHSTMT stmt = SQL_NULL_HSTMT;
  SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env);
  SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
  SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc);
  SQLRETURN rc = SQLDriverConnect(dbc, NULL, (SQLCHAR *)conn, SQL_NTS, NULL, 0, NULL, SQL_DRIVER_NOPROMPT);
  memset(conn, 0, strlen(conn)); /* the string holds the token */
  free(conn);
  if (!SQL_SUCCEEDED(rc)) {
    odbc_error(SQL_HANDLE_DBC, dbc, "SQLDriverConnect");
    goto done;
  }
  SQLAllocHandle(SQL_HANDLE_STMT, dbc, &stmt);
  if (!SQL_SUCCEEDED(SQLExecDirect(stmt, (SQLCHAR *)argv[2], SQL_NTS))) {
    odbc_error(SQL_HANDLE_STMT, stmt, "SQLExecDirect");
    goto done;
  }
  SQLSMALLINT columns = 0;
  SQLNumResultCols(stmt, &columns);
  while (SQL_SUCCEEDED(SQLFetch(stmt))) {
    for (SQLSMALLINT c = 1; c <= columns; c++) {
      char value[256];
      SQLLEN ind = 0;
      SQLGetData(stmt, (SQLUSMALLINT)c, SQL_C_CHAR, value, sizeof value, &ind);
      printf("%s%s", c > 1 ? "\t" : "", ind == SQL_NULL_DATA ? "NULL" : value);
    }
    printf("\n");
  }
  status = 0;
done:
  if (stmt != SQL_NULL_HSTMT) SQLFreeHandle(SQL_HANDLE_STMT, stmt);
  SQLDisconnect(dbc);
  SQLFreeHandle(SQL_HANDLE_DBC, dbc);
  SQLFreeHandle(SQL_HANDLE_ENV, env);
  return status;
}
