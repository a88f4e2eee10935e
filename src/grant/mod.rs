//! Phase 4 — **grant**: runs the OAuth 2.0 grant a plan describes against the
//! token endpoint, and keeps the tokens.
