//! The adapters against the fake: wallets generated and read with the right credentials, refused
//! with wrong ones; signed deliveries verify and tampered ones do not; BIP84 addresses match the
//! published test vectors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use bitcoin::bip32::{DerivationPath, Xpub};
use bitcoin::secp256k1::Secp256k1;
use chrono::Utc;
use custodians::bitgo::{self, BitgoClient, BitgoSettings};
use custodians::esplora::EsploraClient;
use custodians::fake::{
    BIP84_TEST_VECTOR_ADDRESSES, FakeCredentials, FakeCustodians, bip84_test_vector_account,
};
use custodians::komainu::{self, KomainuClient, KomainuSettings};
use custodians::xpub::{AccountXpub, BtcNetwork, XpubError};
use custodians::{CUSTODIAN_REJECTED, WebhookError};
use std::str::FromStr;

async fn fake() -> FakeCustodians {
    FakeCustodians::start("127.0.0.1:0".parse().unwrap(), FakeCredentials::default())
        .await
        .unwrap()
}

fn bitgo_settings(fake: &FakeCustodians, token: &str) -> BitgoSettings {
    BitgoSettings {
        base_url: fake.base_url().to_owned(),
        access_token: token.to_owned(),
        enterprise_id: "ent-1".into(),
        coin: "tbtc4".into(),
        wallet_passphrase: "pass".into(),
    }
}

fn header<'a>(delivery: &'a custodians::fake::Delivery, name: &str) -> Option<&'a str> {
    delivery
        .headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn bitgo_wallets_transfers_and_webhooks() {
    let fake = fake().await;
    let token = fake.credentials().bitgo_access_token.clone();
    let client = BitgoClient::new(bitgo_settings(&fake, &token)).unwrap();
    let wallet = client.generate_wallet("facility-1").await.unwrap();
    assert!(wallet.receive_address.starts_with("tb1q"));
    assert_eq!(client.confirmed_balance(&wallet.id).await.unwrap(), 0);

    let date = Utc::now();
    let delivery = fake.bitgo_transfer(&wallet.id, 150_000_000, date, "hook-secret");
    let notification = bitgo::verify_webhook(
        "hook-secret",
        header(&delivery, bitgo::SIGNATURE_HEADER),
        &delivery.body,
    )
    .unwrap();
    assert_eq!(notification.wallet, wallet.id);
    let transfer = client
        .transfer(&wallet.id, notification.transfer.as_deref().unwrap())
        .await
        .unwrap();
    assert!(transfer.confirmed);
    assert_eq!(transfer.date.timestamp(), date.timestamp());
    assert_eq!(
        client.confirmed_balance(&wallet.id).await.unwrap(),
        150_000_000
    );

    // a tampered body, another secret, no signature
    let mut tampered = delivery.body.clone();
    tampered.extend_from_slice(b" ");
    let signature = header(&delivery, bitgo::SIGNATURE_HEADER);
    assert_eq!(
        bitgo::verify_webhook("hook-secret", signature, &tampered),
        Err(WebhookError::BadSignature)
    );
    assert_eq!(
        bitgo::verify_webhook("other", signature, &delivery.body),
        Err(WebhookError::BadSignature)
    );
    assert_eq!(
        bitgo::verify_webhook("hook-secret", None, &delivery.body),
        Err(WebhookError::MissingHeader(bitgo::SIGNATURE_HEADER))
    );

    // a wrong token is refused by the custodian, with its code
    let refused = BitgoClient::new(bitgo_settings(&fake, "wrong"))
        .unwrap()
        .generate_wallet("x")
        .await
        .unwrap_err();
    assert_eq!(refused.code(), CUSTODIAN_REJECTED);
}

#[tokio::test]
async fn komainu_wallets_and_balances() {
    let fake = fake().await;
    let credentials = fake.credentials().clone();
    let client = KomainuClient::new(KomainuSettings {
        base_url: fake.base_url().to_owned(),
        api_user: credentials.komainu_api_user.clone(),
        api_secret: credentials.komainu_api_secret.clone(),
    })
    .unwrap();
    let wallet = client.open_wallet("facility-2").await.unwrap();
    assert_eq!(client.available_balance(&wallet.id).await.unwrap(), 0);
    let now = Utc::now();
    let delivery = fake.komainu_balance(&wallet.id, "1.23456789", now, "k-secret");
    let signed = komainu::verify_webhook(
        "k-secret",
        header(&delivery, komainu::SIGNATURE_HEADER),
        header(&delivery, komainu::TIMESTAMP_HEADER),
        &delivery.body,
        now,
    )
    .unwrap();
    assert_eq!(signed.notification.wallet_id, wallet.id);
    assert_eq!(signed.notification.event, komainu::BALANCE_UPDATED);
    assert_eq!(
        client.available_balance(&wallet.id).await.unwrap(),
        123_456_789
    );

    let refused = KomainuClient::new(KomainuSettings {
        base_url: fake.base_url().to_owned(),
        api_user: credentials.komainu_api_user,
        api_secret: "wrong".into(),
    })
    .unwrap()
    .open_wallet("x")
    .await
    .unwrap_err();
    assert_eq!(refused.code(), CUSTODIAN_REJECTED);
}

#[tokio::test]
async fn the_explorer_reports_funded_less_spent() {
    let fake = fake().await;
    let explorer = EsploraClient::new(fake.base_url()).unwrap();
    fake.explorer_set("tb1qaddr", 90_000, 15_000);
    assert_eq!(
        explorer.confirmed_balance("tb1qaddr").await.unwrap(),
        75_000
    );
    assert_eq!(explorer.confirmed_balance("tb1qnew").await.unwrap(), 0);
}

/// The same key with other version bytes (SLIP-132 `zpub`, say).
fn with_version(xpub: &Xpub, version: [u8; 4]) -> String {
    let mut bytes = xpub.encode();
    bytes[..4].copy_from_slice(&version);
    bitcoin::base58::encode_check(&bytes)
}

#[test]
fn bip84_addresses_match_the_published_vectors() {
    let account = bip84_test_vector_account().unwrap();
    for text in [
        account.to_string(),
        with_version(&account, [0x04, 0xB2, 0x47, 0x46]), // zpub
    ] {
        let parsed = AccountXpub::parse(&text).unwrap();
        assert_eq!(parsed.network(), BtcNetwork::Mainnet);
        // BIP84's published receive addresses m/84'/0'/0'/0/0 and /0/1
        for (index, published) in BIP84_TEST_VECTOR_ADDRESSES.iter().enumerate() {
            let index = u32::try_from(index).unwrap();
            assert_eq!(parsed.receive_address(index).unwrap(), *published);
        }
    }
    // a vpub gives test-network addresses of the same keys
    let testnet = AccountXpub::parse(&with_version(&account, [0x04, 0x5F, 0x1C, 0xF6])).unwrap();
    assert_eq!(testnet.network(), BtcNetwork::Testnet);
    assert!(testnet.receive_address(0).unwrap().starts_with("tb1q"));
}

#[test]
fn what_is_not_an_account_public_key_is_refused() {
    let account = bip84_test_vector_account().unwrap();
    let secp = Secp256k1::new();
    let child = account
        .derive_pub(&secp, &DerivationPath::from_str("m/0").unwrap())
        .unwrap();
    assert_eq!(
        AccountXpub::parse(&child.to_string()),
        Err(XpubError::NotAnAccount(4))
    );
    assert_eq!(
        AccountXpub::parse(&with_version(&account, [0x04, 0x88, 0xAD, 0xE4])),
        Err(XpubError::PrivateKey)
    );
    assert_eq!(
        AccountXpub::parse(&with_version(&account, [0x04, 0x9D, 0x7C, 0xB2])), // ypub
        Err(XpubError::UnsupportedVersion)
    );
    assert!(matches!(
        AccountXpub::parse("xpub-not-base58"),
        Err(XpubError::Encoding(_))
    ));
    let parsed = AccountXpub::parse(&account.to_string()).unwrap();
    assert_eq!(
        parsed.receive_address(1 << 31),
        Err(XpubError::IndexOutOfRange(1 << 31))
    );
}
