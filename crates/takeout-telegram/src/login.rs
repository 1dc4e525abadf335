//! Signing in with a phone number, the login code and the two-step
//! password (SRP, computed with grammers-crypto), following
//! PHONE_MIGRATE / USER_MIGRATE / NETWORK_MIGRATE to the account's dc; and
//! the signed-in user, and signing out. The protocol half only: prompting
//! is the caller's. Codes and passwords are never logged, never put in an
//! error, and the password is dropped as soon as the proof is computed.

use grammers_tl_types::{self as tl, Deserializable, RemoteCall};
use takeout::api::ApiError;

use crate::client::TelegramApi;

/// Why a sign-in step failed. The messages are for the person as they are.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("Telegram does not accept this api_id / api_hash pair (API_ID_INVALID); copy both from https://my.telegram.org → API development tools")]
    ApiIdInvalid,
    #[error("Telegram does not accept this phone number ({0}); give it in international format, e.g. +15551234567")]
    PhoneInvalid(String),
    #[error("Telegram asks to wait {0} seconds before trying again (FLOOD_WAIT)")]
    FloodWait(u32),
    #[error("the login code is wrong")]
    CodeInvalid,
    #[error("no code was given")]
    CodeEmpty,
    #[error("the login code expired; ask for a new one")]
    CodeExpired,
    #[error("the two-step verification password is wrong")]
    PasswordInvalid,
    #[error("this phone number has no Telegram account yet; sign up in a Telegram app first")]
    SignUpRequired,
    #[error("Telegram sent the sign-in to a data centre too many times")]
    TooManyMigrations,
    #[error("Telegram's two-step verification parameters failed the safety checks (bad prime or generator)")]
    BadSrpParameters,
    #[error("Telegram uses a password algorithm this version does not know; sign in with an official app and update tgtakeout")]
    UnknownPasswordAlgorithm,
    #[error("{0}")]
    Api(ApiError),
}

impl From<ApiError> for LoginError {
    fn from(e: ApiError) -> Self {
        LoginError::Api(e)
    }
}

/// What auth.sendCode answered; pass it back to [`TelegramApi::sign_in`].
#[derive(Clone)]
pub struct SentCode {
    phone: String,
    phone_code_hash: String,
    /// How the code was sent, in words ("the Telegram app", "SMS", …).
    pub via: &'static str,
    /// Digits in the code, when Telegram says.
    pub length: Option<i32>,
}

impl std::fmt::Debug for SentCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SentCode").field("via", &self.via).field("length", &self.length).finish()
    }
}

/// The outcome of a right code.
#[derive(Debug)]
pub enum SignIn {
    Done(UserInfo),
    /// The account has two-step verification: call [`TelegramApi::check_password`].
    PasswordNeeded,
}

/// Who a session is signed in as (nothing secret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserInfo {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub username: Option<String>,
    pub phone: Option<String>,
    pub bot: bool,
}

impl std::fmt::Display for UserInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = format!("{} {}", self.first_name, self.last_name);
        write!(f, "{}", name.trim())?;
        if let Some(u) = &self.username {
            write!(f, " (@{u})")?;
        }
        write!(f, ", id {}", self.id)?;
        if let Some(p) = &self.phone {
            write!(f, ", phone +{p}")?;
        }
        Ok(())
    }
}

impl UserInfo {
    fn from_tl(user: tl::enums::User) -> Result<UserInfo, ApiError> {
        match user {
            tl::enums::User::User(u) => Ok(UserInfo {
                id: u.id,
                first_name: u.first_name.unwrap_or_default(),
                last_name: u.last_name.unwrap_or_default(),
                username: u.username,
                phone: u.phone,
                bot: u.bot,
            }),
            tl::enums::User::Empty(_) => Err(ApiError::Decode("Telegram answered with an empty user".into())),
        }
    }
}

/// Telegram's error name (with its number put back, e.g. PHONE_MIGRATE).
fn rpc(e: &ApiError) -> Option<(&str, Option<u32>)> {
    match e {
        ApiError::Rpc { name, value, .. } => Some((name.as_str(), *value)),
        _ => None,
    }
}

fn common_error(e: ApiError) -> LoginError {
    match rpc(&e) {
        Some(("API_ID_INVALID" | "API_ID_PUBLISHED_FLOOD", _)) => LoginError::ApiIdInvalid,
        Some(("FLOOD_WAIT", Some(s))) => LoginError::FloodWait(s),
        _ => LoginError::Api(e),
    }
}

impl TelegramApi {
    async fn invoke_home<R: RemoteCall>(&self, request: &R) -> Result<R::Return, ApiError> {
        let answer = self.call(self.home_dc(), request.to_bytes()).await?;
        R::Return::from_bytes(&answer).map_err(|e| ApiError::Decode(e.to_string()))
    }

    /// Sends `request` to the home dc; when Telegram says the account (or
    /// phone, or this network) belongs on another dc, that dc becomes the
    /// home dc and the request goes there.
    async fn invoke_following_migrations<R: RemoteCall>(&self, request: &R) -> Result<R::Return, LoginError> {
        for _ in 0..3 {
            match self.invoke_home(request).await {
                Err(e) => match rpc(&e) {
                    Some(("PHONE_MIGRATE" | "USER_MIGRATE" | "NETWORK_MIGRATE", Some(dc))) => {
                        tracing::info!(from = self.home_dc(), to = dc, "Telegram sends the sign-in to dc {dc}");
                        self.set_home_dc(dc as i32);
                    }
                    _ => return Err(common_error(e)),
                },
                Ok(r) => return Ok(r),
            }
        }
        Err(LoginError::TooManyMigrations)
    }

    /// auth.sendCode: Telegram sends a login code to the account's apps (or by SMS).
    pub async fn send_code(&self, phone: &str, api_id: i32, api_hash: &str) -> Result<SentCode, LoginError> {
        let request = tl::functions::auth::SendCode {
            phone_number: phone.to_string(),
            api_id,
            api_hash: api_hash.to_string(),
            settings: tl::types::CodeSettings {
                allow_flashcall: false,
                current_number: false,
                allow_app_hash: false,
                allow_missed_call: false,
                allow_firebase: false,
                unknown_number: false,
                logout_tokens: None,
                token: None,
                app_sandbox: None,
            }
            .into(),
        };
        let sent = self.invoke_following_migrations(&request).await.map_err(|e| match e {
            LoginError::Api(ref a) if matches!(rpc(a), Some(("PHONE_NUMBER_INVALID" | "PHONE_NUMBER_BANNED", _))) => {
                LoginError::PhoneInvalid(rpc(a).map(|(n, _)| n.to_string()).unwrap_or_default())
            }
            other => other,
        })?;
        match sent {
            tl::enums::auth::SentCode::Code(c) => {
                use tl::enums::auth::SentCodeType as T;
                let (via, length) = match &c.r#type {
                    T::App(t) => ("the Telegram app on your other devices", Some(t.length)),
                    T::Sms(t) => ("SMS", Some(t.length)),
                    T::Call(t) => ("a phone call", Some(t.length)),
                    T::FragmentSms(t) => ("Fragment", Some(t.length)),
                    T::EmailCode(t) => ("email", Some(t.length)),
                    _ => ("Telegram", None),
                };
                Ok(SentCode { phone: phone.to_string(), phone_code_hash: c.phone_code_hash, via, length })
            }
            // Only a logged-in device answers this way (future_auth_tokens, not sent here).
            tl::enums::auth::SentCode::Success(s) => Err(LoginError::Api(ApiError::Decode(format!(
                "unexpected auth.sentCodeSuccess ({})",
                matches!(s.authorization, tl::enums::auth::Authorization::Authorization(_))
            )))),
            tl::enums::auth::SentCode::PaymentRequired(_) => {
                Err(LoginError::Api(ApiError::Decode("Telegram asks for a payment before sending the code".into())))
            }
        }
    }

    /// auth.signIn with the code the person typed.
    pub async fn sign_in(&self, sent: &SentCode, code: &str) -> Result<SignIn, LoginError> {
        let request = tl::functions::auth::SignIn {
            phone_number: sent.phone.clone(),
            phone_code_hash: sent.phone_code_hash.clone(),
            phone_code: Some(code.trim().to_string()),
            email_verification: None,
        };
        match self.invoke_following_migrations(&request).await {
            Ok(tl::enums::auth::Authorization::Authorization(a)) => Ok(SignIn::Done(UserInfo::from_tl(a.user)?)),
            Ok(tl::enums::auth::Authorization::SignUpRequired(_)) => Err(LoginError::SignUpRequired),
            Err(LoginError::Api(e)) => Err(match rpc(&e) {
                Some(("SESSION_PASSWORD_NEEDED", _)) => return Ok(SignIn::PasswordNeeded),
                Some(("PHONE_CODE_INVALID", _)) => LoginError::CodeInvalid,
                Some(("PHONE_CODE_EMPTY", _)) => LoginError::CodeEmpty,
                Some(("PHONE_CODE_EXPIRED" | "PHONE_CODE_HASH_EMPTY", _)) => LoginError::CodeExpired,
                Some(("PHONE_NUMBER_UNOCCUPIED", _)) => LoginError::SignUpRequired,
                _ => LoginError::Api(e),
            }),
            Err(e) => Err(e),
        }
    }

    /// account.getPassword, then auth.checkPassword with the SRP proof of
    /// `password` (the password itself never leaves this function).
    pub async fn check_password(&self, password: &[u8]) -> Result<UserInfo, LoginError> {
        let tl::enums::account::Password::Password(p) =
            self.invoke_home(&tl::functions::account::GetPassword {}).await.map_err(common_error)?;
        let algo = match p.current_algo {
            Some(tl::enums::PasswordKdfAlgo::Sha256Sha256Pbkdf2Hmacsha512iter100000Sha256ModPow(a)) => a,
            _ => return Err(LoginError::UnknownPasswordAlgorithm),
        };
        let (Some(srp_b), Some(srp_id)) = (p.srp_b, p.srp_id) else {
            return Err(LoginError::UnknownPasswordAlgorithm);
        };
        // Telegram asks clients to check p and g before using them.
        let (p_bytes, g) = (algo.p.clone(), algo.g);
        let good = tokio::task::spawn_blocking(move || {
            matches!(g, 2..=7) && grammers_crypto::two_factor_auth::check_p_and_g(&p_bytes, &g)
        })
        .await
        .unwrap_or(false);
        if !good {
            return Err(LoginError::BadSrpParameters);
        }
        let mut a = vec![0u8; 256];
        getrandom::fill(&mut a).map_err(|e| LoginError::Api(ApiError::Network(format!("no randomness: {e}"))))?;
        let password = password.to_vec();
        // 100,000 PBKDF2 rounds: off the async threads.
        let (m1, g_a) = tokio::task::spawn_blocking(move || {
            grammers_crypto::two_factor_auth::calculate_2fa(&algo.salt1, &algo.salt2, &algo.p, &algo.g, srp_b, a, password)
        })
        .await
        .map_err(|_| LoginError::Api(ApiError::Network("the password proof computation failed".into())))?;
        let request = tl::functions::auth::CheckPassword {
            password: tl::types::InputCheckPasswordSrp { srp_id, a: g_a.to_vec(), m1: m1.to_vec() }.into(),
        };
        match self.invoke_following_migrations(&request).await {
            Ok(tl::enums::auth::Authorization::Authorization(a)) => Ok(UserInfo::from_tl(a.user)?),
            Ok(tl::enums::auth::Authorization::SignUpRequired(_)) => Err(LoginError::SignUpRequired),
            Err(LoginError::Api(e)) if matches!(rpc(&e), Some(("PASSWORD_HASH_INVALID" | "SRP_ID_INVALID", _))) => {
                Err(LoginError::PasswordInvalid)
            }
            Err(e) => Err(e),
        }
    }

    /// The signed-in user (users.getUsers of self on the home dc).
    pub async fn me(&self) -> Result<UserInfo, ApiError> {
        let users = self.invoke_home(&tl::functions::users::GetUsers { id: vec![tl::enums::InputUser::UserSelf] }).await?;
        let user = users.into_iter().next().ok_or_else(|| ApiError::Decode("Telegram did not return the signed-in user".into()))?;
        UserInfo::from_tl(user)
    }

    /// auth.logOut on the home dc: the session's keys are signed out.
    pub async fn log_out(&self) -> Result<(), ApiError> {
        self.invoke_home(&tl::functions::auth::LogOut {}).await.map(drop)
    }
}
