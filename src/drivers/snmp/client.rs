//! [`SnmpSource`] over async-snmp. Requests carry request ids the library
//! matches, so a reply that arrives after its request timed out is dropped
//! rather than taken as the answer to a later request (tested with a delaying
//! proxy). Clients share one UDP socket.

use async_snmp::{
    Auth, AuthProtocol, Client, Oid, PrivProtocol, Retry, UdpHandle, UdpTransport, UsmConfig, Value,
};

use super::{Credentials, SnmpError, SnmpSource, SnmpTarget, SnmpValue};

/// The shared socket all device clients use.
#[derive(Clone)]
pub struct SnmpTransport(UdpTransport);

impl SnmpTransport {
    pub async fn bind() -> Result<Self, SnmpError> {
        UdpTransport::bind("0.0.0.0:0")
            .await
            .map(Self)
            .map_err(|e| SnmpError::Other(e.to_string()))
    }
}

/// One device.
pub struct AsyncSnmp {
    client: Client<UdpHandle>,
    timeout: std::time::Duration,
}

fn auth_of(c: &Credentials) -> Result<Auth, SnmpError> {
    Ok(match c {
        Credentials::V2c { community } => Auth::v2c(community.as_str()),
        Credentials::V3 {
            user,
            auth_protocol,
            auth_password,
            priv_protocol,
            priv_password,
        } => {
            let auth = match auth_protocol.as_str() {
                "md5" => AuthProtocol::Md5,
                "sha" | "sha1" => AuthProtocol::Sha1,
                "sha256" => AuthProtocol::Sha256,
                "sha512" => AuthProtocol::Sha512,
                other => return Err(SnmpError::Other(format!("unknown auth protocol {other}"))),
            };
            let privacy = match priv_protocol.as_str() {
                "des" => PrivProtocol::Des,
                "aes" | "aes128" => PrivProtocol::Aes128,
                "aes256" => PrivProtocol::Aes256Blumenthal,
                other => {
                    return Err(SnmpError::Other(format!(
                        "unknown privacy protocol {other}"
                    )))
                }
            };
            UsmConfig::new(user.as_bytes().to_vec())
                .auth_priv(auth, auth_password, privacy, priv_password)
                .map_err(|e| SnmpError::Auth(e.to_string()))?
                .into()
        }
    })
}

impl AsyncSnmp {
    pub async fn connect(transport: &SnmpTransport, t: &SnmpTarget) -> Result<Self, SnmpError> {
        let retry = Retry::fixed(t.retries, std::time::Duration::ZERO)
            .map_err(|e| SnmpError::Other(e.to_string()))?;
        let client = Client::builder((t.host.as_str(), t.port), auth_of(&t.credentials)?)
            .request_timeout(t.timeout)
            .retry(retry)
            .build_with(&transport.0)
            .await
            .map_err(|e| map_error(&e, t.timeout))?;
        Ok(Self {
            client,
            timeout: t.timeout,
        })
    }
}

fn map_error(e: &async_snmp::Error, timeout: std::time::Duration) -> SnmpError {
    let text = e.to_string();
    match e {
        async_snmp::Error::Timeout { .. } => SnmpError::Timeout(timeout),
        _ if text.to_lowercase().contains("auth")
            || text.to_lowercase().contains("unknown user")
            || text.to_lowercase().contains("decrypt") =>
        {
            SnmpError::Auth(text)
        }
        _ => SnmpError::Other(text),
    }
}

fn convert(v: &Value) -> SnmpValue {
    if v.is_exception() {
        return SnmpValue::Missing;
    }
    match v {
        Value::Integer(n) => SnmpValue::Int(i64::from(*n)),
        Value::ObjectIdentifier(o) => SnmpValue::Oid(o.to_string()),
        Value::Null => SnmpValue::Missing,
        other => {
            if let Some(n) = other.as_u64() {
                SnmpValue::Int(i64::try_from(n).unwrap_or(i64::MAX))
            } else if let Some(b) = other.as_bytes() {
                SnmpValue::Text(b.to_vec())
            } else {
                SnmpValue::Text(other.to_string().into_bytes())
            }
        }
    }
}

fn parse_oid(text: &str) -> Result<Oid, SnmpError> {
    Oid::parse(text.trim_start_matches('.')).map_err(|e| SnmpError::Other(format!("{text}: {e}")))
}

impl SnmpSource for AsyncSnmp {
    async fn get(&self, oids: &[String]) -> Result<Vec<SnmpValue>, SnmpError> {
        let parsed = oids
            .iter()
            .map(|o| parse_oid(o))
            .collect::<Result<Vec<_>, _>>()?;
        let response = self
            .client
            .get_many(&parsed)
            .await
            .map_err(|e| map_error(&e, self.timeout))?;
        Ok(parsed
            .iter()
            .map(|oid| {
                response
                    .varbinds
                    .iter()
                    .find(|vb| vb.oid == *oid)
                    .map_or(SnmpValue::Missing, |vb| convert(&vb.value))
            })
            .collect())
    }

    async fn walk(&self, root: &str, bulk: bool) -> Result<Vec<(Vec<u32>, SnmpValue)>, SnmpError> {
        let base = parse_oid(root)?;
        let stream = if bulk {
            self.client.bulk_walk(base.clone(), 25)
        } else {
            self.client.walk_getnext(base.clone())
        }
        .map_err(|e| map_error(&e, self.timeout))?;
        let rows = stream
            .collect()
            .await
            .map_err(|e| map_error(&e, self.timeout))?;
        let n = base.arcs().len();
        Ok(rows
            .into_iter()
            .filter(|vb| vb.oid.starts_with(&base))
            .map(|vb| (vb.oid.arcs()[n..].to_vec(), convert(&vb.value)))
            .collect())
    }
}
