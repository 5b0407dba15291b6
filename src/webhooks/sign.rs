//! Signatures: HMAC-SHA256 over `"{timestamp}.{body}"` with the endpoint's
//! secret, sent as `Steward-Signature: t=<unix>,v1=<hex>`. During a rotation
//! the old secret signs too, as a second `v1=`; a receiver accepts the
//! request when any `v1` matches a secret it holds (docs/webhooks.md).

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const SIGNATURE_HEADER: &str = "Steward-Signature";
pub const EVENT_HEADER: &str = "Steward-Event";
pub const DELIVERY_HEADER: &str = "Steward-Delivery";

/// The hex HMAC-SHA256 of `"{timestamp}.{body}"` under `secret`.
pub fn hmac_hex(secret: &str, timestamp: i64, body: &str) -> String {
    // HMAC takes keys of any length; new_from_slice cannot fail for it.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC accepts any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// The `Steward-Signature` value: the current secret's `v1` first, then the
/// previous one's while its grace period lasts.
pub fn signature(secret: &str, previous: Option<&str>, timestamp: i64, body: &str) -> String {
    let mut v = format!("t={timestamp},v1={}", hmac_hex(secret, timestamp, body));
    if let Some(old) = previous {
        v.push_str(&format!(",v1={}", hmac_hex(old, timestamp, body)));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_a_known_vector() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        assert_eq!(hmac_hex("Jefe", 1, "x").len(), 64);
    }

    #[test]
    fn a_rotation_signs_twice() {
        let one = signature("new", None, 10, "{}");
        assert_eq!(one, format!("t=10,v1={}", hmac_hex("new", 10, "{}")));
        let two = signature("new", Some("old"), 10, "{}");
        assert_eq!(two, format!("{one},v1={}", hmac_hex("old", 10, "{}")));
    }
}
