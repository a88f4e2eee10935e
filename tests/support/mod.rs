//! Shared test support. Include from an integration test with `mod support;`.
//!
//! Each test crate uses a different part of this module, so unused items are expected.
#![allow(dead_code)]

pub mod cli;
pub mod lines;
pub mod login;
pub mod oidc;
pub mod pki;
pub mod python;
pub mod redis_server;
pub mod tinyproxy;
