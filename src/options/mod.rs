//! Phase 2 — **options**: the catalog of every option connstr knows (canonical
//! name, aliases, value type, default, secret flag, description). One table; the
//! CLI's help, the did-you-mean suggestions and the docs read from it.
