//! TLS to PostgreSQL, with libpq's `sslmode` meanings (rustls, the TLS
//! library the appliance already uses for HTTPS):
//!
//! - `disable`: plain TCP;
//! - `prefer` (the default) and `require`: encrypted (`prefer` only when the
//!   server offers it), the server's certificate not checked, as libpq does
//!   without a root certificate;
//! - `verify-ca`: the certificate must chain to a trusted root;
//! - `verify-full`: and name the host connected to.
//!
//! The trusted roots are the PEM file `sslrootcert=` names in the URL, else
//! the public web roots compiled in (a managed PostgreSQL's certificate).
//! The `postgres` client knows the first three modes; the two `verify-` ones
//! and `sslrootcert` are read here and taken out of the URL it parses.

use std::sync::Arc;

use rustls::{
    client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier},
    client::WebPkiServerVerifier,
    crypto::CryptoProvider,
    pki_types::{pem::PemObject, CertificateDer, ServerName, UnixTime},
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::{Error, Result};

/// How the server's certificate is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verify {
    /// Encrypted, not checked (`prefer`, `require`).
    Nothing,
    /// The chain (`verify-ca`).
    Chain,
    /// The chain and the host name (`verify-full`).
    Full,
}

/// A database URL read: the client's configuration and the TLS connector.
pub(super) struct Target {
    pub config: tokio_postgres::Config,
    pub tls: MakeRustlsConnect,
}

/// Reads `url` (`postgres://user:pass@host:port/db?options`).
pub(super) fn target(url: &str) -> Result<Target> {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, q),
        None => (url, ""),
    };
    let mut verify = Verify::Nothing;
    let mut root_cert = None;
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match (key, value) {
            ("sslmode", "verify-ca") => {
                verify = Verify::Chain;
                kept.push("sslmode=require".to_string());
            }
            ("sslmode", "verify-full") => {
                verify = Verify::Full;
                kept.push("sslmode=require".to_string());
            }
            ("sslrootcert", path) => root_cert = Some(percent_decoded(path)?),
            _ => kept.push(pair.to_string()),
        }
    }
    let url = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    let config: tokio_postgres::Config = url.parse()?;
    if verify == Verify::Nothing && root_cert.is_some() {
        // libpq: a root certificate given makes `require` check the chain.
        verify = Verify::Chain;
    }
    let roots = roots(root_cert.as_deref())?;
    Ok(Target {
        config,
        tls: MakeRustlsConnect::new(client_config(verify, roots)?),
    })
}

/// `%XX` escapes of a URL's query value decoded.
fn percent_decoded(s: &str) -> Result<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| Error::Conversion(format!("a bad %-escape in `{s}`")))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|e| Error::Conversion(e.to_string()))
}

/// The trusted roots: the PEM file's certificates, else the web's.
fn roots(file: Option<&str>) -> Result<RootCertStore> {
    let mut store = RootCertStore::empty();
    match file {
        Some(path) => {
            let certs = CertificateDer::pem_file_iter(path)
                .and_then(|it| it.collect::<std::result::Result<Vec<_>, _>>())
                .map_err(|e| Error::Conversion(format!("sslrootcert {path}: {e}")))?;
            if certs.is_empty() {
                return Err(Error::Conversion(format!(
                    "sslrootcert {path}: no certificate in the file"
                )));
            }
            for cert in certs {
                store
                    .add(cert)
                    .map_err(|e| Error::Conversion(format!("sslrootcert {path}: {e}")))?;
            }
        }
        None => store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    Ok(store)
}

fn client_config(verify: Verify, roots: RootCertStore) -> Result<ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Conversion(e.to_string()))?;
    let webpki = || {
        WebPkiServerVerifier::builder_with_provider(Arc::new(roots.clone()), provider.clone())
            .build()
            .map_err(|e| Error::Conversion(e.to_string()))
    };
    let verifier: Arc<dyn ServerCertVerifier> = match verify {
        Verify::Full => webpki()?,
        Verify::Chain => Arc::new(ChainOnly(webpki()?)),
        Verify::Nothing => Arc::new(Unchecked(provider.clone())),
    };
    Ok(builder
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth())
}

/// `verify-ca`: the chain checked, the name not.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// `prefer`/`require`: encrypted, the certificate taken as it comes (the
/// handshake's signatures are still checked against it).
#[derive(Debug)]
struct Unchecked(Arc<CryptoProvider>);

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verify_modes_and_root_file_are_taken_out_of_the_url() {
        let t = target("postgres://u:p@db.lan:5433/isp?sslmode=verify-full&application_name=x")
            .unwrap();
        assert_eq!(t.config.get_ssl_mode(), postgres::config::SslMode::Require);
        assert_eq!(t.config.get_application_name(), Some("x"));
        let t = target("postgres://u@h/d?sslmode=disable").unwrap();
        assert_eq!(t.config.get_ssl_mode(), postgres::config::SslMode::Disable);
        assert!(
            target("postgres://u@h/d?sslmode=verify-ca&sslrootcert=%2Fnonexistent.pem").is_err()
        );
        assert_eq!(percent_decoded("%2Fetc%2Fca.pem").unwrap(), "/etc/ca.pem");
        assert!(percent_decoded("%zz").is_err());
    }
}
