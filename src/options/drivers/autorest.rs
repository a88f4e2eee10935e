//! DataDirect Autonomous REST Connector (ODBC 8.0, JDBC 6.0): the catalog of
//! AUTOREST_OPTIONS.md, kept in `options/autorest.rs` (the product's own
//! options, used by the auth plan).

use super::{Profile, Recognise};

pub(super) static PROFILE: Profile = Profile {
    id: "autorest",
    name: "Progress DataDirect Autonomous REST Connector",
    aliases: &["autonomous-rest", "datadirect-autorest", "rest"],
    options: crate::options::autorest::CATALOG,
    obsolete: &[],
    recognise: Recognise {
        // ODBCHOME/lib/iv<code>xx.so (32-bit), dd<code>xx.so (64-bit).
        libraries: &[
            "ivautorest*",
            "ddautorest*",
            "*autorest*.so",
            "*autorest*.dll",
        ],
        // `DataDirect REST`: a DataDirect driver named for REST is this one.
        driver_names: &["*autonomous rest*", "*autorest*", "datadirect*rest*"],
        // jdbc:datadirect:autorest: and OEM-branded prefixes (jdbc:acme:autorest:).
        jdbc: &["datadirect:autorest", "*:autorest"],
        telltale: &["RestConfigFile", "RestSamplePath", "RESTSamplePath"],
    },
    source: "AUTOREST_OPTIONS.md (ODBC 8.0, JDBC 6.0)",
};
