//! Customers against PostgreSQL: onboarding by KYC webhooks and by staff, the changes a customer
//! goes through and the events they publish, and the first login.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

use core_customer::{CustomerError, CustomerId, CustomerStatus, KycLevel, KycStatus};
use es::EsEntity;
use harness::{harness, kyc, staff};
use use_case::DomainError;

#[tokio::test]
async fn an_approved_applicant_becomes_a_customer_once() {
    let h = harness().await;
    let prospect = h.prospect("kyc@bank.test").await;
    h.webhook(kyc(&prospect, "applicantCreated", None)).await;
    h.webhook(kyc(&prospect, "applicantPending", None)).await;
    h.webhook(kyc(&prospect, "applicantReviewed", Some("GREEN")))
        .await;
    // the provider redelivers: nothing more happens
    h.webhook(kyc(&prospect, "applicantReviewed", Some("GREEN")))
        .await;

    let stored = h
        .customers
        .find_prospect(&staff(), prospect.id())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (stored.kyc_status, stored.converted),
        (KycStatus::Approved, true)
    );
    let customer = h
        .customers
        .find_customer(&staff(), CustomerId::from(prospect.id()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(customer.kyc_level, KycLevel::Basic);
    assert_eq!(customer.applicant_id.as_deref(), Some("applicant-1"));
    assert_eq!(h.published().await, ["customer_created"]);
    // a link for a prospect that is a customer already is refused
    let link = h
        .customers
        .create_kyc_link(&staff(), prospect.id())
        .await
        .unwrap_err();
    assert_eq!(link.code().as_str(), "PROSPECT_ALREADY_CONVERTED");
}

#[tokio::test]
async fn a_declined_applicant_stays_a_prospect_and_unknown_prospects_are_ignored() {
    let h = harness().await;
    let prospect = h.prospect("red@bank.test").await;
    h.webhook(kyc(&prospect, "applicantReviewed", Some("RED")))
        .await;
    let stored = h
        .customers
        .find_prospect(&staff(), prospect.id())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (stored.kyc_status, stored.converted),
        (KycStatus::Declined, false)
    );
    let mut stranger = kyc(&prospect, "applicantReviewed", Some("GREEN"));
    stranger["externalUserId"] = serde_json::json!(uuid::Uuid::now_v7().to_string());
    h.webhook(stranger).await;
    assert!(h.published().await.is_empty());
}

#[tokio::test]
async fn staff_convert_only_while_the_setting_allows_it_and_once() {
    let h = harness().await;
    let prospect = h.prospect("manual@bank.test").await;
    let refused = h.customers.convert_prospect(&staff(), prospect.id()).await;
    assert!(matches!(
        refused,
        Err(CustomerError::ManualConversionDisabled)
    ));

    h.allow_manual_conversion(true).await;
    let customer = h
        .customers
        .convert_prospect(&staff(), prospect.id())
        .await
        .unwrap();
    assert_eq!(customer.id(), CustomerId::from(prospect.id()));
    assert_eq!(customer.kyc_level, KycLevel::NotKyced);
    let again = h
        .customers
        .convert_prospect(&staff(), prospect.id())
        .await
        .unwrap();
    assert_eq!(again.id(), customer.id());
    assert_eq!(h.published().await, ["customer_created"]);
}

#[tokio::test]
async fn every_change_of_a_customer_is_published_once() {
    let h = harness().await;
    h.allow_manual_conversion(true).await;
    let prospect = h.prospect("life@bank.test").await;
    let id = h
        .customers
        .convert_prospect(&staff(), prospect.id())
        .await
        .unwrap()
        .id();
    let new_email = email::Email::parse("new@bank.test").unwrap();
    h.customers.freeze(&staff(), id).await.unwrap();
    h.customers.freeze(&staff(), id).await.unwrap();
    h.customers.unfreeze(&staff(), id).await.unwrap();
    h.customers
        .update_email(&staff(), id, new_email.clone())
        .await
        .unwrap();
    h.customers
        .update_email(&staff(), id, new_email)
        .await
        .unwrap();
    let closed = h.customers.close(&staff(), id).await.unwrap();
    assert_eq!(closed.status, CustomerStatus::Closed);
    h.customers.close(&staff(), id).await.unwrap();
    assert_eq!(
        h.published().await,
        [
            "customer_created",
            "customer_frozen",
            "customer_unfrozen",
            "customer_email_updated",
            "customer_closed"
        ]
    );
    let refused = h.customers.freeze(&staff(), id).await.unwrap_err();
    assert_eq!(refused.code().as_str(), "CUSTOMER_CLOSED");
}

#[tokio::test]
async fn emails_are_unique_among_customers_and_among_prospects() {
    let h = harness().await;
    h.allow_manual_conversion(true).await;
    h.prospect("dup@bank.test").await;
    let twice = h
        .customers
        .create_prospect(
            &staff(),
            core_customer::ProspectInput {
                email: email::Email::parse("DUP@bank.test").unwrap(),
                telegram_handle: core_customer::TelegramHandle::parse("other_tg").unwrap(),
                customer_type: core_customer::CustomerType::Bank,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(twice.code().as_str(), "EMAIL_TAKEN");
    let (a, b) = (
        h.prospect("a@bank.test").await,
        h.prospect("b@bank.test").await,
    );
    let a = h
        .customers
        .convert_prospect(&staff(), a.id())
        .await
        .unwrap();
    let b = h
        .customers
        .convert_prospect(&staff(), b.id())
        .await
        .unwrap();
    let taken = h
        .customers
        .update_email(&staff(), b.id(), a.email.clone())
        .await
        .unwrap_err();
    assert_eq!(taken.code().as_str(), "EMAIL_TAKEN");
}

#[tokio::test]
async fn the_first_login_links_the_identity_by_verified_email() {
    let h = harness().await;
    h.allow_manual_conversion(true).await;
    let prospect = h.prospect("login@bank.test").await;
    let customer = h
        .customers
        .convert_prospect(&staff(), prospect.id())
        .await
        .unwrap();
    let login = |subject: &'static str, email: Option<&'static str>| {
        let customers = h.customers.clone();
        async move { customers.customer_for_login(subject, email).await.unwrap() }
    };
    // no verified email, no link
    assert!(login("sub-1", None).await.is_none());
    let linked = login("sub-1", Some("Login@bank.test")).await.unwrap();
    assert_eq!(linked.id(), customer.id());
    // afterwards the subject alone is enough; another identity with the same email is refused
    assert_eq!(login("sub-1", None).await.unwrap().id(), customer.id());
    assert!(login("sub-2", Some("login@bank.test")).await.is_none());
    // a closed customer is not linked
    let other = h.prospect("gone@bank.test").await;
    let gone = h
        .customers
        .convert_prospect(&staff(), other.id())
        .await
        .unwrap();
    h.customers.close(&staff(), gone.id()).await.unwrap();
    assert!(login("sub-3", Some("gone@bank.test")).await.is_none());
}
