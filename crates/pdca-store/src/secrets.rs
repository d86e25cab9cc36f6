//! Random secrets (session ids, CSRF tokens, API token secrets) and the digests the database
//! keeps in their place.

use std::fmt::Write as _;

use sha2::{Digest, Sha256};

use crate::StoreError;

/// 32 random bytes from the operating system, as 64 lowercase hex digits.
pub(crate) fn random_hex() -> Result<String, StoreError> {
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| {
        // The operating system's random source failing is a fault of the server like a failing
        // disk; it is reported the way the database's own I/O errors are.
        StoreError::Database(sqlx::Error::Io(std::io::Error::other(format!(
            "OS の乱数を得られませんでした: {e}"
        ))))
    })?;
    Ok(hex(&bytes))
}

/// The SHA-256 of `secret`, as 64 lowercase hex digits: what the database holds instead of a
/// session id or a token secret. (The secrets are 256 random bits, so a plain hash is enough;
/// a slow password hash would only slow down every request.)
pub(crate) fn digest(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        // Writing to a String cannot fail.
        let _ = write!(text, "{b:02x}");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_hex_and_digests_are_sha256() {
        let (a, b) = (random_hex().ok(), random_hex().ok());
        assert!(a.as_ref().is_some_and(|a| {
            a.len() == 64
                && a.bytes()
                    .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        }));
        assert_ne!(a, b);
        assert_eq!(
            digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
