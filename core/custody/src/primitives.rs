//! Value objects of the custody domain, parsed once at the edge.

use custodians::xpub::{AccountXpub, BtcNetwork};
use serde::{Deserialize, Serialize};
use std::fmt;

es::entity_id!(CustodianId);
es::entity_id!(WalletId);

/// Objects and actions this domain authorizes.
pub mod permissions {
    pub const CUSTODIANS: &str = "custody/custodian";
    pub const WALLETS: &str = "custody/wallet";
    pub const READ: &str = "custody:read";
    /// Creating custodians and changing their configuration.
    pub const WRITE: &str = "custody:write";
    /// Recording what a custodian or the explorer reports: only the system does it.
    pub const RECORD_BALANCE: &str = "custody:record-balance";
    /// Re-encrypting every stored secret under a new key (`lana-cli custody rotate-key`).
    pub const ROTATE_KEY: &str = "custody:rotate-key";
}

/// Who holds the bitcoin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    Bitgo,
    Komainu,
    /// The bank's own keys: addresses derived from an account's extended public key, balances
    /// read from a block explorer.
    SelfCustody,
    /// Staff record the collateral by hand; no wallet.
    Manual,
}

impl Provider {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Bitgo => "bitgo",
            Self::Komainu => "komainu",
            Self::SelfCustody => "self_custody",
            Self::Manual => "manual",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidValue {
    #[error("the custodian's name must have 1 to 100 characters")]
    Name,
    #[error("{0} must be an http(s) URL of at most 500 characters")]
    Url(&'static str),
    #[error("{0} must have 1 to 200 characters")]
    Text(&'static str),
    #[error("{0} must have 1 to 1000 characters")]
    Secret(&'static str),
    #[error("the coin must be one of BitGo's bitcoin coins: btc, tbtc or tbtc4")]
    Coin,
    #[error("{0} is required for a new custodian")]
    MissingSecret(&'static str),
    #[error("the extended public key is refused: {0}")]
    Xpub(#[from] custodians::xpub::XpubError),
    #[error("a {from} custodian cannot become a {to} one; create another custodian")]
    ProviderChange {
        from: &'static str,
        to: &'static str,
    },
}

/// A custodian's name: trimmed, 1 to 100 characters, unique.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustodianName(String);

impl CustodianName {
    pub fn parse(name: &str) -> Result<Self, InvalidValue> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(InvalidValue::Name);
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An http(s) base URL (loopback http is how the fakes run).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaseUrl(String);

impl BaseUrl {
    pub fn parse(field: &'static str, url: &str) -> Result<Self, InvalidValue> {
        let url = url.trim();
        let scheme_ok = url.starts_with("https://") || url.starts_with("http://");
        if !scheme_ok || url.len() > 500 || url.chars().any(char::is_whitespace) {
            return Err(InvalidValue::Url(field));
        }
        Ok(Self(url.trim_end_matches('/').to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A short identifier of a provider's (enterprise id, coin, API user): 1 to 200 characters.
fn text(field: &'static str, value: &str) -> Result<String, InvalidValue> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > 200 {
        return Err(InvalidValue::Text(field));
    }
    Ok(value.to_owned())
}

/// BitGo's bitcoin coins: `btc` on mainnet, `tbtc` and `tbtc4` on the test networks.
const BITGO_COINS: [&str; 3] = ["btc", "tbtc", "tbtc4"];

fn bitgo_coin(coin: &str) -> Result<String, InvalidValue> {
    let coin = coin.trim().to_ascii_lowercase();
    if BITGO_COINS.contains(&coin.as_str()) {
        Ok(coin)
    } else {
        Err(InvalidValue::Coin)
    }
}

/// A credential. Never printed (`Debug` shows `<redacted>`), never serialized except sealed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn parse(field: &'static str, value: &str) -> Result<Self, InvalidValue> {
        if value.is_empty() || value.chars().count() > 1000 {
            return Err(InvalidValue::Secret(field));
        }
        Ok(Self(value.to_owned()))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// What staff give for a custodian. Secrets left out of an update keep their stored value; a
/// new custodian needs them all.
#[derive(Debug, Clone)]
pub enum CustodianConfig {
    Bitgo {
        base_url: BaseUrl,
        enterprise_id: String,
        coin: String,
        access_token: Option<Secret>,
        wallet_passphrase: Option<Secret>,
        webhook_secret: Option<Secret>,
    },
    Komainu {
        base_url: BaseUrl,
        api_user: String,
        api_secret: Option<Secret>,
        webhook_secret: Option<Secret>,
    },
    SelfCustody {
        account_xpub: String,
        explorer_url: BaseUrl,
    },
    Manual,
}

impl CustodianConfig {
    pub fn bitgo(
        base_url: &str,
        enterprise_id: &str,
        coin: &str,
        access_token: Option<&str>,
        wallet_passphrase: Option<&str>,
        webhook_secret: Option<&str>,
    ) -> Result<Self, InvalidValue> {
        Ok(Self::Bitgo {
            base_url: BaseUrl::parse("the BitGo base URL", base_url)?,
            enterprise_id: text("the enterprise id", enterprise_id)?,
            coin: bitgo_coin(coin)?,
            access_token: secret("the access token", access_token)?,
            wallet_passphrase: secret("the wallet passphrase", wallet_passphrase)?,
            webhook_secret: secret("the webhook secret", webhook_secret)?,
        })
    }

    pub fn komainu(
        base_url: &str,
        api_user: &str,
        api_secret: Option<&str>,
        webhook_secret: Option<&str>,
    ) -> Result<Self, InvalidValue> {
        Ok(Self::Komainu {
            base_url: BaseUrl::parse("the Komainu base URL", base_url)?,
            api_user: text("the API user", api_user)?,
            api_secret: secret("the API secret", api_secret)?,
            webhook_secret: secret("the webhook secret", webhook_secret)?,
        })
    }

    /// The key is checked here (an account public key of a supported kind) and kept in its
    /// standard form.
    pub fn self_custody(account_xpub: &str, explorer_url: &str) -> Result<Self, InvalidValue> {
        Ok(Self::SelfCustody {
            account_xpub: AccountXpub::parse(account_xpub)?.standard(),
            explorer_url: BaseUrl::parse("the block explorer URL", explorer_url)?,
        })
    }

    pub fn provider(&self) -> Provider {
        match self {
            Self::Bitgo { .. } => Provider::Bitgo,
            Self::Komainu { .. } => Provider::Komainu,
            Self::SelfCustody { .. } => Provider::SelfCustody,
            Self::Manual => Provider::Manual,
        }
    }

    /// The part that may be stored in events and shown, and the secrets given.
    pub(crate) fn split(self) -> (PublicConfig, SecretSet) {
        match self {
            Self::Bitgo {
                base_url,
                enterprise_id,
                coin,
                access_token,
                wallet_passphrase,
                webhook_secret,
            } => (
                PublicConfig::Bitgo {
                    base_url,
                    enterprise_id,
                    coin,
                },
                SecretSet {
                    access_token: access_token.map(|s| s.0),
                    wallet_passphrase: wallet_passphrase.map(|s| s.0),
                    api_secret: None,
                    webhook_secret: webhook_secret.map(|s| s.0),
                },
            ),
            Self::Komainu {
                base_url,
                api_user,
                api_secret,
                webhook_secret,
            } => (
                PublicConfig::Komainu { base_url, api_user },
                SecretSet {
                    api_secret: api_secret.map(|s| s.0),
                    webhook_secret: webhook_secret.map(|s| s.0),
                    ..SecretSet::default()
                },
            ),
            Self::SelfCustody {
                account_xpub,
                explorer_url,
            } => (
                PublicConfig::SelfCustody {
                    account_xpub,
                    explorer_url,
                },
                SecretSet::default(),
            ),
            Self::Manual => (PublicConfig::Manual, SecretSet::default()),
        }
    }
}

fn secret(field: &'static str, value: Option<&str>) -> Result<Option<Secret>, InvalidValue> {
    value.map(|v| Secret::parse(field, v)).transpose()
}

/// A custodian's configuration without its secrets: stored in its events, shown to staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "provider", rename_all = "snake_case")]
pub enum PublicConfig {
    Bitgo {
        base_url: BaseUrl,
        enterprise_id: String,
        coin: String,
    },
    Komainu {
        base_url: BaseUrl,
        api_user: String,
    },
    SelfCustody {
        account_xpub: String,
        explorer_url: BaseUrl,
    },
    Manual,
}

impl PublicConfig {
    pub fn provider(&self) -> Provider {
        match self {
            Self::Bitgo { .. } => Provider::Bitgo,
            Self::Komainu { .. } => Provider::Komainu,
            Self::SelfCustody { .. } => Provider::SelfCustody,
            Self::Manual => Provider::Manual,
        }
    }

    /// The network of the wallets it makes, where its configuration says: BitGo's coin,
    /// self-custody's key. Komainu's wallets each say by their address
    /// ([`Network::of_address`]); manual custody has none.
    pub fn network(&self) -> Option<Network> {
        match self {
            Self::Bitgo { coin, .. } if coin.starts_with('t') => Some(Network::Testnet),
            Self::Bitgo { .. } => Some(Network::Mainnet),
            Self::SelfCustody { account_xpub, .. } => match AccountXpub::parse(account_xpub) {
                Ok(key) if key.network() == BtcNetwork::Testnet => Some(Network::Testnet),
                _ => Some(Network::Mainnet),
            },
            Self::Komainu { .. } | Self::Manual => None,
        }
    }
}

/// A custodian's secrets (each present only for the providers that use it). Serialized only to
/// be sealed; `Debug` never shows a value.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SecretSet {
    pub access_token: Option<String>,
    pub wallet_passphrase: Option<String>,
    pub api_secret: Option<String>,
    pub webhook_secret: Option<String>,
}

impl fmt::Debug for SecretSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretSet(<redacted>)")
    }
}

impl SecretSet {
    /// The names of the secrets this set gives.
    pub fn names(&self) -> Vec<String> {
        [
            ("access_token", &self.access_token),
            ("wallet_passphrase", &self.wallet_passphrase),
            ("api_secret", &self.api_secret),
            ("webhook_secret", &self.webhook_secret),
        ]
        .into_iter()
        .filter(|(_, v)| v.is_some())
        .map(|(n, _)| n.to_owned())
        .collect()
    }

    /// `self` with what `newer` gives replaced.
    pub fn merged(self, newer: SecretSet) -> SecretSet {
        SecretSet {
            access_token: newer.access_token.or(self.access_token),
            wallet_passphrase: newer.wallet_passphrase.or(self.wallet_passphrase),
            api_secret: newer.api_secret.or(self.api_secret),
            webhook_secret: newer.webhook_secret.or(self.webhook_secret),
        }
    }

    /// The first secret `provider` needs that is missing.
    pub fn missing_for(&self, provider: Provider) -> Option<&'static str> {
        let needed: &[(&'static str, &Option<String>)] = match provider {
            Provider::Bitgo => &[
                ("the access token", &self.access_token),
                ("the wallet passphrase", &self.wallet_passphrase),
                ("the webhook secret", &self.webhook_secret),
            ],
            Provider::Komainu => &[
                ("the API secret", &self.api_secret),
                ("the webhook secret", &self.webhook_secret),
            ],
            Provider::SelfCustody | Provider::Manual => &[],
        };
        needed.iter().find(|(_, v)| v.is_none()).map(|(n, _)| *n)
    }
}

/// The bitcoin network of a wallet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Network {
    Mainnet,
    Testnet,
}

impl Network {
    /// The network an address is for, by its prefix: `tb1`/`bcrt1` (segwit) and `m`/`n`/`2`
    /// (legacy) are the test networks'.
    pub fn of_address(address: &str) -> Self {
        const TEST_PREFIXES: [&str; 5] = ["tb1", "bcrt1", "m", "n", "2"];
        if TEST_PREFIXES.iter().any(|p| address.starts_with(p)) {
            Self::Testnet
        } else {
            Self::Mainnet
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bitgo(coin: &str) -> Result<CustodianConfig, InvalidValue> {
        CustodianConfig::bitgo("https://bitgo.example", "ent", coin, None, None, None)
    }

    #[test]
    fn bitgo_takes_its_bitcoin_coins_only_and_they_name_the_network() {
        let network = |coin| bitgo(coin).unwrap().split().0.network();
        assert_eq!(network("btc"), Some(Network::Mainnet));
        assert_eq!(network(" TBTC4 "), Some(Network::Testnet));
        assert_eq!(network("tbtc"), Some(Network::Testnet));
        for other in ["eth", "doge", "", "btc4", "tbtc44"] {
            assert!(matches!(bitgo(other), Err(InvalidValue::Coin)), "{other}");
        }
    }

    #[test]
    fn an_address_names_its_network() {
        for test in [
            "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx",
            "bcrt1qs758ursh4q9z627kt3pp5yysm78ddny6txaqgw",
            "mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn",
            "2MzQwSSnBHWHqSAqtTVQ6v47XtaisrJa1Vc",
        ] {
            assert_eq!(Network::of_address(test), Network::Testnet, "{test}");
        }
        for main in [
            "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu",
            "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
            "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
        ] {
            assert_eq!(Network::of_address(main), Network::Mainnet, "{main}");
        }
    }
}
