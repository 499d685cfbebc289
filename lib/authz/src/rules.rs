//! The rules in memory, and their tables.

use crate::{AuthzError, Permission};
use sqlx::{PgConnection, PgPool};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A permission set declared in code.
#[derive(Debug, Clone, Copy)]
pub struct PermissionSetDef {
    pub name: &'static str,
    pub description: &'static str,
    /// `(object pattern, action pattern)`.
    pub permissions: &'static [(&'static str, &'static str)],
}

/// A predefined role declared in code.
#[derive(Debug, Clone, Copy)]
pub struct RoleDef {
    pub name: &'static str,
    pub permission_sets: &'static [&'static str],
}

fn matches(pattern: &str, value: &str) -> bool {
    pattern == value
        || pattern == "*"
        || pattern
            .strip_suffix('*')
            .is_some_and(|prefix| value.starts_with(prefix))
}

#[derive(Debug, Default)]
pub(crate) struct Rules {
    sets: BTreeMap<String, Vec<Permission>>,
    roles: BTreeMap<String, Vec<String>>,
    subjects: HashMap<String, String>,
    /// Each role's permissions, flattened.
    grants: HashMap<String, Vec<Permission>>,
}

impl Rules {
    /// Reads the five rule tables in one snapshot, so a change committed between two of the reads
    /// cannot show half of itself.
    pub(crate) async fn load(pool: &PgPool) -> Result<Self, sqlx::Error> {
        let mut tx = pool.begin().await?;
        sqlx::query!("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await?;
        let mut sets: BTreeMap<String, Vec<Permission>> = BTreeMap::new();
        for name in sqlx::query_scalar!("SELECT name FROM authz_permission_sets")
            .fetch_all(&mut *tx)
            .await?
        {
            sets.insert(name, Vec::new());
        }
        for p in sqlx::query!(
            "SELECT permission_set, object, action FROM authz_permissions ORDER BY 1, 2, 3"
        )
        .fetch_all(&mut *tx)
        .await?
        {
            sets.entry(p.permission_set).or_default().push(Permission {
                object: p.object,
                action: p.action,
            });
        }
        let mut roles: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for name in sqlx::query_scalar!("SELECT name FROM authz_roles")
            .fetch_all(&mut *tx)
            .await?
        {
            roles.insert(name, Vec::new());
        }
        for r in sqlx::query!(
            "SELECT role, permission_set FROM authz_role_permission_sets ORDER BY 1, 2"
        )
        .fetch_all(&mut *tx)
        .await?
        {
            roles.entry(r.role).or_default().push(r.permission_set);
        }
        let subjects = sqlx::query!("SELECT subject, role FROM authz_subject_roles")
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(|r| (r.subject, r.role))
            .collect();
        let grants = roles
            .iter()
            .map(|(role, role_sets)| {
                let permissions: BTreeSet<Permission> = role_sets
                    .iter()
                    .filter_map(|set| sets.get(set))
                    .flatten()
                    .cloned()
                    .collect();
                (role.clone(), permissions.into_iter().collect())
            })
            .collect();
        tx.commit().await?;
        Ok(Self {
            sets,
            roles,
            subjects,
            grants,
        })
    }

    pub(crate) fn role_of(&self, subject: &str) -> Option<&str> {
        self.subjects.get(subject).map(String::as_str)
    }

    pub(crate) fn role_allows(&self, role: &str, object: &str, action: &str) -> bool {
        self.grants.get(role).is_some_and(|grants| {
            grants
                .iter()
                .any(|p| matches(&p.object, object) && matches(&p.action, action))
        })
    }

    pub(crate) fn permissions_of_role(&self, role: &str) -> Vec<Permission> {
        self.grants.get(role).cloned().unwrap_or_default()
    }

    pub(crate) fn roles(&self) -> Vec<(String, Vec<String>)> {
        self.roles
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    pub(crate) fn permission_sets(&self) -> Vec<(String, Vec<Permission>)> {
        self.sets
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

const SEED_LOCK: i64 = 0x4c41_4e41_415a_5345; // "LANAAZSE"

pub(crate) async fn seed(
    conn: &mut PgConnection,
    sets: &[PermissionSetDef],
    roles: &[RoleDef],
) -> Result<(), AuthzError> {
    // Two processes starting at once seed one after the other.
    sqlx::query!("SELECT pg_advisory_xact_lock($1)", SEED_LOCK)
        .execute(&mut *conn)
        .await?;
    for set in sets {
        sqlx::query!(
            r#"INSERT INTO authz_permission_sets (name, description) VALUES ($1, $2)
               ON CONFLICT (name) DO UPDATE SET description = EXCLUDED.description
               WHERE authz_permission_sets.description <> EXCLUDED.description"#,
            set.name,
            set.description
        )
        .execute(&mut *conn)
        .await?;
        let (objects, actions): (Vec<&str>, Vec<&str>) = set.permissions.iter().copied().unzip();
        sqlx::query!(
            r#"DELETE FROM authz_permissions p
               WHERE p.permission_set = $1
                 AND NOT EXISTS (SELECT 1 FROM unnest($2::text[], $3::text[]) AS d(o, a)
                                 WHERE d.o = p.object AND d.a = p.action)"#,
            set.name,
            &objects as &[&str],
            &actions as &[&str]
        )
        .execute(&mut *conn)
        .await?;
        sqlx::query!(
            r#"INSERT INTO authz_permissions (permission_set, object, action)
               SELECT $1, o, a FROM unnest($2::text[], $3::text[]) AS d(o, a)
               ON CONFLICT DO NOTHING"#,
            set.name,
            &objects as &[&str],
            &actions as &[&str]
        )
        .execute(&mut *conn)
        .await?;
    }
    for role in roles {
        sqlx::query!(
            "INSERT INTO authz_roles (name) VALUES ($1) ON CONFLICT DO NOTHING",
            role.name
        )
        .execute(&mut *conn)
        .await?;
        let declared: Vec<String> = role
            .permission_sets
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        sqlx::query!(
            "DELETE FROM authz_role_permission_sets WHERE role = $1 AND NOT (permission_set = ANY($2))",
            role.name,
            &declared
        )
        .execute(&mut *conn)
        .await?;
        add_permission_sets(conn, role.name, &declared).await?;
    }
    Ok(())
}

pub(crate) async fn create_role(conn: &mut PgConnection, role: &str) -> Result<(), AuthzError> {
    let created = sqlx::query!(
        "INSERT INTO authz_roles (name) VALUES ($1) ON CONFLICT DO NOTHING",
        role
    )
    .execute(conn)
    .await?
    .rows_affected();
    if created == 0 {
        return Err(AuthzError::RoleExists(role.to_owned()));
    }
    Ok(())
}

async fn ensure_role(conn: &mut PgConnection, role: &str) -> Result<(), AuthzError> {
    let exists = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM authz_roles WHERE name = $1) AS "e!""#,
        role
    )
    .fetch_one(conn)
    .await?;
    if exists {
        Ok(())
    } else {
        Err(AuthzError::UnknownRole(role.to_owned()))
    }
}

pub(crate) async fn add_permission_sets(
    conn: &mut PgConnection,
    role: &str,
    sets: &[String],
) -> Result<(), AuthzError> {
    ensure_role(conn, role).await?;
    let unknown = sqlx::query_scalar!(
        r#"SELECT s AS "s!" FROM unnest($1::text[]) AS s
           WHERE NOT EXISTS (SELECT 1 FROM authz_permission_sets WHERE name = s) LIMIT 1"#,
        sets
    )
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(set) = unknown {
        return Err(AuthzError::UnknownPermissionSet(set));
    }
    sqlx::query!(
        r#"INSERT INTO authz_role_permission_sets (role, permission_set)
           SELECT $1, s FROM unnest($2::text[]) AS s ON CONFLICT DO NOTHING"#,
        role,
        sets
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub(crate) async fn remove_permission_sets(
    conn: &mut PgConnection,
    role: &str,
    sets: &[String],
) -> Result<(), AuthzError> {
    ensure_role(conn, role).await?;
    sqlx::query!(
        "DELETE FROM authz_role_permission_sets WHERE role = $1 AND permission_set = ANY($2)",
        role,
        sets
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub(crate) async fn assign_role(
    conn: &mut PgConnection,
    subject: &str,
    role: &str,
) -> Result<(), AuthzError> {
    ensure_role(conn, role).await?;
    sqlx::query!(
        r#"INSERT INTO authz_subject_roles (subject, role) VALUES ($1, $2)
           ON CONFLICT (subject) DO UPDATE SET role = EXCLUDED.role"#,
        subject,
        role
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn patterns_match_exactly_by_prefix_or_everything() {
        assert!(matches("customer/*", "customer/42"));
        assert!(matches("customer/42", "customer/42"));
        assert!(matches("*", "anything"));
        assert!(matches("deposit:*", "deposit:write"));
        assert!(!matches("customer/*", "customers/42"));
        assert!(!matches("customer/42", "customer/421"));
        assert!(!matches("deposit:read", "deposit:write"));
    }
}
