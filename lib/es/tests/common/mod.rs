//! A test entity: an account that can be renamed, frozen and unfrozen.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use es::{
    Column, ColumnType, EntityEvents, EsEntity, EsEntityError, EsRepo, EsRepoConfig, Idempotent,
    IndexValue,
};
use serde::{Deserialize, Serialize};
use sqlx::migrate::Migrator;

es::entity_id!(AccountId);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AccountEvent {
    Initialized { name: String, email: String },
    Renamed { name: String },
    Frozen,
    Unfrozen,
}

#[derive(Debug)]
pub struct Account {
    pub name: String,
    pub email: String,
    pub frozen: bool,
    events: EntityEvents<AccountEvent>,
}

impl Account {
    pub fn new_events(name: &str, email: &str) -> EntityEvents<AccountEvent> {
        EntityEvents::init(
            AccountId::new(),
            [AccountEvent::Initialized {
                name: name.into(),
                email: email.into(),
            }],
        )
    }

    pub fn rename(&mut self, name: &str) -> Idempotent<()> {
        if self.name == name {
            return Idempotent::AlreadyApplied;
        }
        self.name = name.into();
        self.events
            .push(AccountEvent::Renamed { name: name.into() });
        Idempotent::Executed(())
    }

    pub fn freeze(&mut self) -> Idempotent<()> {
        if self.frozen {
            return Idempotent::AlreadyApplied;
        }
        self.frozen = true;
        self.events.push(AccountEvent::Frozen);
        Idempotent::Executed(())
    }

    pub fn unfreeze(&mut self) -> Idempotent<()> {
        if !self.frozen {
            return Idempotent::AlreadyApplied;
        }
        self.frozen = false;
        self.events.push(AccountEvent::Unfrozen);
        Idempotent::Executed(())
    }
}

impl EsEntity for Account {
    type Id = AccountId;
    type Event = AccountEvent;

    fn events(&self) -> &EntityEvents<AccountEvent> {
        &self.events
    }

    fn events_mut(&mut self) -> &mut EntityEvents<AccountEvent> {
        &mut self.events
    }

    fn try_from_events(events: EntityEvents<AccountEvent>) -> Result<Self, EsEntityError> {
        let mut iter = events.iter_all();
        let Some(AccountEvent::Initialized { name, email }) = iter.next() else {
            return Err(EsEntityError::NotInitialized {
                entity_id: events.entity_id(),
            });
        };
        let (mut name, email, mut frozen) = (name.clone(), email.clone(), false);
        for event in iter {
            match event {
                AccountEvent::Initialized { .. } => {
                    return Err(EsEntityError::Inconsistent {
                        entity_id: events.entity_id(),
                        reason: "initialized twice".into(),
                    });
                }
                AccountEvent::Renamed { name: new } => name = new.clone(),
                AccountEvent::Frozen => frozen = true,
                AccountEvent::Unfrozen => frozen = false,
            }
        }
        Ok(Self {
            name,
            email,
            frozen,
            events,
        })
    }
}

pub struct Accounts;

impl EsRepoConfig for Accounts {
    type Entity = Account;
    const ENTITY: &'static str = "test account";
    const EVENTS_TABLE: &'static str = "test_account_events";
    const INDEX_TABLE: &'static str = "test_accounts";
    const COLUMNS: &'static [Column] = &[
        Column::new("name", ColumnType::Text),
        Column::new("email", ColumnType::Text),
        Column::new("frozen", ColumnType::Bool),
    ];

    fn index_values(account: &Account) -> Vec<IndexValue> {
        vec![
            account.name.as_str().into(),
            account.email.as_str().into(),
            account.frozen.into(),
        ]
    }
}

pub type AccountRepo = EsRepo<Accounts>;

static TEST_MIGRATIONS: Migrator = sqlx::migrate!("tests/migrations");

pub async fn migrator() -> Migrator {
    es::migrations::combine(&[&es::MIGRATOR, &TEST_MIGRATIONS])
        .await
        .expect("combine migrations")
}

pub async fn test_db() -> test_db::TestDb {
    test_db::TestDb::new(&migrator().await).await
}
