//! Fields that several contracts declare alike: the same name, rules and
//! meaning. A contract takes one as it is or adds to it (its own example, a
//! description of its own).

use super::field::{Ex, Field, Text};
use crate::auth::password;

/// An ISO 4217 code as the reader takes it.
pub const CURRENCY_PATTERN: &str = "^[A-Z]{3}$";
/// Its message.
pub const CURRENCY_MESSAGE: &str = "must be a three-letter code such as BDT.";

/// The currency of an amount (a bill, a payment, a package's price).
pub const CURRENCY: Field = Field::with("currency", Text::line().pattern(CURRENCY_PATTERN))
    .nullable()
    .nonblank()
    .message(CURRENCY_MESSAGE)
    .describe("ISO 4217 code; default BDT.")
    .example(Ex::Str("BDT"));

/// An amount to charge, pay or fund (give it an example).
pub const AMOUNT: Field = Field::positive_money("amount")
    .required()
    .describe("In major units, more than 0, at most 2 decimals.");

/// The customer a bill, payment, complaint or redemption is for.
pub const CUSTOMER_ID: Field = Field::reference("customer_id")
    .required()
    .example(Ex::Int(1));

/// A staff user's email at a login: as sent (trimmed).
pub const LOGIN_EMAIL: Field = Field::text("email")
    .required()
    .example(Ex::Str("admin@example.com"));

/// A staff user's password at a login: any, as sent.
pub const PASSWORD: Field = Field::secret("password")
    .required()
    .example(Ex::Str("correct horse battery staple"));

/// The second factor of a staff login: a 6-digit authenticator code or a
/// recovery code; absent for an account without two-factor login.
pub const OTP: Field = Field::text("otp")
    .max(32)
    .nullable()
    .describe("The 6-digit code from the user's authenticator app, or one of their recovery codes, when the account uses two-factor login (answered OTP_REQUIRED 401 when missing).")
    .example(Ex::Str("492039"));

/// A staff user's new password: as [`PASSWORD`], within the lengths allowed.
pub const NEW_PASSWORD: Field =
    PASSWORD.range(password::MIN_LENGTH as i64, password::MAX_LENGTH as i64);
