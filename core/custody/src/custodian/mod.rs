//! Custodians: created and reconfigured by staff; their secrets sealed (`secrets.rs`), and the
//! adapter a custodian is spoken to through, built from its configuration and secrets when
//! needed.

mod entity;
mod repo;

pub use entity::{Custodian, CustodianEvent};
pub(crate) use repo::CustodianRepo;

use crate::Custody;
use crate::error::CustodyError;
use crate::primitives::{
    CustodianConfig, CustodianId, CustodianName, InvalidValue, PublicConfig, SecretSet, permissions,
};
use crate::secrets;
use authz::Actor;
use custodians::bitgo::{BitgoClient, BitgoSettings};
use custodians::esplora::EsploraClient;
use custodians::komainu::{KomainuClient, KomainuSettings};
use custodians::xpub::AccountXpub;
use entity::NewCustodian;
use es::{DbOp, EsEntity, EsRepoError, ListQuery, Page, RowLock};

fn name_taken(e: EsRepoError, name: &CustodianName) -> CustodyError {
    match e {
        EsRepoError::UniqueViolation { .. } => CustodyError::NameTaken(name.as_str().to_owned()),
        other => other.into(),
    }
}

/// How a custodian is spoken to (secrets opened).
pub(crate) enum Adapter {
    Bitgo {
        client: BitgoClient,
        webhook_secret: String,
    },
    Komainu {
        client: KomainuClient,
        webhook_secret: String,
    },
    SelfCustody {
        account: AccountXpub,
        explorer: EsploraClient,
    },
    Manual,
}

impl Custody {
    /// A custodian with its configuration; every secret its provider uses must be given.
    pub async fn create_custodian(
        &self,
        actor: &Actor,
        name: CustodianName,
        config: CustodianConfig,
    ) -> Result<Custodian, CustodyError> {
        use permissions::{CUSTODIANS, WRITE};
        self.use_cases
            .command(actor, CUSTODIANS, WRITE, || {
                let (name, config) = (name.clone(), config.clone());
                async move |op| {
                    let provider = config.provider();
                    let (public, given) = config.split();
                    if let Some(missing) = given.missing_for(provider) {
                        return Err(InvalidValue::MissingSecret(missing).into());
                    }
                    let id = CustodianId::new();
                    let new = NewCustodian {
                        id,
                        name: name.clone(),
                        config: public,
                        secrets: given.names(),
                    };
                    let custodian = self
                        .custodians
                        .create_in_op(op, new.into_events())
                        .await
                        .map_err(|e| name_taken(e, &name))?;
                    if !given.names().is_empty() {
                        let key = self
                            .key
                            .as_ref()
                            .ok_or(CustodyError::EncryptionKeyMissing)?;
                        secrets::store_in_op(op, key, id, &given).await?;
                    }
                    Ok(custodian)
                }
            })
            .await
    }

    /// A new configuration of the same provider; secrets left out keep their stored value.
    pub async fn update_custodian_config(
        &self,
        actor: &Actor,
        id: CustodianId,
        config: CustodianConfig,
    ) -> Result<Custodian, CustodyError> {
        use permissions::{CUSTODIANS, WRITE};
        self.use_cases
            .command(actor, CUSTODIANS, WRITE, || {
                let config = config.clone();
                async move |op| {
                    let mut custodian = self.custodians.lock_in_op(op, id, RowLock::Update).await?;
                    let (public, given) = config.split();
                    let replaced = given.names();
                    if custodian
                        .update_config(public, replaced.clone())?
                        .was_already_applied()
                    {
                        return Ok(custodian);
                    }
                    self.custodians.update_in_op(op, &mut custodian).await?;
                    if !replaced.is_empty() {
                        let key = self
                            .key
                            .as_ref()
                            .ok_or(CustodyError::EncryptionKeyMissing)?;
                        let stored = secrets::load(op.conn(), Some(key), id).await?;
                        secrets::store_in_op(op, key, id, &stored.merged(given)).await?;
                    }
                    Ok(custodian)
                }
            })
            .await
    }

    /// The custodian, in the caller's transaction (`NOT_FOUND` when there is none).
    pub async fn find_custodian_in_op(
        &self,
        op: &mut DbOp,
        id: CustodianId,
    ) -> Result<Custodian, CustodyError> {
        Ok(self.custodians.find_by_id_in_op(op, id).await?)
    }

    pub async fn find_custodian(
        &self,
        actor: &Actor,
        id: CustodianId,
    ) -> Result<Option<Custodian>, CustodyError> {
        use permissions::{CUSTODIANS, READ};
        self.use_cases
            .query(actor, CUSTODIANS, READ, async || {
                Ok(self.custodians.maybe_find_by_id(id).await?)
            })
            .await
    }

    /// A page of custodians, oldest first.
    pub async fn list_custodians(
        &self,
        actor: &Actor,
        query: ListQuery,
    ) -> Result<Page<Custodian>, CustodyError> {
        use permissions::{CUSTODIANS, READ};
        self.use_cases
            .query(actor, CUSTODIANS, READ, async || {
                Ok(self.custodians.list(query).await?)
            })
            .await
    }

    /// Re-seals every custodian's secrets under `new` (refused unless this process's key is
    /// the current one), in one transaction; the number of custodians whose secrets moved.
    /// The process keeps the old key: run it from `lana-cli custody rotate-key`, then restart
    /// every server with the new one (the old one is refused from now on).
    pub async fn rotate_encryption_key(
        &self,
        actor: &Actor,
        new: &secrets::EncryptionKey,
    ) -> Result<usize, CustodyError> {
        use permissions::{CUSTODIANS, ROTATE_KEY};
        let old = self
            .key
            .as_ref()
            .ok_or(CustodyError::EncryptionKeyMissing)?;
        self.use_cases
            .command(actor, CUSTODIANS, ROTATE_KEY, || {
                async move |op| secrets::rotate_in_op(op, old, new).await
            })
            .await
    }

    /// The adapter of `custodian`, its secrets opened with the configured key.
    pub(crate) async fn adapter_in_op(
        &self,
        op: &mut DbOp,
        custodian: &Custodian,
    ) -> Result<Adapter, CustodyError> {
        let opened = secrets::load(op.conn(), self.key.as_ref(), custodian.id()).await?;
        adapter(custodian, opened)
    }

    /// The same, outside a transaction (the webhook edge).
    pub(crate) async fn adapter(&self, custodian: &Custodian) -> Result<Adapter, CustodyError> {
        let mut conn = self
            .use_cases
            .pool()
            .acquire()
            .await
            .map_err(es::EsRepoError::from)?;
        let opened = secrets::load(&mut conn, self.key.as_ref(), custodian.id()).await?;
        adapter(custodian, opened)
    }
}

fn adapter(custodian: &Custodian, secrets: SecretSet) -> Result<Adapter, CustodyError> {
    let id = custodian.id();
    let unreadable = || CustodyError::SecretsUnreadable(id);
    Ok(match &custodian.config {
        PublicConfig::Bitgo {
            base_url,
            enterprise_id,
            coin,
        } => Adapter::Bitgo {
            client: BitgoClient::new(BitgoSettings {
                base_url: base_url.as_str().to_owned(),
                access_token: secrets.access_token.ok_or_else(unreadable)?,
                enterprise_id: enterprise_id.clone(),
                coin: coin.clone(),
                wallet_passphrase: secrets.wallet_passphrase.ok_or_else(unreadable)?,
            })?,
            webhook_secret: secrets.webhook_secret.ok_or_else(unreadable)?,
        },
        PublicConfig::Komainu { base_url, api_user } => Adapter::Komainu {
            client: KomainuClient::new(KomainuSettings {
                base_url: base_url.as_str().to_owned(),
                api_user: api_user.clone(),
                api_secret: secrets.api_secret.ok_or_else(unreadable)?,
            })?,
            webhook_secret: secrets.webhook_secret.ok_or_else(unreadable)?,
        },
        PublicConfig::SelfCustody {
            account_xpub,
            explorer_url,
        } => Adapter::SelfCustody {
            account: AccountXpub::parse(account_xpub).map_err(InvalidValue::from)?,
            explorer: EsploraClient::new(explorer_url.as_str())?,
        },
        PublicConfig::Manual => Adapter::Manual,
    })
}
