//! ProxyPassword, TruststorePassword, KeyStorePassword and KeyPassword never
//! appear in any output, error or log of `connstr check`, `explain` (human
//! and JSON) or `token` (a proxy that is down; PKCS#12 stores that do not
//! open), at every log level; random values. The proxy's refusals through a
//! real tinyproxy (a wrong ProxyPassword, none at all; `token` and `request
//! -v`) show neither the configured password nor the proxy's own.

mod support;

use proptest::prelude::*;
use support::cli;
use support::tinyproxy::{Tinyproxy, free_port};

/// `connstr ARGS` at log level `log` with `input` on its standard input:
/// standard output and standard error.
fn run(args: &[&str], input: &str, log: &str) -> String {
    let mut cmd = cli::command();
    cmd.args(args).env("CONNSTR_LOG", log).env("RUST_LOG", log);
    cli::text(&cli::run_with_input(&mut cmd, input))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    #[test]
    fn transport_passwords_never_shown(
        proxy in "[A-Za-z0-9]{12,24}",
        trust in "[A-Za-z0-9]{12,24}",
        keystore in "[A-Za-z0-9]{12,24}",
        key in "[A-Za-z0-9]{12,24}",
        log in prop::sample::select(vec!["info", "debug", "trace"]),
    ) {
        let dir = tempfile::tempdir().unwrap();
        // Not PEM: read as PKCS#12 with the passwords, which fails.
        let store = dir.path().join("store.p12");
        std::fs::write(&store, b"\x30\x03\x02\x01\x03 not a pkcs12 file").unwrap();
        let base = "AuthenticationMethod=OAuth2-ClientCredentials;ClientID=app;\
                    ClientSecret=Cl1ent-S3cret-xyz;TokenURI=POST http://127.0.0.1:9/token;";
        let via_proxy = format!(
            "{base}ProxyHost=127.0.0.1;ProxyPort={};ProxyUser=pxuser;ProxyPassword={proxy};WSRetryCount=0",
            free_port()
        );
        let with_stores = format!(
            "{base}Truststore={s};TruststorePassword={trust};KeyStore={s};KeyStorePassword={keystore};\
             KeyPassword={key};WSRetryCount=0",
            s = store.display()
        );
        let token_store = dir.path().join("tokens.json");
        let ts = token_store.to_str().unwrap();
        let mut outputs = Vec::new();
        for input in [&via_proxy, &with_stores] {
            outputs.push(run(&["check", "-"], input, log));
            outputs.push(run(&["explain", "-"], input, log));
            outputs.push(run(&["explain", "--format", "json", "-"], input, log));
            outputs.push(run(&["token", "--token-store", ts, "-"], input, log));
        }
        // The token runs failed for the transport's reasons, said so.
        prop_assert!(outputs[3].contains("cannot reach the proxy"), "{}", outputs[3]);
        prop_assert!(outputs[7].contains("Truststore"), "{}", outputs[7]);
        for out in &outputs {
            for secret in [&proxy, &trust, &keystore, &key] {
                prop_assert!(!out.contains(secret.as_str()), "secret shown:\n{out}");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4, ..ProptestConfig::default() })]

    #[test]
    fn proxy_refusals_never_show_a_proxy_password(
        right in "[A-Za-z0-9]{12,24}",
        wrong in "[A-Za-z0-9]{12,24}",
        log in prop::sample::select(vec!["info", "debug", "trace"]),
    ) {
        prop_assume!(right != wrong);
        let proxy = Tinyproxy::start("pxuser", &right);
        let dir = tempfile::tempdir().unwrap();
        let ts = dir.path().join("tokens.json");
        let ts = ts.to_str().unwrap();
        // Nothing listens at the target: the proxy refuses before forwarding.
        let target = format!("127.0.0.1:{}", free_port());
        let px = format!("ProxyHost=127.0.0.1;ProxyPort={};WSRetryCount=0", proxy.port);
        let wrong_px = format!("{px};ProxyUser=pxuser;ProxyPassword={wrong}");
        let token = |px: &str, scheme: &str| format!(
            "AuthenticationMethod=OAuth2-ClientCredentials;ClientID=app;\
             ClientSecret=Cl1ent-S3cret-xyz;TokenURI=POST {scheme}://{target}/token;{px}"
        );
        let bearer = format!("AuthenticationMethod=BearerToken;SecurityToken=t0k-value;{wrong_px}");
        let url = format!("http://{target}/data");
        let outputs = [
            run(&["token", "--token-store", ts, "-"], &token(&wrong_px, "http"), log),
            run(&["token", "--token-store", ts, "-"], &token(&wrong_px, "https"), log),
            run(&["token", "--token-store", ts, "-"], &token(&px, "http"), log),
            run(&["request", "-v", "-c", &bearer, &url], "", log),
            run(&["explain", "-"], &token(&wrong_px, "http"), log),
        ];
        for (i, out) in outputs.iter().enumerate().take(4) {
            let expected = if i == 2 { "no ProxyUser is set" } else { "refused the credentials of ProxyUser `pxuser`" };
            prop_assert!(out.contains(expected), "{i}: {out}");
        }
        for out in &outputs {
            for secret in [&right, &wrong] {
                prop_assert!(!out.contains(secret.as_str()), "proxy password shown:\n{out}");
            }
        }
    }
}
