//! BIP84 receive addresses from an account's extended public key.
//!
//! The key is the account node `m/84'/coin'/account'` (depth 3), written as `xpub`/`zpub`
//! (mainnet) or `tpub`/`vpub` (test networks): the `z`/`v` forms are the same key with SLIP-132
//! version bytes for native segwit. Receive address `i` is the P2WPKH (bech32) address of the
//! public key at `0/i` below it. Private keys and the P2SH-wrapped forms (`ypub`, `upub`) are
//! refused: the bank never holds a private key, and it derives native segwit only.

use bitcoin::bip32::{ChildNumber, Xpub};
use bitcoin::secp256k1::Secp256k1;
use bitcoin::{Address, CompressedPublicKey, Network};

const XPUB: [u8; 4] = [0x04, 0x88, 0xB2, 0x1E];
const ZPUB: [u8; 4] = [0x04, 0xB2, 0x47, 0x46];
const TPUB: [u8; 4] = [0x04, 0x35, 0x87, 0xCF];
const VPUB: [u8; 4] = [0x04, 0x5F, 0x1C, 0xF6];
const PRIVATE: [[u8; 4]; 4] = [
    [0x04, 0x88, 0xAD, 0xE4], // xprv
    [0x04, 0xB2, 0x43, 0x0C], // zprv
    [0x04, 0x35, 0x83, 0x94], // tprv
    [0x04, 0x5F, 0x18, 0xBC], // vprv
];

/// Why a text is not an account's extended public key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XpubError {
    #[error("not an extended key (base58 with checksum): {0}")]
    Encoding(String),
    #[error("this is an extended private key; give the account's extended public key")]
    PrivateKey,
    #[error("only xpub, zpub, tpub and vpub keys are accepted (native segwit)")]
    UnsupportedVersion,
    #[error("the key is at depth {0}; give the account key m/84'/coin'/account' (depth 3)")]
    NotAnAccount(u8),
    #[error("address index {0} is out of range (below 2^31)")]
    IndexOutOfRange(u32),
}

/// The network an account's addresses belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BtcNetwork {
    Mainnet,
    Testnet,
}

/// An account's extended public key, from which receive addresses are derived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountXpub {
    xpub: Xpub,
    network: BtcNetwork,
}

impl AccountXpub {
    pub fn parse(text: &str) -> Result<Self, XpubError> {
        let mut bytes = bitcoin::base58::decode_check(text.trim())
            .map_err(|e| XpubError::Encoding(e.to_string()))?;
        if bytes.len() != 78 {
            return Err(XpubError::Encoding(format!(
                "{} bytes instead of 78",
                bytes.len()
            )));
        }
        let version: [u8; 4] = [bytes[0], bytes[1], bytes[2], bytes[3]];
        if PRIVATE.contains(&version) {
            return Err(XpubError::PrivateKey);
        }
        let (standard, network) = match version {
            XPUB | ZPUB => (XPUB, BtcNetwork::Mainnet),
            TPUB | VPUB => (TPUB, BtcNetwork::Testnet),
            _ => return Err(XpubError::UnsupportedVersion),
        };
        bytes[..4].copy_from_slice(&standard);
        let xpub = Xpub::decode(&bytes).map_err(|e| XpubError::Encoding(e.to_string()))?;
        if xpub.depth != 3 {
            return Err(XpubError::NotAnAccount(xpub.depth));
        }
        Ok(Self { xpub, network })
    }

    pub fn network(&self) -> BtcNetwork {
        self.network
    }

    /// The receive address at `0/index`.
    pub fn receive_address(&self, index: u32) -> Result<String, XpubError> {
        let secp = Secp256k1::verification_only();
        let path = [
            ChildNumber::Normal { index: 0 },
            ChildNumber::from_normal_idx(index).map_err(|_| XpubError::IndexOutOfRange(index))?,
        ];
        let child = self
            .xpub
            .derive_pub(&secp, &path)
            .map_err(|_| XpubError::IndexOutOfRange(index))?;
        let network = match self.network {
            BtcNetwork::Mainnet => Network::Bitcoin,
            BtcNetwork::Testnet => Network::Testnet,
        };
        Ok(Address::p2wpkh(&CompressedPublicKey(child.public_key), network).to_string())
    }

    /// The key as given back in its standard form (`xpub`/`tpub`).
    pub fn standard(&self) -> String {
        self.xpub.to_string()
    }
}
