//! A page of customers with their accounts and balances takes the same, small number of database
//! statements whatever its size: accounts and balances are loaded for the whole page at once.
//! The statements are counted from sqlx's own per-statement log events.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use authz::Actor;
use clock::Clock;
use core_customer::{CustomerType, ProspectInput, TelegramHandle};
use core_deposit::{Amount, Reference};
use es::EsEntity;
use graphql_kit::{CorrelationId, GraphqlConfig};
use graphql_types::deposit::DepositLoaders;
use lana_app::{AppConfig, LanaApp};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tracing_subscriber::layer::SubscriberExt;

/// Counts the statements sqlx runs (one `sqlx::query` event each).
#[derive(Clone, Default)]
struct Statements(Arc<AtomicUsize>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Statements {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if event.metadata().target() == "sqlx::query" {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
}

const PAGE: &str = "query($first: Int!) { customers(first: $first) { edges { node { email
    depositAccounts(first: 10) { nodes { id publicId balance { settled available } } } } } } }";

#[tokio::test]
async fn a_page_of_customers_with_accounts_takes_a_bounded_number_of_statements() {
    let db = test_db::TestDb::new(&es::migrations::combine(&[]).await.unwrap()).await;
    let app = LanaApp::init(&AppConfig::for_database(db.url()), Clock::real())
        .await
        .unwrap();
    let staff = Actor::system("page-test");
    app.configs()
        .update(
            &staff,
            "customer-manual-conversion-allowed",
            serde_json::json!(true),
        )
        .await
        .unwrap();
    for n in 0..20 {
        let prospect = app
            .customers()
            .create_prospect(
                &staff,
                ProspectInput {
                    email: email::Email::parse(&format!("c{n}@bank.test")).unwrap(),
                    telegram_handle: TelegramHandle::parse(&format!("customer_{n}")).unwrap(),
                    customer_type: CustomerType::Individual,
                },
            )
            .await
            .unwrap();
        let customer = app
            .customers()
            .convert_prospect(&staff, prospect.id())
            .await
            .unwrap();
        for _ in 0..2 {
            let account = app
                .deposits()
                .create_account(&staff, customer.id())
                .await
                .unwrap();
            app.deposits()
                .record_deposit(
                    &staff,
                    account.id(),
                    Amount::parse(money::UsdCents::from_minor(100 + n)).unwrap(),
                    Reference::default(),
                    None,
                )
                .await
                .unwrap();
        }
    }

    let schema = admin_server::build_schema(&GraphqlConfig::default());
    let statements = Statements::default();
    let subscriber = tracing_subscriber::registry().with(statements.clone());
    let _guard = tracing::subscriber::set_default(subscriber);
    let mut counted = Vec::new();
    for first in [5, 20] {
        // a request of its own, as the server makes one per HTTP request
        let staff = Actor::new(authz::Subject::System("page-test".into()), "page-test");
        let before = statements.0.load(Ordering::SeqCst);
        let request = async_graphql::Request::new(PAGE)
            .variables(async_graphql::Variables::from_json(
                serde_json::json!({ "first": first }),
            ))
            .data(DepositLoaders::new(app.deposits().clone(), staff.clone()))
            .data(staff.clone())
            .data(app.clone())
            .data(CorrelationId("page-test".into()));
        let response = schema.execute(request).await;
        assert!(response.errors.is_empty(), "{:?}", response.errors);
        let data = response.data.into_json().unwrap();
        let customers = data["customers"]["edges"].as_array().unwrap();
        assert_eq!(customers.len(), first);
        for customer in customers {
            let accounts = customer["node"]["depositAccounts"]["nodes"]
                .as_array()
                .unwrap();
            assert_eq!(accounts.len(), 2);
            assert!(accounts[0]["balance"]["settled"].as_u64().unwrap() >= 100);
        }
        counted.push(statements.0.load(Ordering::SeqCst) - before);
    }
    println!("statements for 5 and for 20 customers: {counted:?}");
    // three reads (customers, their accounts, the accounts' balances); the customers and the
    // accounts audited once each (the balances are a read of accounts again)
    assert_eq!(counted[0], counted[1], "{counted:?}");
    assert!(counted[1] <= 15, "{counted:?}");
}
