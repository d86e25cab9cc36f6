//! Passwords issued to accounts: by the secretariat's users page, `pdca user add` and the first
//! start of `pdca serve`.

/// Why a password could not be issued.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The operating system gave no random bytes.
    #[error("no randomness from the system: {0}")]
    NoRandomness(getrandom::Error),
    /// The thread hashing the password failed.
    #[error("hashing the password failed: {0}")]
    Hashing(#[from] tokio::task::JoinError),
}

/// A random one-time password that is easy to type (no look-alike characters). Bytes at or
/// above the largest multiple of the alphabet's size are drawn again, so every character is
/// equally likely.
pub fn one_time_password() -> Result<String, AccountError> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    const LENGTH: usize = 16;
    let limit = 256 - 256 % ALPHABET.len();
    let mut password = String::with_capacity(LENGTH);
    while password.len() < LENGTH {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(AccountError::NoRandomness)?;
        for b in bytes.iter().map(|b| usize::from(*b)).filter(|b| *b < limit) {
            if password.len() < LENGTH {
                password.push(char::from(ALPHABET[b % ALPHABET.len()]));
            }
        }
    }
    Ok(password)
}

/// Hashes a password with argon2, off the async threads (it is slow on purpose).
pub async fn hash_password(password: String) -> Result<String, AccountError> {
    Ok(tokio::task::spawn_blocking(move || password_auth::generate_hash(password)).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_time_passwords_are_long_and_differ() {
        let (a, b) = (one_time_password().ok(), one_time_password().ok());
        assert_eq!(a.as_ref().map(String::len), Some(16));
        assert!(
            a.iter()
                .flat_map(|p| p.chars())
                .all(|c| c.is_ascii_alphanumeric() && !"0O1lIi".contains(c))
        );
        assert_ne!(a, b);
    }
}
