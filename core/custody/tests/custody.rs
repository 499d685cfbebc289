//! Custody end to end in the domain: custodians with sealed secrets, wallets, each provider's
//! webhooks (valid, tampered, unsigned, wrongly signed, for an unknown wallet, replayed, out of
//! order), the self-custody addresses and poll, and the key's rotation.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

use chrono::Duration;
use core_custody::{CustodyError, EncryptionKey, InvalidValue, Provider};
use custodians::WebhookError;
use custodians::fake::{BIP84_TEST_VECTOR_ADDRESSES, bip84_test_vector_account};
use custodians::{bitgo, komainu};
use es::EsEntity;
use harness::{
    BITGO_SECRET, KOMAINU_SECRET, NEW_KEY, custody_with_key, harness, staff, tampered, without,
};
use inbox::{InboxStatus, Received};

fn new(received: &Received) -> bool {
    matches!(received, Received::New(_))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bitgo_webhooks_move_the_collateral_once_and_nothing_else_does() {
    let h = harness().await;
    let custodian = h.custodian("BitGo", h.bitgo_config(BITGO_SECRET)).await;
    let (facility, wallet) = h.wallet(custodian).await;
    assert_eq!(wallet.provider, Provider::Bitgo);
    assert!(wallet.address.starts_with("tb1q"));
    let t0 = h.now();

    // a valid webhook: the transfer and the balance are read back, the collateral moves
    let valid = h
        .fake
        .bitgo_transfer(&wallet.external_ref, 150_000_000, t0, BITGO_SECRET);
    let received = h.deliver(custodian, &valid).await.unwrap();
    assert!(new(&received));
    let event = h.processed(received).await;
    assert_eq!(event.status, InboxStatus::Completed, "{:?}", event.error);
    assert_eq!(h.sink(facility).await, vec![150_000_000]);

    // the same delivery again: a duplicate, nothing changes
    let again = h.deliver(custodian, &valid).await.unwrap();
    assert_eq!(again, Received::Duplicate(event.id));

    // refused at the door, each kept as rejected with its reason
    let tampered = tampered(&valid, "\"confirmed\"", "\"confirmed\" ");
    let wrong_secret = h
        .fake
        .bitgo_transfer(&wallet.external_ref, 1, t0, "not the secret");
    let unsigned = without(&valid, bitgo::SIGNATURE_HEADER);
    for (delivery, refusal) in [
        (&tampered, WebhookError::BadSignature),
        (&wrong_secret, WebhookError::BadSignature),
        (
            &unsigned,
            WebhookError::MissingHeader(bitgo::SIGNATURE_HEADER),
        ),
    ] {
        match h.deliver(custodian, delivery).await {
            Err(CustodyError::Webhook(e)) => assert_eq!(e, refusal),
            other => panic!("expected {refusal:?}, got {other:?}"),
        }
    }

    // authentic, but for a wallet that is not ours: ignored with the reason
    let stranger = h
        .fake
        .bitgo_transfer("0000000000000000000000000000ffff", 5, t0, BITGO_SECRET);
    let ignored = h
        .processed(h.deliver(custodian, &stranger).await.unwrap())
        .await;
    assert_eq!(ignored.status, InboxStatus::Ignored);
    assert!(ignored.error.unwrap().contains("no wallet"));

    // out of order: a newer transfer applies, then an older one changes nothing
    let newer = h.fake.bitgo_transfer(
        &wallet.external_ref,
        200_000_000,
        t0 + Duration::minutes(10),
        BITGO_SECRET,
    );
    let applied = h
        .processed(h.deliver(custodian, &newer).await.unwrap())
        .await;
    assert_eq!(applied.status, InboxStatus::Completed);
    let older = h.fake.bitgo_transfer(
        &wallet.external_ref,
        20_000_000,
        t0 + Duration::minutes(5),
        BITGO_SECRET,
    );
    let stale = h
        .processed(h.deliver(custodian, &older).await.unwrap())
        .await;
    assert_eq!(stale.status, InboxStatus::Ignored);
    assert!(
        stale.error.unwrap().contains("older"),
        "the reason names it"
    );
    assert_eq!(h.sink(facility).await, vec![150_000_000, 200_000_000]);
    let wallet = h
        .custody
        .find_wallet(&staff(), wallet.id())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(wallet.balance.unwrap().balance.into_minor(), 200_000_000);

    // the custodian's deliveries, newest first, each with its status
    let listed = h
        .custody
        .list_webhooks(&staff(), custodian, 100, None)
        .await
        .unwrap();
    let statuses: Vec<_> = listed.iter().map(|e| e.status).collect();
    use InboxStatus::*;
    assert_eq!(
        statuses,
        vec![
            Ignored, Completed, Ignored, Rejected, Rejected, Rejected, Completed
        ]
    );
    assert!(
        listed
            .iter()
            .filter(|e| e.status == Rejected)
            .all(|e| e.error.as_deref().is_some_and(|r| r.contains("signature")))
    );
    // another custodian sees none of them
    let other = h.custodian("BitGo 2", h.bitgo_config("x")).await;
    assert!(
        h.custody
            .list_webhooks(&staff(), other, 100, None)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn komainu_webhooks_are_signed_over_timestamp_and_body_and_read_back_exactly() {
    let h = harness().await;
    let custodian = h
        .custodian("Komainu", h.komainu_config(KOMAINU_SECRET))
        .await;
    let (facility, wallet) = h.wallet(custodian).await;
    // the fake opens test-network wallets: their address says so
    assert!(wallet.address.starts_with("tb1"));
    assert_eq!(wallet.network, core_custody::Network::Testnet);
    let now = h.now();

    let valid = h
        .fake
        .komainu_balance(&wallet.external_ref, "1.23456789", now, KOMAINU_SECRET);
    let received = h.deliver(custodian, &valid).await.unwrap();
    assert_eq!(h.processed(received).await.status, InboxStatus::Completed);
    assert_eq!(h.sink(facility).await, vec![123_456_789]);
    assert!(matches!(
        h.deliver(custodian, &valid).await.unwrap(),
        Received::Duplicate(_)
    ));

    let tampered = tampered(&valid, &wallet.external_ref, "kmn-99999999");
    let old = now - Duration::seconds(komainu::TOLERANCE_SECS + 1);
    let expired = h
        .fake
        .komainu_balance(&wallet.external_ref, "9", old, KOMAINU_SECRET);
    let wrong = h
        .fake
        .komainu_balance(&wallet.external_ref, "9", now, "wrong secret");
    let no_timestamp = without(&valid, komainu::TIMESTAMP_HEADER);
    for delivery in [&tampered, &expired, &wrong, &no_timestamp] {
        assert!(matches!(
            h.deliver(custodian, delivery).await,
            Err(CustodyError::Webhook(_))
        ));
    }

    let stranger = h
        .fake
        .komainu_balance("kmn-00000000", "3", now, KOMAINU_SECRET);
    let ignored = h
        .processed(h.deliver(custodian, &stranger).await.unwrap())
        .await;
    assert_eq!(ignored.status, InboxStatus::Ignored);

    // a notification signed before the last applied one changes nothing
    let later = h.fake.komainu_balance(
        &wallet.external_ref,
        "0.5",
        now + Duration::seconds(30),
        KOMAINU_SECRET,
    );
    h.processed(h.deliver(custodian, &later).await.unwrap())
        .await;
    let earlier = h.fake.komainu_balance(
        &wallet.external_ref,
        "0.25",
        now + Duration::seconds(10),
        KOMAINU_SECRET,
    );
    let stale = h
        .processed(h.deliver(custodian, &earlier).await.unwrap())
        .await;
    assert_eq!(stale.status, InboxStatus::Ignored);
    assert_eq!(h.sink(facility).await, vec![123_456_789, 50_000_000]);
    let rejected = h
        .custody
        .list_webhooks(&staff(), custodian, 100, None)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.status == InboxStatus::Rejected)
        .count();
    assert_eq!(rejected, 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn self_custody_derives_one_address_per_facility_and_the_poll_reads_the_explorer() {
    let h = harness().await;
    let xpub = bip84_test_vector_account().unwrap().to_string();
    let config = core_custody::CustodianConfig::self_custody(&xpub, h.fake.base_url()).unwrap();
    let custodian = h.custodian("Own keys", config).await;
    let (first_facility, first) = h.wallet(custodian).await;
    let (_, second) = h.wallet(custodian).await;
    assert_eq!(
        [first.address.as_str(), second.address.as_str()],
        BIP84_TEST_VECTOR_ADDRESSES
    );
    assert_eq!(
        [first.derivation_index, second.derivation_index],
        [Some(0), Some(1)]
    );

    // the poll runs every minute of the bank's clock
    h.fake.explorer_set(&first.address, 90_000, 15_000);
    h.manual.advance(Duration::seconds(61)).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while h.sink(first_facility).await != vec![75_000] {
        assert!(
            std::time::Instant::now() < deadline,
            "the poll did not apply"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // self-custody sends no webhooks
    let delivery = h.fake.bitgo_transfer("x", 1, h.now(), "s");
    assert!(matches!(
        h.deliver(custodian, &delivery).await,
        Err(CustodyError::WithoutWebhooks(_))
    ));

    // a private key or a key of another kind is refused
    assert!(matches!(
        core_custody::CustodianConfig::self_custody("xprv-nope", h.fake.base_url()),
        Err(InvalidValue::Xpub(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_are_sealed_and_a_rotation_moves_them_all_to_the_new_key() {
    let h = harness().await;
    let bitgo = h.custodian("BitGo", h.bitgo_config(BITGO_SECRET)).await;
    let komainu = h
        .custodian("Komainu", h.komainu_config(KOMAINU_SECRET))
        .await;
    let (_, wallet) = h.wallet(bitgo).await;

    // no secret in the events, the index or the sealed rows
    let stored: Vec<String> = sqlx::query_scalar(
        "SELECT event::text FROM custodian_events UNION ALL SELECT encode(sealed, 'escape') FROM custody_secrets",
    )
    .fetch_all(&h.db.pool)
    .await
    .unwrap();
    for secret in [
        BITGO_SECRET,
        KOMAINU_SECRET,
        "fake-bitgo-token",
        "wallet passphrase",
    ] {
        assert!(
            stored.iter().all(|s| !s.contains(secret)),
            "{secret} stored"
        );
    }
    // a name twice, a missing secret
    assert!(matches!(
        h.custody
            .create_custodian(
                &staff(),
                core_custody::CustodianName::parse("BitGo").unwrap(),
                h.bitgo_config("y")
            )
            .await,
        Err(CustodyError::NameTaken(_))
    ));
    let incomplete = core_custody::CustodianConfig::bitgo(
        h.fake.base_url(),
        "ent",
        "tbtc4",
        Some("token"),
        None,
        Some("s"),
    )
    .unwrap();
    assert!(matches!(
        h.custody
            .create_custodian(
                &staff(),
                core_custody::CustodianName::parse("Half").unwrap(),
                incomplete
            )
            .await,
        Err(CustodyError::InvalidValue(InvalidValue::MissingSecret(_)))
    ));

    let new_key = EncryptionKey::parse(NEW_KEY).unwrap();
    let moved = h
        .custody
        .rotate_encryption_key(&staff(), &new_key)
        .await
        .unwrap();
    assert_eq!(moved, 2);
    let fingerprints: Vec<String> =
        sqlx::query_scalar("SELECT key_fingerprint FROM custody_secrets")
            .fetch_all(&h.db.pool)
            .await
            .unwrap();
    assert!(fingerprints.iter().all(|f| *f == new_key.fingerprint()));

    // the process still on the old key can open nothing, and the old key no longer starts
    let delivery = h
        .fake
        .bitgo_transfer(&wallet.external_ref, 10, h.now(), BITGO_SECRET);
    assert!(matches!(
        h.deliver(bitgo, &delivery).await,
        Err(CustodyError::SecretsUnreadable(_))
    ));
    assert!(matches!(
        custody_with_key(&h.use_cases, &h.inbox, &h.jobs, harness::KEY).await,
        Err(CustodyError::EncryptionKeyMismatch { .. })
    ));
    // a rotation from a key that is not the current one is refused
    assert!(matches!(
        h.custody.rotate_encryption_key(&staff(), &new_key).await,
        Err(CustodyError::EncryptionKeyMismatch { .. })
    ));
    // under the new key every secret opens: the webhook verifies, the API is called
    let rotated = custody_with_key(&h.use_cases, &h.inbox, &h.jobs, NEW_KEY)
        .await
        .unwrap();
    let received = rotated
        .receive_webhook(
            bitgo,
            |name| {
                delivery
                    .headers
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| v.clone())
            },
            &delivery.body,
        )
        .await
        .unwrap();
    assert!(new(&received));
    let updated = rotated
        .update_custodian_config(&staff(), komainu, h.komainu_config("rotated hook"))
        .await
        .unwrap();
    assert_eq!(updated.events().iter_all().count(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wallet_is_opened_by_a_job_retried_until_the_custodian_takes_it() {
    let h = harness().await;
    let refused = core_custody::CustodianConfig::bitgo(
        h.fake.base_url(),
        "ent-1",
        "tbtc4",
        Some("not-the-token"),
        Some("wallet passphrase"),
        Some(BITGO_SECRET),
    )
    .unwrap();
    let custodian = h.custodian("BitGo, wrong token", refused).await;
    // the request commits at once; the custodian refuses the job's attempts
    let facility = h.request_wallet(custodian).await;
    let key = format!("custody.open-wallet:{facility}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let error = loop {
        let row: Option<(i32, Option<String>)> =
            sqlx::query_as("SELECT attempt, last_error FROM jobs WHERE unique_key = $1")
                .bind(&key)
                .fetch_optional(&h.db.pool)
                .await
                .unwrap();
        if let Some((attempt, Some(error))) = &row
            && *attempt >= 2
        {
            break error.clone();
        }
        assert!(std::time::Instant::now() < deadline, "no retry: {row:?}");
        h.manual.advance(Duration::seconds(1)).unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert!(error.contains("401"), "{error}");
    assert!(
        h.custody
            .wallet_of_facility(&staff(), facility)
            .await
            .unwrap()
            .is_none()
    );
    assert!(h.fake.bitgo_wallets().is_empty());

    // staff correct the token: the next attempt opens the wallet and tells the sink, once
    h.custody
        .update_custodian_config(&staff(), custodian, h.bitgo_config(BITGO_SECRET))
        .await
        .unwrap();
    h.manual.advance(Duration::hours(1)).unwrap();
    let wallet = h.opened_wallet(facility).await;
    assert_eq!(h.fake.bitgo_wallets().len(), 1);
    assert_eq!(h.fake.bitgo_wallets()[0].0, wallet.external_ref);

    // asking again for the same facility opens nothing more
    let mut op = es::DbOp::init(&h.db.pool, &h.clock).await.unwrap();
    h.custody
        .request_wallet_in_op(&mut op, custodian, facility)
        .await
        .unwrap();
    op.commit().await.unwrap();
    h.manual.advance(Duration::hours(1)).unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(h.fake.bitgo_wallets().len(), 1);
    let told: i64 = sqlx::query_scalar("SELECT count(*) FROM sink_wallets WHERE facility_id = $1")
        .bind(facility)
        .fetch_one(&h.db.pool)
        .await
        .unwrap();
    assert_eq!(told, 1);

    // a manual custodian has no wallet: nothing is asked of anyone
    let manual = h
        .custodian("By hand", core_custody::CustodianConfig::Manual)
        .await;
    let by_hand = h.request_wallet(manual).await;
    let jobs: i64 = sqlx::query_scalar("SELECT count(*) FROM jobs WHERE unique_key = $1")
        .bind(format!("custody.open-wallet:{by_hand}"))
        .fetch_one(&h.db.pool)
        .await
        .unwrap();
    assert_eq!(jobs, 0);
}
