//! Role-based authorization.
//!
//! - **Model.** A subject is a staff user, a customer or the system. A staff user has one role; a
//!   role is a set of permission sets; a permission set is a set of `(object pattern, action)`.
//!   Patterns are exact, `*`, or a prefix ending in `*` (`customer/*`, `deposit:*`).
//! - **Declared in code.** The bank's permission sets and predefined roles are declared by the
//!   composition root and [`Authorization::seed`]ed at every start, idempotently: declared sets and
//!   roles end up exactly as declared; roles created at run time are left alone.
//! - **Cached.** Rules live in memory; checking reads no table. Every change to the rule tables
//!   fires `NOTIFY lana_authz` (a statement trigger), and every process reloads its copy when it
//!   hears it, and again after its notification connection was lost.
//! - **Audited.** [`Authorization::enforce_in_op`] checks and records the decision: allowed in the
//!   use case's transaction (and stamps the subject and audit entry on the events it will write,
//!   next to the correlation id the use case put on its context),
//!   denied in a transaction of its own, so the denial is kept although the use case fails.
//!   [`Authorization::enforce`] does the same for reads, which have no transaction: their entries
//!   are written in batches, committed before the read is answered (`audit::ReadAudits`).
//!   [`Authorization::check`] answers without auditing, for UI hints.
//! - **System** subjects (jobs, reactions) are always allowed, and audited like anyone else.

mod rules;

pub use rules::{PermissionSetDef, RoleDef};

use audit::{Audit, AuditEntryId, NewAuditEntry};
use es::{DbOp, EventContext};
use rules::Rules;
use sqlx::PgPool;
use sqlx::postgres::PgListener;
use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use uuid::Uuid;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Who is acting.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Subject {
    User(Uuid),
    Customer(Uuid),
    System(String),
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::User(id) => write!(f, "user:{id}"),
            Subject::Customer(id) => write!(f, "customer:{id}"),
            Subject::System(name) => write!(f, "system:{name}"),
        }
    }
}

impl FromStr for Subject {
    type Err = AuthzError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = || AuthzError::InvalidSubject(s.to_owned());
        let (kind, rest) = s.split_once(':').ok_or_else(invalid)?;
        match kind {
            "user" => rest.parse().map(Subject::User).map_err(|_| invalid()),
            "customer" => rest.parse().map(Subject::Customer).map_err(|_| invalid()),
            "system" if !rest.is_empty() => Ok(Subject::System(rest.to_owned())),
            _ => Err(invalid()),
        }
    }
}

/// Who acts, and for which request: the subject and the correlation id that ties the request's
/// audit entries, events and log lines to what its client saw. Clones share the request's record
/// of the reads already audited (see [`Actor::read_audited`]).
#[derive(Debug, Clone)]
pub struct Actor {
    pub subject: Subject,
    pub correlation_id: Option<String>,
    reads: Arc<Mutex<BTreeSet<(String, String)>>>,
}

impl Actor {
    pub fn new(subject: Subject, correlation_id: impl Into<String>) -> Self {
        Self {
            subject,
            correlation_id: Some(correlation_id.into()),
            reads: Arc::default(),
        }
    }

    /// The system itself (a job, a reaction to an event, start-up), named after what runs.
    pub fn system(name: &str) -> Self {
        Self {
            subject: Subject::System(name.to_owned()),
            correlation_id: None,
            reads: Arc::default(),
        }
    }

    /// The same actor under another request's correlation id (a reaction to what it caused).
    pub fn with_correlation_id(mut self, correlation_id: Option<String>) -> Self {
        self.correlation_id = correlation_id;
        self
    }

    /// Whether this request already had `action` on `object` audited as allowed: a request that
    /// reads the same kind of thing several times (a page, then its nested lists) leaves one
    /// audit entry for it, not one per field.
    pub fn read_audited(&self, object: &str, action: &str) -> bool {
        self.reads
            .lock()
            .is_ok_and(|r| r.contains(&(object.to_owned(), action.to_owned())))
    }

    /// Records that this request's read of `action` on `object` was audited.
    pub fn note_read_audited(&self, object: &str, action: &str) {
        if let Ok(mut reads) = self.reads.lock() {
            reads.insert((object.to_owned(), action.to_owned()));
        }
    }
}

/// The role every customer (a `Subject::Customer`) has: what the customer API may do at all.
/// Which customer's data a use case shows is the domain's rule, on top of it.
pub const CUSTOMER_ROLE: &str = "customer";

/// One permission: an object pattern and an action pattern.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Permission {
    pub object: String,
    pub action: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AuthzError {
    #[error("{subject} may not {action} on {object}")]
    NotAuthorized {
        subject: String,
        object: String,
        action: String,
        audit_entry_id: AuditEntryId,
    },
    #[error("role {0} does not exist")]
    UnknownRole(String),
    #[error("role {0} already exists")]
    RoleExists(String),
    #[error("permission set {0} does not exist")]
    UnknownPermissionSet(String),
    #[error("invalid subject {0}")]
    InvalidSubject(String),
    #[error(transparent)]
    Audit(#[from] audit::AuditError),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
}

impl AuthzError {
    pub fn code(&self) -> error_code::ErrorCode {
        match self {
            Self::NotAuthorized { .. } => error_code::NOT_AUTHORIZED,
            Self::UnknownRole(_) | Self::UnknownPermissionSet(_) => error_code::NOT_FOUND,
            Self::RoleExists(_) | Self::InvalidSubject(_) => error_code::INVALID_INPUT,
            Self::Audit(_) | Self::Sqlx(_) => error_code::INTERNAL,
        }
    }
}

#[derive(Clone)]
pub struct Authorization {
    pool: PgPool,
    audit: Audit,
    rules: Arc<RuleCache>,
    listener: Arc<ListenerTask>,
}

/// Stops the reload task when the last handle is dropped.
struct ListenerTask(tokio::task::JoinHandle<()>);

impl Drop for ListenerTask {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Authorization {
    /// Loads the rules and starts listening for changes.
    pub async fn init(pool: PgPool, audit: Audit) -> Result<Self, AuthzError> {
        let rules = Arc::new(RuleCache::default());
        rules.refresh(&pool).await?;
        let task = tokio::spawn(listen(pool.clone(), rules.clone()));
        Ok(Self {
            pool,
            audit,
            rules,
            listener: Arc::new(ListenerTask(task)),
        })
    }

    fn rules(&self) -> Arc<Rules> {
        self.rules.current()
    }

    /// Reloads the rules now (normally the change notification does it).
    pub async fn reload(&self) -> Result<(), AuthzError> {
        Ok(self.rules.refresh(&self.pool).await?)
    }

    /// Whether `subject` may `action` on `object`; not audited (UI hints only).
    pub fn check(&self, subject: &Subject, object: &str, action: &str) -> bool {
        match subject {
            Subject::System(_) => true,
            _ => self
                .role_of(subject)
                .is_some_and(|role| self.rules().role_allows(&role, object, action)),
        }
    }

    /// Checks and audits within the use case's transaction. Allowed: the entry is written in `op`
    /// and `op`'s event context names the subject and the entry. Denied: the entry is written and
    /// committed on its own and `NotAuthorized` is returned.
    pub async fn enforce_in_op(
        &self,
        op: &mut DbOp,
        subject: &Subject,
        object: &str,
        action: &str,
    ) -> Result<AuditEntryId, AuthzError> {
        let correlation_id = op.context().correlation_id.clone();
        let entry = self
            .decide(subject, object, action, correlation_id.clone())
            .await?;
        let id = self.audit.record_in_op(op, entry).await?;
        op.set_context(EventContext {
            subject: Some(subject.to_string()),
            audit_entry_id: Some(id.0),
            correlation_id,
        });
        Ok(id)
    }

    /// Checks and audits a read, which has no transaction: an allowed read's entry is written in
    /// a batch with other reads', committed as `audit.read_audits` says ([`audit::ReadAudits`]:
    /// durably by default) before this returns; a denial as in [`Self::enforce_in_op`].
    pub async fn enforce(
        &self,
        actor: &Actor,
        object: &str,
        action: &str,
    ) -> Result<AuditEntryId, AuthzError> {
        let entry = self
            .decide(&actor.subject, object, action, actor.correlation_id.clone())
            .await?;
        Ok(self.audit.record_read(entry).await?)
    }

    /// The allowed decision's entry, to record; a denial is recorded durably on its own and
    /// returned as `NotAuthorized`.
    async fn decide(
        &self,
        subject: &Subject,
        object: &str,
        action: &str,
        correlation_id: Option<String>,
    ) -> Result<NewAuditEntry, AuthzError> {
        let authorized = self.check(subject, object, action);
        let entry = NewAuditEntry {
            subject: subject.to_string(),
            object: object.to_owned(),
            action: action.to_owned(),
            authorized,
            correlation_id,
        };
        if authorized {
            return Ok(entry);
        }
        let audit_entry_id = self.audit.record(entry).await?;
        Err(AuthzError::NotAuthorized {
            subject: subject.to_string(),
            object: object.to_owned(),
            action: action.to_owned(),
            audit_entry_id,
        })
    }

    /// The subject's role: the one assigned to a staff user, [`CUSTOMER_ROLE`] for a customer.
    pub fn role_of(&self, subject: &Subject) -> Option<String> {
        match subject {
            Subject::Customer(_) => Some(CUSTOMER_ROLE.to_owned()),
            _ => self
                .rules()
                .role_of(&subject.to_string())
                .map(str::to_owned),
        }
    }

    /// Everything `subject` may do, sorted.
    pub fn permissions_of(&self, subject: &Subject) -> Vec<Permission> {
        self.role_of(subject)
            .map(|role| self.rules().permissions_of_role(&role))
            .unwrap_or_default()
    }

    /// Roles with their permission sets, sorted by name.
    pub fn roles(&self) -> Vec<(String, Vec<String>)> {
        self.rules().roles()
    }

    /// Permission sets with their permissions, sorted by name.
    pub fn permission_sets(&self) -> Vec<(String, Vec<Permission>)> {
        self.rules().permission_sets()
    }

    /// Makes the declared permission sets and roles exist exactly as declared.
    pub async fn seed(
        &self,
        sets: &[PermissionSetDef],
        roles: &[RoleDef],
    ) -> Result<(), AuthzError> {
        let mut tx = self.pool.begin().await?;
        rules::seed(&mut tx, sets, roles).await?;
        tx.commit().await?;
        self.reload().await
    }

    pub async fn create_role_in_op(&self, op: &mut DbOp, role: &str) -> Result<(), AuthzError> {
        rules::create_role(op.conn(), role).await
    }

    pub async fn add_permission_sets_in_op(
        &self,
        op: &mut DbOp,
        role: &str,
        sets: &[String],
    ) -> Result<(), AuthzError> {
        rules::add_permission_sets(op.conn(), role, sets).await
    }

    pub async fn remove_permission_sets_in_op(
        &self,
        op: &mut DbOp,
        role: &str,
        sets: &[String],
    ) -> Result<(), AuthzError> {
        rules::remove_permission_sets(op.conn(), role, sets).await
    }

    /// Gives `subject` `role` (replacing any role it had).
    pub async fn assign_role_in_op(
        &self,
        op: &mut DbOp,
        subject: &Subject,
        role: &str,
    ) -> Result<(), AuthzError> {
        rules::assign_role(op.conn(), &subject.to_string(), role).await
    }

    /// Whether the change listener is running (false only after it panicked).
    pub fn is_listening(&self) -> bool {
        !self.listener.0.is_finished()
    }
}

/// The rules in memory. Loads may overlap (the listener's and an explicit [`Authorization::reload`]);
/// each takes a ticket before it reads, and a load is kept only if no load with a later ticket was
/// kept before it, so a slow load that read before a change never replaces one that read after it.
#[derive(Default)]
struct RuleCache {
    tickets: AtomicU64,
    current: RwLock<(u64, Arc<Rules>)>,
}

impl RuleCache {
    fn current(&self) -> Arc<Rules> {
        match self.current.read() {
            Ok(current) => current.1.clone(),
            Err(poisoned) => poisoned.into_inner().1.clone(),
        }
    }

    async fn refresh(&self, pool: &PgPool) -> Result<(), sqlx::Error> {
        let ticket = self.ticket();
        let fresh = Rules::load(pool).await?;
        self.keep(ticket, fresh);
        Ok(())
    }

    fn ticket(&self) -> u64 {
        self.tickets.fetch_add(1, Ordering::SeqCst) + 1
    }

    fn keep(&self, ticket: u64, fresh: Rules) {
        let mut current = match self.current.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if ticket > current.0 {
            *current = (ticket, Arc::new(fresh));
        }
    }
}

/// Reloads on every change notification, and after (re)connecting, since changes may have been
/// missed while disconnected.
async fn listen(pool: PgPool, rules: Arc<RuleCache>) {
    // Ends when the application closes its pool (shutdown).
    while !pool.is_closed() {
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(l) => l,
            Err(_) if pool.is_closed() => return,
            Err(e) => {
                tracing::warn!(error = %e, "authz: cannot connect to listen for changes; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if let Err(e) = listener.listen("lana_authz").await {
            tracing::warn!(error = %e, "authz: LISTEN failed; retrying");
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        }
        reload_into(&pool, &rules).await;
        loop {
            match listener.try_recv().await {
                Ok(Some(_)) => reload_into(&pool, &rules).await,
                Ok(None) => {
                    // The connection was lost and re-established: changes may have been missed.
                    reload_into(&pool, &rules).await;
                }
                Err(_) if pool.is_closed() => return,
                Err(e) => {
                    tracing::warn!(error = %e, "authz: change listener failed; reconnecting");
                    break;
                }
            }
        }
    }
}

async fn reload_into(pool: &PgPool, rules: &RuleCache) {
    if let Err(e) = rules.refresh(pool).await {
        tracing::warn!(error = %e, "authz: reload failed; keeping the rules in memory");
    }
}

#[cfg(test)]
mod tests {
    use super::{RuleCache, Rules};
    use std::sync::Arc;

    #[test]
    fn a_load_that_started_earlier_never_replaces_a_later_one() {
        let cache = RuleCache::default();
        let before_change = cache.ticket();
        let after_change = cache.ticket();
        cache.keep(after_change, Rules::default());
        let kept = cache.current();
        // The earlier load finishes last: it read before the change and is dropped.
        cache.keep(before_change, Rules::default());
        assert!(Arc::ptr_eq(&kept, &cache.current()));
        let latest = cache.ticket();
        cache.keep(latest, Rules::default());
        assert!(!Arc::ptr_eq(&kept, &cache.current()));
    }
}
