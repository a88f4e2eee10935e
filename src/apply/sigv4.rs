//! AWS Signature Version 4 (`AuthenticationMethod=AWS`) with AWS's own
//! signer, the `aws-sigv4` crate (the one the AWS SDK for Rust signs with).
//!
//! What this module decides itself is only *which service* to sign for; the
//! canonical request (URI path and query encoding, sorted and repeated
//! parameters, signed headers) is the signer's.

use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningSettings,
    UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use url::Url;

use crate::secret::Secret;

/// The Region the driver signs for when Region is not set.
pub const DEFAULT_REGION: &str = "us-east-1";

/// The service signed for when the host is not an AWS endpoint name (a custom
/// domain, a private endpoint, a test server): API Gateway's, the AWS service
/// behind most REST APIs a REST connector reaches.
pub const FALLBACK_SERVICE: &str = "execute-api";

/// The rule [`service_for_host`] follows, in words (for `connstr explain`).
pub const SERVICE_RULE: &str = "the signing service comes from the endpoint's host name, as AWS \
     SDKs name their endpoints: <service>.<region>.amazonaws.com (also with a bucket or API id \
     in front, `-fips`/`dualstack` variants and `.amazonaws.com.cn`), the legacy \
     s3-<region> and <region>.<service> forms; any other host signs for `execute-api` \
     (API Gateway)";

fn is_region(label: &str) -> bool {
    // us-east-1, eu-central-2, us-gov-west-1, cn-north-1, ap-southeast-4, il-central-1 …
    let parts: Vec<&str> = label.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[0].bytes().all(|b| b.is_ascii_lowercase())
        && parts[1..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty()
}

/// The signing service for an endpoint host (see [`SERVICE_RULE`]).
///
/// ```
/// use connstr::apply::sigv4::service_for_host;
/// assert_eq!(service_for_host("sts.us-west-2.amazonaws.com"), "sts");
/// assert_eq!(service_for_host("abc123.execute-api.eu-west-1.amazonaws.com"), "execute-api");
/// assert_eq!(service_for_host("my-bucket.s3.us-east-2.amazonaws.com"), "s3");
/// assert_eq!(service_for_host("s3-eu-west-1.amazonaws.com"), "s3");
/// assert_eq!(service_for_host("search-logs-x1.us-east-1.es.amazonaws.com"), "es");
/// assert_eq!(service_for_host("api.example.com"), "execute-api");
/// ```
pub fn service_for_host(host: &str) -> String {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let Some(rest) = host
        .strip_suffix(".amazonaws.com")
        .or_else(|| host.strip_suffix(".amazonaws.com.cn"))
        .or_else(|| host.strip_suffix(".api.aws"))
    else {
        return FALLBACK_SERVICE.to_owned();
    };
    let labels: Vec<&str> = rest
        .split('.')
        .filter(|l| !l.is_empty() && *l != "dualstack" && *l != "fips")
        .collect();
    let Some(&last) = labels.last() else {
        return FALLBACK_SERVICE.to_owned();
    };
    let service = if is_region(last) {
        // <service>.<region> (with anything in front)
        match labels.len() {
            1 => return FALLBACK_SERVICE.to_owned(),
            n => labels[n - 2],
        }
    } else {
        // <service> alone, <region>.<service> (legacy es/ec2 forms), s3-<region>
        last
    };
    if let Some(region) = service.strip_prefix("s3-")
        && is_region(region)
    {
        return "s3".to_owned();
    }
    if service == "s3-external-1" {
        return "s3".to_owned();
    }
    service.trim_end_matches("-fips").to_owned()
}

/// AWS credentials and Region (AccessKey, SecretKey, Region).
#[derive(Clone, Debug)]
pub struct AwsSigner {
    access_key: String,
    secret_key: Secret,
    region: String,
}

/// Why a request could not be signed (never includes a key).
#[derive(Clone, Debug, thiserror::Error)]
#[error("AWS signature: {0}")]
pub struct SignError(String);

impl AwsSigner {
    /// A signer for these credentials; an empty region means
    /// [`DEFAULT_REGION`].
    pub fn new(access_key: &str, secret_key: Secret, region: &str) -> Self {
        let region = if region.trim().is_empty() {
            DEFAULT_REGION.to_owned()
        } else {
            region.trim().to_owned()
        };
        AwsSigner {
            access_key: access_key.to_owned(),
            secret_key,
            region,
        }
    }

    /// The Region signed for.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The headers to add (`authorization`, `x-amz-date`, and
    /// `x-amz-content-sha256` for S3) so that `method url` with `headers` and
    /// `body` carries a valid signature at `time` (`None` for a streamed body:
    /// signed as `UNSIGNED-PAYLOAD`).
    ///
    /// ```
    /// use connstr::Secret;
    /// use connstr::apply::sigv4::AwsSigner;
    /// let s = AwsSigner::new("AKIDEXAMPLE", Secret::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), "");
    /// let url = "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15".parse().unwrap();
    /// let h = s.sign("GET", &url, &[], Some(b""), std::time::SystemTime::now()).unwrap();
    /// let auth = &h.iter().find(|(n, _)| n == "authorization").unwrap().1;
    /// assert!(auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"));
    /// assert!(auth.contains("/us-east-1/sts/aws4_request"));
    /// ```
    pub fn sign(
        &self,
        method: &str,
        url: &Url,
        headers: &[(String, String)],
        body: Option<&[u8]>,
        time: SystemTime,
    ) -> Result<Vec<(String, String)>, SignError> {
        let host = url.host_str().unwrap_or_default();
        let service = service_for_host(host);
        let mut settings = SigningSettings::default();
        if service == "s3" {
            // As the S3 SDKs sign: the path encoded once, never normalised,
            // and the payload hash in its own header.
            settings.percent_encoding_mode = PercentEncodingMode::Single;
            settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
            settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        }
        let identity: Identity = Credentials::new(
            &self.access_key,
            self.secret_key.expose(),
            None,
            None,
            "connstr",
        )
        .into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name(&service)
            .time(time)
            .settings(settings)
            .build()
            .map_err(|e| SignError(e.to_string()))?
            .into();
        // The host header is signed as it will be sent.
        let host_header = match url.port() {
            Some(p) => format!("{host}:{p}"),
            None => host.to_owned(),
        };
        let mut signed: Vec<(&str, &str)> = vec![("host", host_header.as_str())];
        signed.extend(
            headers
                .iter()
                .filter(|(n, _)| {
                    !n.eq_ignore_ascii_case("host") && !n.eq_ignore_ascii_case("authorization")
                })
                .map(|(n, v)| (n.as_str(), v.as_str())),
        );
        let request = SignableRequest::new(
            method,
            url.as_str(),
            signed.into_iter(),
            match body {
                Some(b) => SignableBody::Bytes(b),
                None => SignableBody::UnsignedPayload,
            },
        )
        .map_err(|e| SignError(e.to_string()))?;
        let (instructions, _signature) = sign(request, &params)
            .map_err(|e| SignError(e.to_string()))?
            .into_parts();
        Ok(instructions
            .headers()
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services() {
        for (host, want) in [
            ("dynamodb.us-east-1.amazonaws.com", "dynamodb"),
            ("sts.amazonaws.com", "sts"),
            ("sts-fips.us-east-1.amazonaws.com", "sts"),
            ("s3.dualstack.us-west-2.amazonaws.com", "s3"),
            ("bucket.s3.amazonaws.com", "s3"),
            ("s3.cn-north-1.amazonaws.com.cn", "s3"),
            ("monitoring.us-gov-west-1.amazonaws.com", "monitoring"),
            ("EC2.US-EAST-1.AMAZONAWS.COM.", "ec2"),
            ("lambda.eu-central-1.api.aws", "lambda"),
            ("us-east-1.amazonaws.com", "execute-api"),
            ("amazonaws.com", "execute-api"),
            ("127.0.0.1", "execute-api"),
            ("", "execute-api"),
        ] {
            assert_eq!(service_for_host(host), want, "{host}");
        }
    }

    #[test]
    fn aws_documentation_example() {
        // The GetSessionToken-style example of AWS's SigV4 documentation
        // ("Create a signed AWS API request"): same key, time and request
        // give the same signature whatever we do around the signer.
        let s = AwsSigner::new(
            "AKIDEXAMPLE",
            Secret::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
            "us-east-1",
        );
        let url: Url = "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08"
            .parse()
            .unwrap();
        let time = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_440_938_160); // 2015-08-30T12:36:00Z
        let h = s
            .sign(
                "GET",
                &url,
                &[(
                    "content-type".into(),
                    "application/x-www-form-urlencoded; charset=utf-8".into(),
                )],
                Some(b""),
                time,
            )
            .unwrap();
        let auth = &h.iter().find(|(n, _)| n == "authorization").unwrap().1;
        assert_eq!(
            auth,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date, \
             Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
        );
        assert_eq!(
            h.iter().find(|(n, _)| n == "x-amz-date").unwrap().1,
            "20150830T123600Z"
        );
        assert!(!format!("{s:?}").contains("EXAMPLEKEY"));
    }
}
