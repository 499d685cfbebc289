//! Partial liquidation against PostgreSQL: a crash under the liquidation threshold starts one,
//! sized by hand here to bring the CVL back to the initial 150%; the collateral sent out and the
//! proceeds recorded, which pay the facility down; each step once. The ledger is read straight
//! from its entries.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

use core_credit::ledger::FacilityAccount;
use core_credit::terms::DisbursalPolicy;
use core_credit::{
    CollateralizationState, CreditError, LiquidationStatus, PaymentInput, PaymentSource,
};
use es::{EsEntity, ListQuery};
use harness::{harness, sats, staff, usd};
use money::{Satoshis, UsdCents};
use use_case::DomainError;

fn code(e: &CreditError) -> &'static str {
    e.code().as_str()
}

#[tokio::test]
async fn a_crash_under_the_liquidation_threshold_sells_enough_to_restore_the_initial_cvl() {
    let h = harness().await;
    h.set_price(120_000).await;
    // $10,000 paid out at once against 0.11 BTC: at $120,000 that is $13,200 against the
    // $10,000 + $100 fee = 1,010,000 cents owed: 130.69%, fully collateralized
    let (_, account, facility) = h
        .active_facility(
            "kim@example.com",
            1_000_000,
            DisbursalPolicy::Single,
            11_000_000,
        )
        .await;
    let id = facility.id();
    let state = async || h.facility(id).await.collateralization;
    assert_eq!(state().await, CollateralizationState::FullyCollateralized);
    // $104,000: 1,144,000 / 1,010,000 = 113.27%: a margin call, no liquidation
    h.set_price(104_000).await;
    assert_eq!(
        state().await,
        CollateralizationState::UnderMarginCallThreshold
    );
    let liquidations = async || h.credit.list_liquidations(&staff(), id).await.unwrap();
    assert!(liquidations().await.is_empty());

    // $93,000: 1,023,000 / 1,010,000 = 101.29% < 105%: under the liquidation threshold. Back
    // to 150% by selling x: (1,023,000 - x) / (1,010,000 - x) = 1.5, x = 984,000 cents =
    // 984,000 / 9,300,000 BTC = 10,580,645.16 sats, rounded up: 10,580,646, expected to bring
    // 10,580,646 x 9,300,000 / 10^8 = 984,000.08 -> 984,000 cents
    h.set_price(93_000).await;
    assert_eq!(
        state().await,
        CollateralizationState::UnderLiquidationThreshold
    );
    let started = liquidations().await;
    assert_eq!(started.len(), 1);
    let liquidation = &started[0];
    assert_eq!(
        (
            liquidation.status,
            liquidation.sats_to_sell,
            liquidation.expected_proceeds,
            liquidation.exposure,
            liquidation.collateral
        ),
        (
            LiquidationStatus::AwaitingCollateral,
            Satoshis::from_minor(10_580_646),
            UsdCents::from_minor(984_000),
            UsdCents::from_minor(1_010_000),
            Satoshis::from_minor(11_000_000)
        )
    );
    // a lower price while it runs starts no second one
    h.set_price(92_000).await;
    h.set_price(93_000).await;
    assert_eq!(liquidations().await.len(), 1);

    // proceeds before the collateral went out, more collateral than held, nothing: refused
    let refused = h
        .credit
        .record_liquidation_proceeds(&staff(), liquidation.id(), usd(984_000), None)
        .await
        .unwrap_err();
    assert_eq!(code(&refused), "INVALID_FACILITY_TRANSITION");
    for wrong in [0, 11_000_001] {
        let refused = h
            .credit
            .record_liquidation_collateral_sent(&staff(), liquidation.id(), sats(wrong))
            .await
            .unwrap_err();
        assert_eq!(code(&refused), "INVALID_INPUT", "{wrong}");
    }
    // the collateral goes out: 419,354 sats stay
    let sent = h
        .credit
        .record_liquidation_collateral_sent(&staff(), liquidation.id(), sats(10_580_646))
        .await
        .unwrap();
    assert_eq!(sent.status, LiquidationStatus::AwaitingProceeds);
    assert_eq!(
        h.ledger_sum(FacilityAccount::Collateral.of(id), "BTC", 0, false)
            .await,
        419_354
    );
    let again = h
        .credit
        .record_liquidation_collateral_sent(&staff(), liquidation.id(), sats(1))
        .await
        .unwrap_err();
    assert_eq!(code(&again), "INVALID_FACILITY_TRANSITION");
    // liquidation proceeds are no ordinary payment
    let refused = h
        .credit
        .record_payment(
            &staff(),
            id,
            PaymentInput {
                amount: usd(984_000),
                source: PaymentSource::Liquidation {
                    liquidation_id: liquidation.id(),
                },
                effective: None,
            },
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(code(&refused), "INVALID_INPUT");

    // the proceeds: a payment of 984,000; nothing is due yet, so it waits unapplied and counts
    // against the exposure: 419,354 sats x $93,000 = 38,999.92 against 1,010,000 - 984,000 =
    // 26,000: 149.99%, fully collateralized again
    let key = idempotency::IdempotencyKey::parse("proceeds-1").unwrap();
    let payment = h
        .credit
        .record_liquidation_proceeds(&staff(), liquidation.id(), usd(984_000), Some(&key))
        .await
        .unwrap();
    let replay = h
        .credit
        .record_liquidation_proceeds(&staff(), liquidation.id(), usd(984_000), Some(&key))
        .await
        .unwrap();
    assert_eq!(payment.id(), replay.id());
    assert_eq!(
        payment.source,
        PaymentSource::Liquidation {
            liquidation_id: liquidation.id()
        }
    );
    assert_eq!(payment.unapplied(), UsdCents::from_minor(984_000));
    let done = &liquidations().await[0];
    assert_eq!(
        (done.status, done.proceeds, done.payment_id),
        (
            LiquidationStatus::Completed,
            Some(UsdCents::from_minor(984_000)),
            Some(payment.id())
        )
    );
    assert_eq!(state().await, CollateralizationState::FullyCollateralized);
    let figures = h
        .credit
        .facility_figures(&staff(), &[&h.facility(id).await])
        .await
        .unwrap()[0];
    assert_eq!(
        figures.cvl.unwrap().percent().unwrap().to_string(),
        "149.99"
    );
    // the proceeds passed through the proceeds account into the holding account; the
    // customer's deposit account was not touched
    assert_eq!(h.usd_sum(id, FacilityAccount::LiquidationProceeds).await, 0);
    assert_eq!(
        h.usd_sum(id, FacilityAccount::PaymentHolding).await,
        984_000
    );
    assert_eq!(h.deposit_sum(&account).await, 1_000_000);
    let payments = h
        .credit
        .list_payments(&staff(), id, ListQuery::first(10))
        .await
        .unwrap()
        .entities;
    assert_eq!(payments.len(), 1);
    let states: Vec<String> = sqlx::query_scalar(
        "SELECT payload->>'state' FROM outbox_events
         WHERE event_type = 'facility_collateralization_changed' AND payload->>'facility_id' = $1
         ORDER BY id",
    )
    .bind(id.to_string())
    .fetch_all(&h.db.pool)
    .await
    .unwrap();
    assert_eq!(
        states,
        [
            "under_liquidation_threshold",
            "fully_collateralized",
            "under_margin_call_threshold",
            "under_liquidation_threshold",
            "fully_collateralized"
        ]
    );
}
