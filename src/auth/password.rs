//! Staff passwords, hashed with argon2id (m = 19456 KiB, t = 2, p = 1: the OWASP
//! minimum). Hashing takes tens of milliseconds and 19 MiB: never call it on the
//! async runtime. The server hashes on [`super::hash_pool::HashPool`]'s threads,
//! each reusing one [`Workspace`], so memory never grows with the load.

use argon2::{
    password_hash::phc::{Output, ParamsString, Salt},
    Algorithm, Argon2, Block, Params, PasswordHash, Version,
};

use super::secrets::constant_time_eq;

/// Shortest password accepted for a staff account.
pub const MIN_LENGTH: usize = 10;
/// Longest accepted: hashing cost must not be steerable by the caller.
pub const MAX_LENGTH: usize = 256;

/// Checks a new password against the length rules.
pub fn check_strength(password: &str) -> Result<(), String> {
    let chars = password.chars().count();
    if chars < MIN_LENGTH {
        return Err(format!(
            "the password must be at least {MIN_LENGTH} characters long"
        ));
    }
    if chars > MAX_LENGTH {
        return Err(format!(
            "the password must be at most {MAX_LENGTH} characters long"
        ));
    }
    Ok(())
}

/// Hashes `password` into a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`).
pub fn hash(password: &str) -> Result<String, String> {
    Workspace::new().hash(password)
}

/// True when `password` matches the stored PHC string `phc`.
pub fn verify(password: &str, phc: &str) -> bool {
    Workspace::new().verify(password, phc)
}

/// Largest memory cost a stored hash may ask for (KiB): a hash is never
/// allowed to make the server allocate more than this per check.
pub const MAX_M_COST_KIB: u32 = 64 * 1024;

/// A PHC string that matches no password, with the same parameters as real
/// ones: checked against when the account is unknown, so both failures take the
/// same time. (Its password was random and is forgotten.)
pub const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$4/2YbPgVDqToQz6QlOryug$c/XJpiuzgG11RgWaOWzrXnyGvbX/f2uRnoAAuBrximQ";

/// Argon2's working memory, kept by one hashing thread and reused by every
/// hash it computes (allocated at the first, never given back while the
/// thread lives): the allocator never sees the 19 MiB blocks come and go.
#[derive(Default)]
pub struct Workspace {
    blocks: Vec<Block>,
}

impl Workspace {
    pub fn new() -> Self {
        Self::default()
    }

    fn blocks(&mut self, count: usize) -> &mut [Block] {
        if self.blocks.len() < count {
            self.blocks = vec![Block::default(); count];
        }
        &mut self.blocks[..count]
    }

    /// Bytes held.
    pub fn held_bytes(&self) -> usize {
        self.blocks.len() * Block::SIZE
    }

    /// [`hash`], in this workspace.
    pub fn hash(&mut self, password: &str) -> Result<String, String> {
        let params = Params::new(19 * 1024, 2, 1, None).map_err(|e| e.to_string())?;
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|e| e.to_string())?;
        let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
        let blocks = self.blocks(params.block_count());
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
            .hash_password_into_with_memory(password.as_bytes(), &salt, &mut out, blocks)
            .map_err(|e| e.to_string())?;
        let phc = PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(&params).map_err(|e| e.to_string())?,
            salt: Some(Salt::new(&salt).map_err(|e| e.to_string())?),
            hash: Some(Output::new(&out).map_err(|e| e.to_string())?),
        };
        Ok(phc.to_string())
    }

    /// [`verify`], in this workspace.
    pub fn verify(&mut self, password: &str, phc: &str) -> bool {
        let Ok(parsed) = PasswordHash::new(phc) else {
            return false;
        };
        let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
            return false;
        };
        let Ok(algorithm) = Algorithm::try_from(parsed.algorithm.as_str()) else {
            return false;
        };
        let version = match parsed.version.map(Version::try_from) {
            None => Version::default(),
            Some(Ok(v)) => v,
            Some(Err(_)) => return false,
        };
        let Ok(params) = Params::try_from(&parsed) else {
            return false;
        };
        if params.m_cost() > MAX_M_COST_KIB {
            tracing::warn!(
                m_cost = params.m_cost(),
                "a stored password hash asks for too much memory: refused"
            );
            return false;
        }
        let mut out = vec![0u8; expected.len()];
        let blocks = self.blocks(params.block_count());
        Argon2::new(algorithm, version, params)
            .hash_password_into_with_memory(password.as_bytes(), salt, &mut out, blocks)
            .is_ok()
            && constant_time_eq(&out, expected.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_with_the_owasp_parameters_and_verifies() {
        let phc = hash("correct horse battery").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify("correct horse battery", &phc));
        assert!(!verify("correct horse batterz", &phc));
        assert!(!verify("anything", "not a hash"));
    }

    #[test]
    fn the_workspace_agrees_with_the_argon2_crate_and_is_reused() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let theirs = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(19 * 1024, 2, 1, None).unwrap(),
        )
        .hash_password(b"correct horse battery")
        .unwrap()
        .to_string();
        let mut ws = Workspace::new();
        assert!(ws.verify("correct horse battery", &theirs));
        assert_eq!(ws.held_bytes(), 19 * 1024 * 1024);
        let ours = ws.hash("correct horse battery").unwrap();
        assert!(Argon2::default()
            .verify_password(b"correct horse battery", ours.as_str())
            .is_ok());
        assert!(!ws.verify("correct horse batterz", &ours));
        assert_eq!(ws.held_bytes(), 19 * 1024 * 1024, "one buffer, reused");
        // A hash asking for more memory than allowed is refused unchecked.
        let greedy = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(MAX_M_COST_KIB + 8, 1, 1, None).unwrap(),
        )
        .hash_password(b"pw")
        .unwrap()
        .to_string();
        assert!(!ws.verify("pw", &greedy));
    }

    #[test]
    fn the_dummy_hash_costs_what_a_real_one_does() {
        let parsed = PasswordHash::new(DUMMY_HASH).unwrap();
        assert_eq!(parsed.params.to_string(), "m=19456,t=2,p=1");
        assert_eq!(parsed.salt.unwrap().len(), 16);
        assert_eq!(parsed.hash.unwrap().len(), 32);
        assert!(!verify("no such user, no such password", DUMMY_HASH));
    }

    #[test]
    fn length_rules() {
        assert!(check_strength("short").is_err());
        assert!(check_strength("long enough!").is_ok());
        assert!(check_strength(&"x".repeat(MAX_LENGTH + 1)).is_err());
    }
}
