use crate::context::EventContext;
use crate::entity::EsEntity;
use crate::error::EsRepoError;
use crate::events::{EntityEvents, PersistedEvent};
use crate::op::DbOp;
use crate::page::{Cursor, ListOrder, ListQuery, MAX_PAGE_SIZE, Page};
use chrono::{DateTime, Utc};
use clock::Clock;
use serde::{Deserialize, Serialize};
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder, Row};
use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;
use uuid::Uuid;

/// The SQL type of an index column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Text,
    Uuid,
    BigInt,
    Bool,
    Timestamp,
}

/// An index column besides `id` and `created_at`, which every index table has.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub ty: ColumnType,
}

impl Column {
    pub const fn new(name: &'static str, ty: ColumnType) -> Self {
        Self { name, ty }
    }
}

/// A value of an index column (`None` is SQL NULL).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum IndexValue {
    Text(Option<String>),
    Uuid(Option<Uuid>),
    BigInt(Option<i64>),
    Bool(Option<bool>),
    Timestamp(Option<DateTime<Utc>>),
}

impl IndexValue {
    pub fn column_type(&self) -> ColumnType {
        match self {
            IndexValue::Text(_) => ColumnType::Text,
            IndexValue::Uuid(_) => ColumnType::Uuid,
            IndexValue::BigInt(_) => ColumnType::BigInt,
            IndexValue::Bool(_) => ColumnType::Bool,
            IndexValue::Timestamp(_) => ColumnType::Timestamp,
        }
    }

    pub fn is_null(&self) -> bool {
        match self {
            IndexValue::Text(v) => v.is_none(),
            IndexValue::Uuid(v) => v.is_none(),
            IndexValue::BigInt(v) => v.is_none(),
            IndexValue::Bool(v) => v.is_none(),
            IndexValue::Timestamp(v) => v.is_none(),
        }
    }

    fn push_bind(&self, builder: &mut QueryBuilder<'_, Postgres>) {
        match self.clone() {
            IndexValue::Text(v) => builder.push_bind(v),
            IndexValue::Uuid(v) => builder.push_bind(v),
            IndexValue::BigInt(v) => builder.push_bind(v),
            IndexValue::Bool(v) => builder.push_bind(v),
            IndexValue::Timestamp(v) => builder.push_bind(v),
        };
    }

    fn read(
        row: &sqlx::postgres::PgRow,
        column: &str,
        ty: ColumnType,
    ) -> Result<Self, sqlx::Error> {
        Ok(match ty {
            ColumnType::Text => IndexValue::Text(row.try_get(column)?),
            ColumnType::Uuid => IndexValue::Uuid(row.try_get(column)?),
            ColumnType::BigInt => IndexValue::BigInt(row.try_get(column)?),
            ColumnType::Bool => IndexValue::Bool(row.try_get(column)?),
            ColumnType::Timestamp => IndexValue::Timestamp(row.try_get(column)?),
        })
    }
}

macro_rules! index_value_from {
    ($variant:ident, $ty:ty) => {
        impl From<$ty> for IndexValue {
            fn from(v: $ty) -> Self {
                IndexValue::$variant(Some(v.into()))
            }
        }
        impl From<Option<$ty>> for IndexValue {
            fn from(v: Option<$ty>) -> Self {
                IndexValue::$variant(v.map(Into::into))
            }
        }
    };
}
index_value_from!(Text, String);
index_value_from!(Text, &str);
index_value_from!(Uuid, Uuid);
index_value_from!(BigInt, i64);
index_value_from!(Bool, bool);
index_value_from!(Timestamp, DateTime<Utc>);

/// How one entity type is stored: its tables and its index columns.
pub trait EsRepoConfig: Send + Sync + 'static {
    type Entity: EsEntity;
    /// The entity's name in errors ("customer").
    const ENTITY: &'static str;
    /// Created with `SELECT es_create_events_table('<name>')`.
    const EVENTS_TABLE: &'static str;
    /// `(id uuid PRIMARY KEY, created_at timestamptz NOT NULL, <COLUMNS>...)`.
    const INDEX_TABLE: &'static str;
    const COLUMNS: &'static [Column];

    /// The entity's current values for `COLUMNS`, in the same order.
    fn index_values(entity: &Self::Entity) -> Vec<IndexValue>;
}

/// Runs in the transaction that persisted an entity's new events, right after them: the domain's
/// publisher turns them into public events on the outbox, so no use case can change an entity
/// without announcing it. A failure fails the persist (and so the use case).
#[async_trait::async_trait]
pub trait PersistHook<E: EsEntity>: Send + Sync + 'static {
    async fn persisted(
        &self,
        op: &mut DbOp,
        entity: &E,
        new_events: &[PersistedEvent<E::Event>],
    ) -> Result<(), EsRepoError>;
}

/// How [`EsRepo::lock_in_op`] locks an entity's index row until the transaction ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowLock {
    /// `FOR SHARE`: others may share it; an exclusive lock waits.
    Share,
    /// `FOR UPDATE`: exclusive.
    Update,
}

/// id, sequence, event, context, recorded_at
type EventRow = (
    Uuid,
    i32,
    Json<serde_json::Value>,
    Json<EventContext>,
    DateTime<Utc>,
);

type EventOf<C> = <<C as EsRepoConfig>::Entity as EsEntity>::Event;
type IdOf<C> = <<C as EsRepoConfig>::Entity as EsEntity>::Id;

/// Repository of one entity type.
pub struct EsRepo<C: EsRepoConfig> {
    pool: PgPool,
    clock: Clock,
    hook: Option<Arc<dyn PersistHook<C::Entity>>>,
    config: PhantomData<C>,
}

impl<C: EsRepoConfig> Clone for EsRepo<C> {
    fn clone(&self) -> Self {
        Self {
            pool: self.pool.clone(),
            clock: self.clock.clone(),
            hook: self.hook.clone(),
            config: PhantomData,
        }
    }
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some('a'..='z' | '_'))
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
        && name.len() <= 63
}

impl<C: EsRepoConfig> EsRepo<C> {
    /// Checks the configuration once, at startup: table and column names are plain identifiers,
    /// which is what makes them safe to place in SQL.
    pub fn new(pool: PgPool, clock: Clock) -> Self {
        let names = [C::EVENTS_TABLE, C::INDEX_TABLE]
            .into_iter()
            .chain(C::COLUMNS.iter().map(|c| c.name));
        for name in names {
            assert!(
                is_identifier(name),
                "{}: `{name}` is not a plain SQL identifier",
                C::ENTITY
            );
        }
        assert!(
            C::COLUMNS
                .iter()
                .all(|c| c.name != "id" && c.name != "created_at"),
            "{}: id and created_at are implicit index columns",
            C::ENTITY
        );
        Self {
            pool,
            clock,
            hook: None,
            config: PhantomData,
        }
    }

    /// Runs `hook` after every persist of new events, in the same transaction.
    pub fn with_hook(mut self, hook: impl PersistHook<C::Entity>) -> Self {
        self.hook = Some(Arc::new(hook));
        self
    }

    async fn run_hook(
        &self,
        op: &mut DbOp,
        entity: &C::Entity,
        appended: usize,
    ) -> Result<(), EsRepoError> {
        let Some(hook) = &self.hook else {
            return Ok(());
        };
        let persisted = entity.events().persisted();
        let new = &persisted[persisted.len().saturating_sub(appended)..];
        hook.persisted(op, entity, new).await
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    pub async fn begin_op(&self) -> Result<DbOp, EsRepoError> {
        Ok(DbOp::init(&self.pool, &self.clock).await?)
    }

    /// Persists a new entity's creation events and index row in its own transaction.
    pub async fn create(&self, events: EntityEvents<EventOf<C>>) -> Result<C::Entity, EsRepoError> {
        let mut op = self.begin_op().await?;
        let entity = self.create_in_op(&mut op, events).await?;
        op.commit().await?;
        Ok(entity)
    }

    pub async fn create_in_op(
        &self,
        op: &mut DbOp,
        events: EntityEvents<EventOf<C>>,
    ) -> Result<C::Entity, EsRepoError> {
        let id = events.entity_id();
        self.create_all_in_op(op, vec![events])
            .await?
            .pop()
            .ok_or(EsRepoError::NotFound {
                entity: C::ENTITY,
                id: id.to_string(),
            })
    }

    /// Persists several new entities, their creation events and index rows with one statement
    /// (for batches, such as a day's new accrual cycles). Returns them in order.
    pub async fn create_all_in_op(
        &self,
        op: &mut DbOp,
        batch: Vec<EntityEvents<EventOf<C>>>,
    ) -> Result<Vec<C::Entity>, EsRepoError> {
        let Some(first) = batch.first().map(EntityEvents::entity_id) else {
            return Ok(Vec::new());
        };
        let (now, context) = (op.now(), op.context().clone());
        let mut rows = EventRows::default();
        let mut taken = Vec::with_capacity(batch.len());
        for mut events in batch {
            let new = events.take_new();
            rows.push::<C>(events.entity_id(), 1, &new)?;
            taken.push((events, new));
        }
        let mut entities = Vec::with_capacity(taken.len());
        for (mut events, new) in taken {
            events.mark_persisted(new, now, &context);
            entities.push(C::Entity::try_from_events(events)?);
        }

        // The events and the index rows with one statement.
        let mut insert = QueryBuilder::new("WITH appended AS (");
        rows.push_insert::<C>(&mut insert, &context, now);
        insert.push(format!(") INSERT INTO {} (id, created_at", C::INDEX_TABLE));
        for column in C::COLUMNS {
            insert.push(", ").push(column.name);
        }
        insert.push(") VALUES ");
        for (i, entity) in entities.iter().enumerate() {
            insert.push(if i == 0 { "(" } else { ", (" });
            insert
                .push_bind(entity.events().entity_id())
                .push(", ")
                .push_bind(now);
            for value in self.index_values(entity) {
                insert.push(", ");
                value.push_bind(&mut insert);
            }
            insert.push(")");
        }
        insert
            .build()
            .execute(op.conn())
            .await
            .map_err(|e| write_error::<C>(e, first))?;
        for entity in &entities {
            let appended = entity.events().persisted().len();
            self.run_hook(op, entity, appended).await?;
        }
        Ok(entities)
    }

    /// Appends the entity's new events in its own transaction; returns how many were appended.
    pub async fn update(&self, entity: &mut C::Entity) -> Result<usize, EsRepoError> {
        if !entity.events().has_new_events() {
            return Ok(0);
        }
        let mut op = self.begin_op().await?;
        let appended = self.update_in_op(&mut op, entity).await?;
        op.commit().await?;
        Ok(appended)
    }

    /// Appends the new events at `version + 1 ..`. If another transaction appended first, fails
    /// with `ConcurrentModification` and leaves the entity's new events in place.
    pub async fn update_in_op(
        &self,
        op: &mut DbOp,
        entity: &mut C::Entity,
    ) -> Result<usize, EsRepoError> {
        self.update_all_in_op(op, std::slice::from_mut(entity))
            .await
    }

    /// `update_in_op` for several entities: the new events and index rows of all of them with one
    /// statement (for batches whose entities the caller locked). If another transaction appended
    /// to any of them first, fails with `ConcurrentModification` naming the first entity of the
    /// batch that changes, and leaves every entity's new events in place. Returns how many events
    /// were appended.
    pub async fn update_all_in_op(
        &self,
        op: &mut DbOp,
        entities: &mut [C::Entity],
    ) -> Result<usize, EsRepoError> {
        let changed: Vec<usize> = (0..entities.len())
            .filter(|&i| entities[i].events().has_new_events())
            .collect();
        let Some(&first) = changed.first() else {
            return Ok(0);
        };
        let first_id = entities[first].events().entity_id();
        let (now, context) = (op.now(), op.context().clone());
        // The index values of the entities as they are with their new events.
        let index_rows: Vec<(Uuid, Vec<IndexValue>)> = changed
            .iter()
            .map(|&i| {
                let entity = &entities[i];
                (entity.events().entity_id(), self.index_values(entity))
            })
            .collect();
        let mut rows = EventRows::default();
        let mut taken = Vec::with_capacity(changed.len());
        for &i in &changed {
            let events = entities[i].events_mut();
            let (id, next) = (events.entity_id(), events.version() + 1);
            let new = events.take_new();
            let encoded = rows.push::<C>(id, next, &new);
            taken.push(new);
            if let Err(e) = encoded {
                restore(entities, &changed, taken);
                return Err(e);
            }
        }

        // The events and the index rows with one statement.
        let mut update = if C::COLUMNS.is_empty() {
            let mut insert = QueryBuilder::new("");
            rows.push_insert::<C>(&mut insert, &context, now);
            insert
        } else {
            let names: Vec<&str> = C::COLUMNS.iter().map(|c| c.name).collect();
            let mut update = QueryBuilder::new("WITH appended AS (");
            rows.push_insert::<C>(&mut update, &context, now);
            update.push(format!(") UPDATE {} AS t SET ", C::INDEX_TABLE));
            for (n, name) in names.iter().enumerate() {
                update.push(if n == 0 { "" } else { ", " });
                update.push(format!("{name} = v.{name}"));
            }
            update.push(" FROM (VALUES ");
            for (n, (id, values)) in index_rows.into_iter().enumerate() {
                update.push(if n == 0 { "(" } else { ", (" });
                update.push_bind(id);
                for value in values {
                    update.push(", ");
                    value.push_bind(&mut update);
                }
                update.push(")");
            }
            // a row whose values did not change is left as it is (no new row version)
            let (columns, old, new) = (names.join(", "), names.join(", t."), names.join(", v."));
            update.push(format!(
                ") AS v(id, {columns}) WHERE t.id = v.id AND (t.{old}) IS DISTINCT FROM (v.{new})"
            ));
            update
        };
        if let Err(e) = update.build().execute(op.conn()).await {
            restore(entities, &changed, taken);
            return Err(write_error::<C>(e, first_id));
        }
        let mut appended = Vec::with_capacity(changed.len());
        for (&i, new) in changed.iter().zip(taken) {
            appended.push(new.len());
            entities[i].events_mut().mark_persisted(new, now, &context);
        }
        for (&i, count) in changed.iter().zip(appended.iter()) {
            self.run_hook(op, &entities[i], *count).await?;
        }
        Ok(appended.iter().sum())
    }

    /// The entities of `ids` (in that order; ids without events are skipped), read with one
    /// statement: for a batch the caller locked (see `lock_in_op` for why the events are read
    /// after the lock).
    pub async fn find_all_in_op(
        &self,
        op: &mut DbOp,
        ids: &[Uuid],
    ) -> Result<Vec<C::Entity>, EsRepoError> {
        self.load_many(op.conn(), ids).await
    }

    pub async fn find_by_id(&self, id: IdOf<C>) -> Result<C::Entity, EsRepoError> {
        let mut conn = self.pool.acquire().await?;
        self.load_one(&mut conn, id.into()).await
    }

    pub async fn find_by_id_in_op(
        &self,
        op: &mut DbOp,
        id: IdOf<C>,
    ) -> Result<C::Entity, EsRepoError> {
        self.load_one(op.conn(), id.into()).await
    }

    pub async fn maybe_find_by_id(&self, id: IdOf<C>) -> Result<Option<C::Entity>, EsRepoError> {
        let mut conn = self.pool.acquire().await?;
        Ok(self.load_many(&mut conn, &[id.into()]).await?.pop())
    }

    pub async fn maybe_find_by_id_in_op(
        &self,
        op: &mut DbOp,
        id: IdOf<C>,
    ) -> Result<Option<C::Entity>, EsRepoError> {
        Ok(self.load_many(op.conn(), &[id.into()]).await?.pop())
    }

    /// The entity, its index row locked until the transaction ends. Two statements on purpose:
    /// a statement reads with the snapshot it started with, so events read in the statement that
    /// waited for the lock would miss what the lock holder committed meanwhile (a freeze the
    /// deposit waited for). The events are read by the next statement, after the lock is held.
    /// `NotFound` when there is none.
    pub async fn lock_in_op(
        &self,
        op: &mut DbOp,
        id: IdOf<C>,
        lock: RowLock,
    ) -> Result<C::Entity, EsRepoError> {
        let mode = match lock {
            RowLock::Share => "SHARE",
            RowLock::Update => "UPDATE",
        };
        let uuid: Uuid = id.into();
        let locked = sqlx::query(&format!(
            "SELECT 1 FROM {} WHERE id = $1 FOR {mode}",
            C::INDEX_TABLE
        ))
        .bind(uuid)
        .fetch_optional(op.conn())
        .await?;
        if locked.is_none() {
            return Err(EsRepoError::NotFound {
                entity: C::ENTITY,
                id: uuid.to_string(),
            });
        }
        self.find_by_id_in_op(op, id).await
    }

    /// The entity whose index column `column` equals `value`, for columns that identify one entity.
    pub async fn find_one_by(
        &self,
        column: &'static str,
        value: impl Into<IndexValue>,
    ) -> Result<Option<C::Entity>, EsRepoError> {
        let mut conn = self.pool.acquire().await?;
        self.find_one_by_conn(&mut conn, column, value.into()).await
    }

    pub async fn find_one_by_in_op(
        &self,
        op: &mut DbOp,
        column: &'static str,
        value: impl Into<IndexValue>,
    ) -> Result<Option<C::Entity>, EsRepoError> {
        self.find_one_by_conn(op.conn(), column, value.into()).await
    }

    pub async fn list(&self, query: ListQuery) -> Result<Page<C::Entity>, EsRepoError> {
        let mut conn = self.pool.acquire().await?;
        self.list_conn(&mut conn, query).await
    }

    pub async fn list_in_op(
        &self,
        op: &mut DbOp,
        query: ListQuery,
    ) -> Result<Page<C::Entity>, EsRepoError> {
        self.list_conn(op.conn(), query).await
    }

    /// Every entity `query` selects, read page by page (`query.first` at a time): for a small
    /// set, such as one facility's obligations.
    pub async fn list_all_in_op(
        &self,
        op: &mut DbOp,
        query: ListQuery,
    ) -> Result<Vec<C::Entity>, EsRepoError> {
        let mut all = Vec::new();
        let mut query = query;
        loop {
            let page = self.list_conn(op.conn(), query.clone()).await?;
            all.extend(page.entities);
            if !page.has_next_page {
                return Ok(all);
            }
            query = query.after(page.end_cursor);
        }
    }

    /// One page per value of the uuid index column `column` (e.g. each customer's accounts), all
    /// with the same `query` (it must have no filters): two queries whatever the number of
    /// values, for pages that show related entities. Values with no entity get an empty page.
    pub async fn list_for_each(
        &self,
        column: &'static str,
        values: &[Uuid],
        query: ListQuery,
    ) -> Result<HashMap<Uuid, Page<C::Entity>>, EsRepoError> {
        let col = self.column(column)?;
        if col.ty != ColumnType::Uuid || !query.filters.is_empty() {
            return Err(EsRepoError::UnknownColumn {
                entity: C::ENTITY,
                column,
            });
        }
        let order = self.order(&query)?;
        let mut select = QueryBuilder::new("SELECT v.value, p.id, p.sort_key FROM unnest(");
        select.push_bind(values.to_vec()).push(format!(
            "::uuid[]) WITH ORDINALITY AS v(value, n) CROSS JOIN LATERAL \
             (SELECT i.id, i.{sort} AS sort_key FROM {index} i WHERE i.{column} = v.value",
            sort = order.sort,
            index = C::INDEX_TABLE,
        ));
        order.push_page(&mut select, &query, "i.")?;
        select.push(format!(
            ") p ORDER BY v.n, p.sort_key {dir}, p.id {dir}",
            dir = order.dir
        ));
        let mut conn = self.pool.acquire().await?;
        let rows = select.build().fetch_all(&mut *conn).await?;
        let mut per_value: HashMap<Uuid, Vec<(Uuid, Cursor)>> =
            values.iter().map(|v| (*v, Vec::new())).collect();
        for row in &rows {
            let value: Uuid = row.try_get("value")?;
            let id: Uuid = row.try_get("id")?;
            let key = IndexValue::read(row, "sort_key", order.sort_type)?;
            per_value
                .entry(value)
                .or_default()
                .push((id, Cursor { key, id }));
        }
        let ids: Vec<Uuid> = per_value
            .values()
            .flat_map(|rows| rows.iter().take(query.first).map(|(id, _)| *id))
            .collect();
        let mut loaded: HashMap<Uuid, C::Entity> = self
            .load_many(&mut conn, &ids)
            .await?
            .into_iter()
            .map(|e| (e.id().into(), e))
            .collect();
        Ok(per_value
            .into_iter()
            .map(|(value, mut rows)| {
                let has_next_page = rows.len() > query.first;
                rows.truncate(query.first);
                let (entities, cursors): (Vec<_>, Vec<_>) = rows
                    .into_iter()
                    .filter_map(|(id, cursor)| loaded.remove(&id).map(|e| (e, cursor)))
                    .unzip();
                let page = Page {
                    end_cursor: cursors.last().cloned(),
                    entities,
                    cursors,
                    has_next_page,
                };
                (value, page)
            })
            .collect())
    }

    /// The sort of a page request, checked against the index columns.
    fn order(&self, query: &ListQuery) -> Result<Order, EsRepoError> {
        if query.first == 0 || query.first > MAX_PAGE_SIZE {
            return Err(EsRepoError::InvalidPageSize {
                requested: query.first,
                max: MAX_PAGE_SIZE,
            });
        }
        let (sort, sort_type) = match query.order {
            ListOrder::CreatedAt => ("created_at", ColumnType::Timestamp),
            ListOrder::Column(name) => (name, self.column(name)?.ty),
        };
        let (cmp, dir) = if query.descending {
            ("<", "DESC")
        } else {
            (">", "ASC")
        };
        Ok(Order {
            sort,
            sort_type,
            cmp,
            dir,
        })
    }

    fn index_values(&self, entity: &C::Entity) -> Vec<IndexValue> {
        let values = C::index_values(entity);
        debug_assert!(
            values.len() == C::COLUMNS.len()
                && values
                    .iter()
                    .zip(C::COLUMNS)
                    .all(|(v, c)| v.column_type() == c.ty),
            "{}: index_values does not match COLUMNS",
            C::ENTITY
        );
        values
    }

    fn column(&self, name: &'static str) -> Result<&'static Column, EsRepoError> {
        C::COLUMNS
            .iter()
            .find(|c| c.name == name)
            .ok_or(EsRepoError::UnknownColumn {
                entity: C::ENTITY,
                column: name,
            })
    }

    async fn find_one_by_conn(
        &self,
        conn: &mut PgConnection,
        column: &'static str,
        value: IndexValue,
    ) -> Result<Option<C::Entity>, EsRepoError> {
        self.column(column)?;
        let mut select = QueryBuilder::new(format!(
            "SELECT id FROM {} WHERE {column} = ",
            C::INDEX_TABLE
        ));
        value.push_bind(&mut select);
        select.push(" LIMIT 2");
        let ids: Vec<Uuid> = select.build_query_scalar().fetch_all(&mut *conn).await?;
        match ids.as_slice() {
            [] => Ok(None),
            [id] => self.load_one(conn, *id).await.map(Some),
            _ => Err(EsRepoError::NotUnique {
                entity: C::ENTITY,
                column,
            }),
        }
    }

    async fn list_conn(
        &self,
        conn: &mut PgConnection,
        query: ListQuery,
    ) -> Result<Page<C::Entity>, EsRepoError> {
        let order = self.order(&query)?;
        let mut select = QueryBuilder::new(format!(
            "SELECT id, {} AS sort_key FROM {} WHERE TRUE",
            order.sort,
            C::INDEX_TABLE
        ));
        for (column, value) in &query.filters {
            let column = self.column(column)?;
            if value.column_type() != column.ty {
                return Err(EsRepoError::UnknownColumn {
                    entity: C::ENTITY,
                    column: column.name,
                });
            }
            select.push(format!(" AND {} = ", column.name));
            value.push_bind(&mut select);
        }
        order.push_page(&mut select, &query, "")?;

        let mut rows = select.build().fetch_all(&mut *conn).await?;
        let has_next_page = rows.len() > query.first;
        rows.truncate(query.first);
        let mut ids = Vec::with_capacity(rows.len());
        let mut cursors = HashMap::with_capacity(rows.len());
        for row in &rows {
            let id: Uuid = row.try_get("id")?;
            let key = IndexValue::read(row, "sort_key", order.sort_type)?;
            ids.push(id);
            cursors.insert(id, Cursor { key, id });
        }
        let entities = self.load_many(conn, &ids).await?;
        let cursors: Vec<Cursor> = entities
            .iter()
            .filter_map(|e| cursors.remove(&e.id().into()))
            .collect();
        Ok(Page {
            end_cursor: cursors.last().cloned(),
            entities,
            cursors,
            has_next_page,
        })
    }

    async fn load_one(&self, conn: &mut PgConnection, id: Uuid) -> Result<C::Entity, EsRepoError> {
        self.load_many(conn, &[id])
            .await?
            .pop()
            .ok_or_else(|| EsRepoError::NotFound {
                entity: C::ENTITY,
                id: id.to_string(),
            })
    }

    /// Loads the entities with the given ids, in the given order; unknown ids are skipped.
    async fn load_many(
        &self,
        conn: &mut PgConnection,
        ids: &[Uuid],
    ) -> Result<Vec<C::Entity>, EsRepoError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<EventRow> = sqlx::query_as(&format!(
            "SELECT id, sequence, event, context, recorded_at FROM {} \
                 WHERE id = ANY($1) ORDER BY id, sequence",
            C::EVENTS_TABLE
        ))
        .bind(ids)
        .fetch_all(conn)
        .await?;
        Self::fold(rows, ids)
    }

    /// The entities of `ids` (in that order; ids without events are skipped) from their events.
    fn fold(rows: Vec<EventRow>, ids: &[Uuid]) -> Result<Vec<C::Entity>, EsRepoError> {
        let mut streams: HashMap<Uuid, Vec<PersistedEvent<EventOf<C>>>> = HashMap::new();
        for (id, sequence, Json(event), Json(context), recorded_at) in rows {
            let event =
                serde_json::from_value(event).map_err(|source| EsRepoError::EventDecode {
                    entity: C::ENTITY,
                    id,
                    sequence,
                    source,
                })?;
            streams.entry(id).or_default().push(PersistedEvent {
                sequence,
                event,
                recorded_at,
                context,
            });
        }
        let mut entities = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(events) = streams.remove(id) {
                entities.push(C::Entity::try_from_events(EntityEvents::load(*id, events))?);
            }
        }
        Ok(entities)
    }
}

/// A page's sort: the column, its type and the direction.
struct Order {
    sort: &'static str,
    sort_type: ColumnType,
    cmp: &'static str,
    dir: &'static str,
}

impl Order {
    /// `AND (sort, id) > cursor ORDER BY sort, id LIMIT first + 1`, with columns qualified by
    /// `alias` (one extra row tells whether a next page exists).
    fn push_page(
        &self,
        select: &mut QueryBuilder<'_, Postgres>,
        query: &ListQuery,
        alias: &str,
    ) -> Result<(), EsRepoError> {
        let (sort, cmp, dir) = (self.sort, self.cmp, self.dir);
        if let Some(cursor) = &query.after {
            cursor.check_type(self.sort_type)?;
            select.push(format!(" AND ({alias}{sort}, {alias}id) {cmp} ("));
            cursor.key.push_bind(select);
            select.push(", ").push_bind(cursor.id).push(")");
        }
        select.push(format!(
            " ORDER BY {alias}{sort} {dir}, {alias}id {dir} LIMIT "
        ));
        // `first` is at most MAX_PAGE_SIZE, so this cannot overflow or truncate.
        select.push_bind(i64::try_from(query.first + 1).unwrap_or(i64::MAX));
        Ok(())
    }
}

/// Serializes events and reads their `type` tag for the `event_type` column.
fn encode_events<C: EsRepoConfig>(
    events: &[EventOf<C>],
) -> Result<Vec<(String, serde_json::Value)>, EsRepoError> {
    events
        .iter()
        .map(|event| {
            let value = serde_json::to_value(event).map_err(|e| EsRepoError::EventEncode {
                entity: C::ENTITY,
                reason: e.to_string(),
            })?;
            let event_type = value
                .get("type")
                .and_then(|t| t.as_str())
                .ok_or_else(|| EsRepoError::EventEncode {
                    entity: C::ENTITY,
                    reason: "events must serialize to an object with a string `type` tag".into(),
                })?
                .to_owned();
            Ok((event_type, value))
        })
        .collect()
}

/// New events of one or more entities, inserted with one statement (with the index rows).
#[derive(Default)]
struct EventRows {
    ids: Vec<Uuid>,
    sequences: Vec<i32>,
    types: Vec<String>,
    bodies: Vec<Json<serde_json::Value>>,
}

impl EventRows {
    /// The entity `id`'s `events`, numbered from `first_sequence`.
    fn push<C: EsRepoConfig>(
        &mut self,
        id: Uuid,
        first_sequence: i32,
        events: &[EventOf<C>],
    ) -> Result<(), EsRepoError> {
        for ((event_type, body), sequence) in encode_events::<C>(events)?
            .into_iter()
            .zip(first_sequence..)
        {
            self.ids.push(id);
            self.sequences.push(sequence);
            self.types.push(event_type);
            self.bodies.push(Json(body));
        }
        Ok(())
    }

    /// Pushes the events' insert onto `query`: alone, or in a `WITH` clause followed by the
    /// statement that writes the index rows (one round trip for both).
    fn push_insert<C: EsRepoConfig>(
        self,
        query: &mut QueryBuilder<'static, Postgres>,
        context: &EventContext,
        recorded_at: DateTime<Utc>,
    ) {
        query
            .push(format!(
                "INSERT INTO {} (id, sequence, event_type, event, context, recorded_at) SELECT i, s, t, e, ",
                C::EVENTS_TABLE
            ))
            .push_bind(Json(context.clone()))
            .push(", ")
            .push_bind(recorded_at)
            .push(" FROM unnest(")
            .push_bind(self.ids)
            .push("::uuid[], ")
            .push_bind(self.sequences)
            .push("::int[], ")
            .push_bind(self.types)
            .push("::text[], ")
            .push_bind(self.bodies)
            .push("::jsonb[]) AS u(i, s, t, e)");
    }
}

/// Gives the entities at `changed` back the new events `taken` from them (a failed update).
fn restore<E: EsEntity>(entities: &mut [E], changed: &[usize], taken: Vec<Vec<E::Event>>) {
    for (&i, new) in changed.iter().zip(taken) {
        entities[i].events_mut().restore_new(new);
    }
}

/// A taken `(id, sequence)` means another transaction appended first; other unique violations are
/// the index table's business constraints (e.g. a unique email), reported by constraint name.
fn write_error<C: EsRepoConfig>(error: sqlx::Error, id: Uuid) -> EsRepoError {
    if let Some(db) = error.as_database_error()
        && db.is_unique_violation()
    {
        let constraint = db.constraint().unwrap_or_default().to_owned();
        return if constraint == format!("{}_id_sequence_key", C::EVENTS_TABLE) {
            EsRepoError::ConcurrentModification {
                entity: C::ENTITY,
                id,
            }
        } else {
            EsRepoError::UniqueViolation {
                entity: C::ENTITY,
                constraint,
            }
        };
    }
    EsRepoError::Sqlx(error)
}
