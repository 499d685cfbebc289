//! What staff may see of the authorization rules and the audit log.

use crate::Access;
use crate::error::AccessError;
use authz::{Actor, Permission};

/// The audit log as an object of authorization.
pub const AUDIT_LOG: &str = "audit/log";
pub const AUDIT_READ: &str = "audit:read";

impl Access {
    /// Everything the actor may do, sorted (no permission needed to know your own).
    pub fn permissions_of(&self, actor: &Actor) -> Vec<Permission> {
        self.use_cases.authz().permissions_of(&actor.subject)
    }

    /// The permission sets with their permissions, sorted by name.
    pub async fn permission_sets(
        &self,
        actor: &Actor,
    ) -> Result<Vec<(String, Vec<Permission>)>, AccessError> {
        use crate::primitives::permissions::{READ, ROLES};
        self.use_cases
            .query(actor, ROLES, READ, async || {
                Ok(self.use_cases.authz().permission_sets())
            })
            .await
    }

    /// A page of the audit log, newest first.
    pub async fn search_audit(
        &self,
        actor: &Actor,
        filter: &audit::AuditFilter,
        first: usize,
        after: Option<&str>,
    ) -> Result<audit::AuditPage, AccessError> {
        self.use_cases
            .query(actor, AUDIT_LOG, AUDIT_READ, async || {
                Ok(self.audit.search(filter, first, after).await?)
            })
            .await
    }
}
