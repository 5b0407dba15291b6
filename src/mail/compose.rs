//! The text of each mail Steward sends. Plain text only: no HTML to
//! sanitize, and every client shows it. Links are absolute, built from the
//! instance's public URL.

use super::Mail;

/// "Confirm your email" after registration (and on "resend confirmation").
pub fn confirmation(to: &str, nickname: &str, link: &str) -> Mail {
    Mail {
        kind: "confirmation",
        to: to.into(),
        subject: "Confirm your email address".into(),
        body: format!(
            "Hello @{nickname},\n\nConfirm your email address to finish registering:\n\n{link}\n\n\
             The link works once and expires in 48 hours. If you did not register, ignore this mail."
        ),
    }
}

/// An invitation to register, sent from `/invites` or `POST /users/email_invite`.
pub fn invite(to: &str, name: Option<&str>, inviter: &str, link: &str) -> Mail {
    let hello = name.map_or_else(|| "Hello,".to_owned(), |n| format!("Hello {n},"));
    Mail {
        kind: "invite",
        to: to.into(),
        subject: "You are invited to join".into(),
        body: format!("{hello}\n\n@{inviter} invited you to create an account:\n\n{link}\n"),
    }
}

/// The account was approved: it may sign in now.
pub fn approved(to: &str, nickname: &str, login: &str) -> Mail {
    Mail {
        kind: "approval",
        to: to.into(),
        subject: "Your account was approved".into(),
        body: format!("Hello @{nickname},\n\nYour registration was approved. You can sign in now:\n\n{login}\n"),
    }
}

/// The registration was refused, with the moderator's reason.
pub fn rejected(to: &str, nickname: &str, reason: &str) -> Mail {
    Mail {
        kind: "rejection",
        to: to.into(),
        subject: "Your registration was not approved".into(),
        body: format!("Hello @{nickname},\n\nYour registration was not approved.\n\nReason: {reason}\n"),
    }
}

/// A link to choose a new password ("forgot password" or an admin's reset).
pub fn password_reset(to: &str, nickname: &str, link: &str) -> Mail {
    Mail {
        kind: "password_reset",
        to: to.into(),
        subject: "Reset your password".into(),
        body: format!(
            "Hello @{nickname},\n\nSomeone asked to reset the password of your account. Choose a new one here:\n\n\
             {link}\n\nThe link works once and expires in 24 hours. If it was not you, ignore this mail."
        ),
    }
}
