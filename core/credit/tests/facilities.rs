//! Credit origination against PostgreSQL: proposal -> consent -> approval -> collateral ->
//! activation -> disbursals, with every figure checked against sums read straight from the
//! ledger's entries. Expected figures are worked out by hand next to each assertion.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

use core_credit::ledger::FacilityAccount;
use core_credit::terms::DisbursalPolicy;
use core_credit::{
    CollateralizationState, CreditFacility, DisbursalStatus, FacilityFilter, FacilityStatus,
    ProposalRequest, ProposalTerms, Reason, TemplateName,
};
use core_governance::{DenialReason, ProcessType};
use es::{EsEntity, ListQuery};
use harness::{as_customer, harness, price, sats, staff, terms, usd};
use money::UsdCents;
use use_case::DomainError;

fn code(e: &impl DomainError) -> &'static str {
    e.code().as_str()
}

/// Every balance the domain shows equals the ledger's entries for the facility's accounts.
async fn assert_figures_match_ledger(h: &harness::Harness, facility: &CreditFacility) {
    let figures = h
        .credit
        .facility_figures(&staff(), &[facility])
        .await
        .unwrap()
        .remove(0)
        .balances;
    let id = facility.id();
    let mut disbursed = 0;
    for kind in FacilityAccount::DISBURSED {
        disbursed += h.usd_sum(id, kind).await;
    }
    let mut interest = 0;
    for kind in FacilityAccount::INTEREST {
        interest += h.usd_sum(id, kind).await;
    }
    // a proposal has no limit in the ledger yet: its whole amount remains
    let remaining = if facility.status.is_proposal() {
        assert_eq!(h.usd_sum(id, FacilityAccount::Facility).await, 0);
        i64::try_from(facility.amount.minor()).unwrap()
    } else {
        h.usd_sum(id, FacilityAccount::Facility).await
            + h.ledger_sum(FacilityAccount::Facility.of(id), "USD", 1, false)
                .await
    };
    let collateral = h
        .ledger_sum(FacilityAccount::Collateral.of(id), "BTC", 0, false)
        .await;
    let as_i64 = |c: UsdCents| i64::try_from(c.into_minor()).unwrap();
    assert_eq!(as_i64(figures.disbursed), disbursed, "disbursed");
    assert_eq!(as_i64(figures.interest), interest, "interest");
    assert_eq!(
        as_i64(figures.outstanding),
        disbursed + interest,
        "outstanding"
    );
    assert_eq!(as_i64(figures.remaining), remaining, "remaining");
    assert_eq!(
        i64::try_from(figures.collateral.into_minor()).unwrap(),
        collateral,
        "collateral"
    );
}

#[tokio::test]
async fn a_single_disbursal_facility_goes_from_proposal_to_money_in_the_account() {
    let h = harness().await;
    h.set_price(100_000).await;
    let voters = h
        .committee_decides(&ProcessType::CREDIT_FACILITY_PROPOSAL, 2)
        .await;
    let (customer, account) = h.borrower("ana@example.com").await;
    let template = h
        .template("Standard 12m", terms(DisbursalPolicy::Single))
        .await;
    // $10,000.00 = 1,000,000 cents
    let proposal = h
        .credit
        .create_proposal(
            &staff(),
            ProposalRequest {
                customer_id: customer,
                deposit_account_id: account.id(),
                amount: usd(1_000_000),
                terms: ProposalTerms::Template(template.id()),
                custodian_id: None,
            },
            None,
        )
        .await
        .unwrap();
    assert_eq!(proposal.status, FacilityStatus::PendingCustomerApproval);
    assert_eq!(proposal.template_id, Some(template.id()));
    assert_figures_match_ledger(&h, &proposal).await;

    let consented = h
        .credit
        .consent_to_proposal(&as_customer(customer), proposal.id())
        .await
        .unwrap();
    assert_eq!(consented.status, FacilityStatus::PendingApproval);
    // consenting again changes nothing
    let again = h
        .credit
        .consent_to_proposal(&as_customer(customer), proposal.id())
        .await
        .unwrap();
    assert_eq!(again.events().version(), consented.events().version());

    let process = consented.approval_process_id.unwrap();
    h.governance.approve(&voters[0], process).await.unwrap();
    h.deliver_approvals().await;
    assert_eq!(
        h.facility(proposal.id()).await.status,
        FacilityStatus::PendingApproval,
        "one of two members approved: still waiting"
    );
    h.governance.approve(&voters[1], process).await.unwrap();
    h.deliver_approvals().await;
    let pending = h.facility(proposal.id()).await;
    assert_eq!(pending.status, FacilityStatus::PendingCollateral);
    // the limit is open: 1,000,000 remain
    assert_eq!(
        h.usd_sum(pending.id(), FacilityAccount::Facility).await,
        1_000_000
    );

    // 0.11 BTC at $100,000 = $11,000 against $10,000: 110% < 120% margin call, >= 105%
    let short = h
        .credit
        .update_collateral(&staff(), pending.id(), sats(11_000_000))
        .await
        .unwrap();
    assert_eq!(short.status, FacilityStatus::PendingCollateral);
    assert_eq!(
        short.collateralization,
        CollateralizationState::UnderMarginCallThreshold
    );
    assert_eq!(
        h.deposit_sum(&account).await,
        0,
        "nothing paid out while pending"
    );

    // the price rises to $120,000: 0.11 BTC = $13,200 against $10,000 = 132% >= 120%: active
    h.set_price(120_000).await;
    let active = h.facility(proposal.id()).await;
    assert_eq!(active.status, FacilityStatus::Active);
    assert_eq!(active.activated_on, Some("2027-01-15".parse().unwrap()));
    // twelve months after 2027-01-15; the first cycle ends with January
    assert_eq!(active.maturity_date, Some("2028-01-15".parse().unwrap()));
    assert_eq!(
        active.first_cycle_ends_on,
        Some("2027-01-31".parse().unwrap())
    );
    // fee: 1% of 1,000,000 = 10,000 cents, owed with the interest and earned as fee income
    assert_eq!(active.structuring_fee, Some(UsdCents::from_minor(10_000)));
    assert_eq!(
        h.usd_sum(active.id(), FacilityAccount::InterestNotYetDue)
            .await,
        10_000
    );
    assert_eq!(
        h.usd_sum(active.id(), FacilityAccount::FeeIncome).await,
        10_000
    );
    // the whole amount paid out: receivable 1,000,000, limit used up, money in the account
    assert_eq!(
        h.usd_sum(active.id(), FacilityAccount::DisbursedNotYetDue)
            .await,
        1_000_000
    );
    assert_eq!(h.deposit_sum(&account).await, 1_000_000);
    // active CVL: $13,200 against 1,000,000 + 10,000 cents = 130.69% >= 120%
    assert_eq!(
        active.collateralization,
        CollateralizationState::FullyCollateralized
    );
    assert_figures_match_ledger(&h, &active).await;
    let disbursals = h
        .credit
        .list_disbursals(&staff(), Some(active.id()), ListQuery::first(10))
        .await
        .unwrap()
        .entities;
    assert_eq!(disbursals.len(), 1);
    assert_eq!(disbursals[0].status, DisbursalStatus::Settled);
    assert_eq!(disbursals[0].amount, usd(1_000_000));
    assert_eq!(disbursals[0].due_date, "2028-01-15".parse().unwrap());

    // the customer sees the money and can take it out
    let balance = h
        .deposits
        .balances(&as_customer(customer), &[&account])
        .await
        .unwrap()[&account.id()];
    assert_eq!(balance.available, UsdCents::from_minor(1_000_000));
    let withdrawal = h
        .deposits
        .initiate_withdrawal(
            &staff(),
            account.id(),
            core_deposit::Amount::parse(UsdCents::from_minor(400_000)).unwrap(),
            core_deposit::Reference::default(),
            None,
        )
        .await
        .unwrap();
    h.deposits
        .confirm_withdrawal(&staff(), withdrawal.id())
        .await
        .unwrap();
    assert_eq!(h.deposit_sum(&account).await, 600_000);

    // a price drop to $90,000: 0.11 BTC = $9,900 against $10,100 = 98.0% < 105%
    h.set_price(90_000).await;
    let fallen = h.facility(proposal.id()).await;
    assert_eq!(
        fallen.collateralization,
        CollateralizationState::UnderLiquidationThreshold
    );
    assert_eq!(fallen.collateralization_price, Some(price(90_000)));
    let history: Vec<&str> = fallen
        .history()
        .map(|(_, e)| match e {
            core_credit::CreditFacilityEvent::Proposed { .. } => "proposed",
            core_credit::CreditFacilityEvent::CustomerConsented { .. } => "consented",
            core_credit::CreditFacilityEvent::Approved { .. } => "approved",
            core_credit::CreditFacilityEvent::CollateralUpdated { .. } => "collateral",
            core_credit::CreditFacilityEvent::CollateralizationChanged { .. } => "cvl",
            core_credit::CreditFacilityEvent::Activated { .. } => "activated",
            _ => "other",
        })
        .collect();
    assert_eq!(
        history,
        // approved with no collateral yet: under liquidation; 0.11 BTC: under margin call;
        // $120,000: fully collateralized and activated; $90,000: under liquidation
        [
            "proposed",
            "consented",
            "approved",
            "cvl",
            "collateral",
            "cvl",
            "cvl",
            "activated",
            "cvl"
        ]
    );
}

#[tokio::test]
async fn declined_denied_and_refused_proposals() {
    let h = harness().await;
    h.set_price(100_000).await;
    let (customer, account) = h.borrower("bo@example.com").await;
    let terms = terms(DisbursalPolicy::Single);

    // the customer declines: final
    let declined = h
        .credit
        .create_proposal(
            &staff(),
            ProposalRequest {
                customer_id: customer,
                deposit_account_id: account.id(),
                amount: usd(50_000),
                terms: ProposalTerms::Custom(terms.clone()),
                custodian_id: None,
            },
            None,
        )
        .await
        .unwrap();
    let reason = Reason::parse(Some("rate too high")).unwrap();
    let declined = h
        .credit
        .decline_proposal(&as_customer(customer), declined.id(), reason)
        .await
        .unwrap();
    assert_eq!(declined.status, FacilityStatus::CustomerDeclined);
    assert_eq!(declined.refusal_reason.as_deref(), Some("rate too high"));
    let late = h
        .credit
        .consent_to_proposal(&as_customer(customer), declined.id())
        .await
        .unwrap_err();
    assert_eq!(code(&late), "INVALID_FACILITY_TRANSITION");

    // one denial of the committee denies; nothing is opened in the ledger
    let voters = h
        .committee_decides(&ProcessType::CREDIT_FACILITY_PROPOSAL, 2)
        .await;
    let denied = h.consented(customer, &account, 50_000, terms.clone()).await;
    h.governance
        .approve(&voters[0], denied.approval_process_id.unwrap())
        .await
        .unwrap();
    h.governance
        .deny(
            &voters[1],
            denied.approval_process_id.unwrap(),
            DenialReason::parse("not enough history").unwrap(),
        )
        .await
        .unwrap();
    h.deliver_approvals().await;
    let denied = h.facility(denied.id()).await;
    assert_eq!(denied.status, FacilityStatus::Denied);
    assert_eq!(denied.refusal_reason.as_deref(), Some("not enough history"));
    let collateral = h
        .credit
        .update_collateral(&staff(), denied.id(), sats(1_000))
        .await
        .unwrap_err();
    assert_eq!(code(&collateral), "INVALID_FACILITY_TRANSITION");
    assert_eq!(h.usd_sum(denied.id(), FacilityAccount::Facility).await, 0);

    // another customer's account, a frozen account, a frozen customer, an unknown customer
    let (other, other_account) = h.borrower("cy@example.com").await;
    let propose = |customer, account| {
        let credit = h.credit.clone();
        let terms = terms.clone();
        async move {
            credit
                .create_proposal(
                    &staff(),
                    ProposalRequest {
                        customer_id: customer,
                        deposit_account_id: account,
                        amount: usd(10_000),
                        terms: ProposalTerms::Custom(terms),
                        custodian_id: None,
                    },
                    None,
                )
                .await
                .unwrap_err()
        }
    };
    assert_eq!(
        code(&propose(customer, other_account.id()).await),
        "DEPOSIT_ACCOUNT_OF_ANOTHER_CUSTOMER"
    );
    h.deposits
        .change_account_status(
            &staff(),
            other_account.id(),
            core_deposit::AccountStatusChange::Freeze,
        )
        .await
        .unwrap();
    assert_eq!(
        code(&propose(other, other_account.id()).await),
        "ACCOUNT_FROZEN"
    );
    h.customers.freeze(&staff(), customer).await.unwrap();
    assert_eq!(
        code(&propose(customer, account.id()).await),
        "CUSTOMER_NOT_ACTIVE"
    );
    assert_eq!(
        code(&propose(core_customer::CustomerId::new(), account.id()).await),
        "NOT_FOUND"
    );
}

#[tokio::test]
async fn a_stale_price_never_activates_a_facility() {
    let h = harness().await;
    // the exchange becomes the bank's provider with a price of $100,000
    let exchange = h
        .prices
        .providers(&staff())
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.kind == core_price::ProviderKind::Exchange)
        .unwrap();
    h.prices
        .activate_provider(&staff(), exchange.id)
        .await
        .unwrap();
    h.prices.fetch_now(&staff()).await.unwrap();
    let (customer, account) = h.borrower("di@example.com").await;
    let facility = h
        .consented(
            customer,
            &account,
            1_000_000,
            terms(DisbursalPolicy::Single),
        )
        .await;
    // evaluated at approval, with nothing as collateral
    assert_eq!(facility.status, FacilityStatus::PendingCollateral);
    assert_eq!(
        facility.collateralization,
        CollateralizationState::UnderLiquidationThreshold
    );
    // ten minutes later the price is stale (after 300 s): 0.2 BTC would cover 200%, but
    // nothing is evaluated
    h.manual.advance(chrono::Duration::minutes(10)).unwrap();
    let still = h
        .credit
        .update_collateral(&staff(), facility.id(), sats(20_000_000))
        .await
        .unwrap();
    assert_eq!(still.status, FacilityStatus::PendingCollateral);
    assert_eq!(
        still.collateralization,
        CollateralizationState::UnderLiquidationThreshold
    );
    assert_eq!(h.deposit_sum(&account).await, 0);
    // a fresh price ($101,000: 0.2 BTC = $20,200, 202%) activates it
    h.exchange.set_price("101000");
    h.prices.fetch_now(&staff()).await.unwrap();
    h.deliver(core_credit::PriceChangeHandler::new(h.credit.clone()))
        .await;
    assert_eq!(
        h.facility(facility.id()).await.status,
        FacilityStatus::Active
    );
    assert_eq!(h.deposit_sum(&account).await, 1_000_000);
}

#[tokio::test]
async fn multiple_disbursals_stay_within_the_amount_and_above_margin_call() {
    let h = harness().await;
    h.set_price(100_000).await;
    // $10,000 against 0.125 BTC = $12,500: 125% >= 120%, activates (fee 10,000 cents)
    let (_, account, facility) = h
        .active_facility(
            "ed@example.com",
            1_000_000,
            DisbursalPolicy::Multiple,
            12_500_000,
        )
        .await;
    assert_eq!(facility.status, FacilityStatus::Active);
    assert_eq!(
        h.deposit_sum(&account).await,
        0,
        "nothing paid out at activation"
    );
    h.set_price(90_000).await;
    // at $90,000: 0.125 BTC = $11,250; $10,000 more would make 1,010,000 owed: 111.4% < 120%
    let below = h
        .credit
        .initiate_disbursal(&staff(), facility.id(), usd(1_000_000), None)
        .await
        .unwrap_err();
    assert_eq!(code(&below), "DISBURSAL_BELOW_MARGIN_CALL");
    // $9,000: 910,000 owed against 1,125,000 = 123.6% >= 120%: settled (automatic approval)
    let first = h
        .credit
        .initiate_disbursal(&staff(), facility.id(), usd(900_000), None)
        .await
        .unwrap();
    assert_eq!(first.status, DisbursalStatus::Settled);
    assert_eq!(h.deposit_sum(&account).await, 900_000);
    // 100,000 remain: one cent more is refused
    let above = h
        .credit
        .initiate_disbursal(&staff(), facility.id(), usd(100_001), None)
        .await
        .unwrap_err();
    assert_eq!(code(&above), "DISBURSAL_EXCEEDS_FACILITY");
    let facility = h.facility(facility.id()).await;
    assert_figures_match_ledger(&h, &facility).await;

    // a single-policy facility takes no other disbursal
    let (_, _, single) = h
        .active_facility(
            "fa@example.com",
            100_000,
            DisbursalPolicy::Single,
            100_000_000,
        )
        .await;
    let refused = h
        .credit
        .initiate_disbursal(&staff(), single.id(), usd(1), None)
        .await
        .unwrap_err();
    assert_eq!(code(&refused), "SINGLE_DISBURSAL_FACILITY");
}

#[tokio::test]
async fn twenty_concurrent_disbursals_of_a_tenth_never_exceed_the_facility() {
    let h = harness().await;
    h.set_price(100_000).await;
    // $10,000 against 1 BTC: CVL never binds here
    let (_, account, facility) = h
        .active_facility(
            "gi@example.com",
            1_000_000,
            DisbursalPolicy::Multiple,
            100_000_000,
        )
        .await;
    let voters = h.committee_decides(&ProcessType::DISBURSAL, 1).await;
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let credit = h.credit.clone();
            let id = facility.id();
            tokio::spawn(async move {
                credit
                    .initiate_disbursal(&staff(), id, usd(100_000), None)
                    .await
            })
        })
        .collect();
    let mut initiated = Vec::new();
    let mut refused = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(d) => initiated.push(d),
            Err(e) => {
                assert_eq!(code(&e), "DISBURSAL_EXCEEDS_FACILITY");
                refused += 1;
            }
        }
    }
    // ten holds of 100,000 use the whole 1,000,000; the other ten are refused
    assert_eq!((initiated.len(), refused), (10, 10));
    for d in &initiated {
        assert_eq!(d.status, DisbursalStatus::PendingApproval);
        h.governance
            .approve(&voters[0], d.approval_process_id.unwrap())
            .await
            .unwrap();
    }
    h.deliver_approvals().await;
    let settled = h
        .credit
        .list_disbursals(&staff(), Some(facility.id()), ListQuery::first(100))
        .await
        .unwrap()
        .entities;
    assert_eq!(
        settled
            .iter()
            .filter(|d| d.status == DisbursalStatus::Settled)
            .count(),
        10
    );
    assert_eq!(
        h.usd_sum(facility.id(), FacilityAccount::DisbursedNotYetDue)
            .await,
        1_000_000
    );
    assert_eq!(h.usd_sum(facility.id(), FacilityAccount::Facility).await, 0);
    assert_eq!(h.deposit_sum(&account).await, 1_000_000);
    assert_figures_match_ledger(&h, &h.facility(facility.id()).await).await;
}

#[tokio::test]
async fn a_denied_disbursal_releases_its_hold_and_a_frozen_account_cancels_the_payout() {
    let h = harness().await;
    h.set_price(100_000).await;
    let (_, account, facility) = h
        .active_facility(
            "ho@example.com",
            1_000_000,
            DisbursalPolicy::Multiple,
            100_000_000,
        )
        .await;
    let voters = h.committee_decides(&ProcessType::DISBURSAL, 1).await;
    let denied = h
        .credit
        .initiate_disbursal(&staff(), facility.id(), usd(300_000), None)
        .await
        .unwrap();
    let held = h
        .credit
        .facility_figures(&staff(), &[&h.facility(facility.id()).await])
        .await
        .unwrap()[0]
        .balances;
    assert_eq!(
        (held.held, held.remaining),
        (UsdCents::from_minor(300_000), UsdCents::from_minor(700_000))
    );
    h.governance
        .deny(
            &voters[0],
            denied.approval_process_id.unwrap(),
            DenialReason::parse("no").unwrap(),
        )
        .await
        .unwrap();
    h.deliver_approvals().await;
    let denied = h
        .credit
        .find_disbursal(&staff(), denied.id())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(denied.status, DisbursalStatus::Denied);
    // approved while the deposit account is frozen: cancelled, hold released
    let approved = h
        .credit
        .initiate_disbursal(&staff(), facility.id(), usd(200_000), None)
        .await
        .unwrap();
    h.deposits
        .change_account_status(
            &staff(),
            account.id(),
            core_deposit::AccountStatusChange::Freeze,
        )
        .await
        .unwrap();
    h.governance
        .approve(&voters[0], approved.approval_process_id.unwrap())
        .await
        .unwrap();
    h.deliver_approvals().await;
    let cancelled = h
        .credit
        .find_disbursal(&staff(), approved.id())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(cancelled.status, DisbursalStatus::Cancelled);
    let facility = h.facility(facility.id()).await;
    let figures = h
        .credit
        .facility_figures(&staff(), &[&facility])
        .await
        .unwrap()[0]
        .balances;
    assert_eq!(
        (figures.held, figures.remaining, figures.disbursed),
        (
            UsdCents::ZERO,
            UsdCents::from_minor(1_000_000),
            UsdCents::ZERO
        )
    );
    assert_figures_match_ledger(&h, &facility).await;
}

#[tokio::test]
async fn a_customer_sees_and_consents_to_their_own_proposals_only() {
    let h = harness().await;
    let (ana, ana_account) = h.borrower("ana@example.com").await;
    let (bo, _) = h.borrower("bo@example.com").await;
    let proposal = h
        .credit
        .create_proposal(
            &staff(),
            ProposalRequest {
                customer_id: ana,
                deposit_account_id: ana_account.id(),
                amount: usd(10_000),
                terms: ProposalTerms::Custom(terms(DisbursalPolicy::Single)),
                custodian_id: None,
            },
            None,
        )
        .await
        .unwrap();
    let bo_actor = as_customer(bo);
    assert!(
        h.credit
            .find_facility(&bo_actor, proposal.id())
            .await
            .unwrap()
            .is_none()
    );
    let consent = h
        .credit
        .consent_to_proposal(&bo_actor, proposal.id())
        .await
        .unwrap_err();
    assert_eq!(code(&consent), "NOT_FOUND");
    let decline = h
        .credit
        .decline_proposal(&bo_actor, proposal.id(), Reason::default())
        .await
        .unwrap_err();
    assert_eq!(code(&decline), "NOT_FOUND");
    let figures = h
        .credit
        .facility_figures(&bo_actor, &[&proposal])
        .await
        .unwrap_err();
    assert_eq!(code(&figures), "NOT_FOUND");
    let listed = h
        .credit
        .list_facilities(&bo_actor, ListQuery::first(10), FacilityFilter::default())
        .await
        .unwrap();
    assert!(listed.entities.is_empty());
    // asking for Ana's id as a filter does not widen Bo's view
    let filtered = h
        .credit
        .list_facilities(
            &bo_actor,
            ListQuery::first(10),
            FacilityFilter {
                customer_id: Some(ana),
                ..FacilityFilter::default()
            },
        )
        .await
        .unwrap();
    assert!(filtered.entities.is_empty());
    assert_eq!(
        h.facility(proposal.id()).await.status,
        FacilityStatus::PendingCustomerApproval
    );
    let own = h
        .credit
        .list_facilities(
            &as_customer(ana),
            ListQuery::first(10),
            FacilityFilter::default(),
        )
        .await
        .unwrap();
    assert_eq!(own.entities.len(), 1);
}

#[tokio::test]
async fn editing_a_template_never_changes_a_facility_made_from_it() {
    let h = harness().await;
    let (customer, account) = h.borrower("ivy@example.com").await;
    let template = h.template("Plain", terms(DisbursalPolicy::Single)).await;
    let proposal = h
        .credit
        .create_proposal(
            &staff(),
            ProposalRequest {
                customer_id: customer,
                deposit_account_id: account.id(),
                amount: usd(10_000),
                terms: ProposalTerms::Template(template.id()),
                custodian_id: None,
            },
            None,
        )
        .await
        .unwrap();
    let mut changed = terms(DisbursalPolicy::Multiple);
    changed.annual_rate =
        core_credit::terms::AnnualRate::parse(rust_decimal::Decimal::new(18, 0)).unwrap();
    let updated = h
        .credit
        .update_terms_template(
            &staff(),
            template.id(),
            TemplateName::parse("Plain v2").unwrap(),
            changed.clone(),
        )
        .await
        .unwrap();
    assert_eq!(updated.terms, changed);
    assert_eq!(
        h.facility(proposal.id()).await.terms,
        terms(DisbursalPolicy::Single)
    );
    // a second template with a taken name is refused
    let taken = h
        .credit
        .create_terms_template(&staff(), TemplateName::parse("Plain v2").unwrap(), changed)
        .await
        .unwrap_err();
    assert_eq!(code(&taken), "TEMPLATE_NAME_TAKEN");
}

#[tokio::test]
async fn margin_call_is_left_only_above_the_buffer_and_each_change_is_published() {
    let h = harness().await;
    h.set_price(100_000).await;
    // $10,000 against 0.124 BTC: 124% at $100,000, active; all of it disbursed: 1,010,000 cents
    // owed with the fee: 1,240,000 / 1,010,000 = 122.77% >= 120%
    let (_, _, facility) = h
        .active_facility(
            "jo@example.com",
            1_000_000,
            DisbursalPolicy::Multiple,
            12_400_000,
        )
        .await;
    h.credit
        .initiate_disbursal(&staff(), facility.id(), usd(1_000_000), None)
        .await
        .unwrap();
    let state = async || h.facility(facility.id()).await.collateralization;
    h.set_price(100_000).await;
    assert_eq!(state().await, CollateralizationState::FullyCollateralized);
    // $95,000: 1,178,000 / 1,010,000 = 116.63% < 120%: margin call
    h.set_price(95_000).await;
    assert_eq!(
        state().await,
        CollateralizationState::UnderMarginCallThreshold
    );
    // back to $100,000: 122.77%, above 120% but under 120% + 5 (the default buffer): stays
    h.set_price(100_000).await;
    assert_eq!(
        state().await,
        CollateralizationState::UnderMarginCallThreshold
    );
    // $103,000: 1,277,200 / 1,010,000 = 126.46% >= 125%: fully collateralized again
    h.set_price(103_000).await;
    assert_eq!(state().await, CollateralizationState::FullyCollateralized);
    let published: Vec<serde_json::Value> = sqlx::query_scalar(
        "SELECT payload FROM outbox_events WHERE event_type = 'facility_collateralization_changed'
         ORDER BY id",
    )
    .fetch_all(&h.db.pool)
    .await
    .unwrap();
    let states: Vec<&str> = published
        .iter()
        .filter(|p| p["facility_id"] == serde_json::json!(facility.id()))
        .map(|p| p["state"].as_str().unwrap())
        .collect();
    // approval with no collateral, activation, the margin call and its end
    assert_eq!(
        states,
        [
            "under_liquidation_threshold",
            "fully_collateralized",
            "under_margin_call_threshold",
            "fully_collateralized"
        ]
    );
}

/// A proposal naming a custodian that keeps wallets: from its approval on, staff cannot record
/// its collateral by hand (the wallet, once opened, reports it); a manual custodian keeps none,
/// so staff do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn collateral_held_by_a_custodian_is_not_recorded_by_hand() {
    let h = harness().await;
    h.set_price(100_000).await;
    let bitgo = core_custody::CustodianConfig::bitgo(
        "http://127.0.0.1:9",
        "ent",
        "tbtc4",
        Some("token"),
        Some("passphrase"),
        Some("webhook secret"),
    )
    .unwrap();
    let mut held = Vec::new();
    for (name, config) in [
        ("BitGo", bitgo),
        ("By hand", core_custody::CustodianConfig::Manual),
    ] {
        let custodian = h
            .custody
            .create_custodian(
                &staff(),
                core_custody::CustodianName::parse(name).unwrap(),
                config,
            )
            .await
            .unwrap();
        let (customer, account) = h.borrower(&format!("held{}@example.com", held.len())).await;
        let pending = h
            .consented_held_by(
                customer,
                &account,
                1_000_000,
                terms(DisbursalPolicy::Single),
                Some(custodian.id()),
            )
            .await;
        assert_eq!(pending.status, FacilityStatus::PendingCollateral);
        assert_eq!(pending.custodian_id, Some(custodian.id()));
        held.push(pending.id());
    }
    // the wallet is not opened yet (no job runs here): staff are refused all the same
    let refused = h
        .credit
        .update_collateral(&staff(), held[0], sats(15_000_000))
        .await
        .unwrap_err();
    assert_eq!(code(&refused), "COLLATERAL_FROM_CUSTODIAN");
    assert_eq!(h.facility(held[0]).await.collateral, sats(0));
    // 0.15 BTC at $100,000 against $10,000: 150%, it activates
    let by_hand = h
        .credit
        .update_collateral(&staff(), held[1], sats(15_000_000))
        .await
        .unwrap();
    assert_eq!(by_hand.status, FacilityStatus::Active);
}
