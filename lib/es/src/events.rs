use crate::context::EventContext;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// An event as stored: its place in the stream, when and by whom it was recorded.
#[derive(Debug, Clone)]
pub struct PersistedEvent<E> {
    pub sequence: i32,
    pub event: E,
    pub recorded_at: DateTime<Utc>,
    pub context: EventContext,
}

/// The outcome of an idempotent command.
#[must_use]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Idempotent<T> {
    /// The command decided something new; its events are pending persistence.
    Executed(T),
    /// The same command was applied before; nothing was appended.
    AlreadyApplied,
}

impl<T> Idempotent<T> {
    pub fn did_execute(&self) -> bool {
        matches!(self, Idempotent::Executed(_))
    }

    pub fn was_already_applied(&self) -> bool {
        matches!(self, Idempotent::AlreadyApplied)
    }
}

/// An entity's history: what is persisted, followed by what a command just decided.
#[derive(Debug, Clone)]
pub struct EntityEvents<E> {
    entity_id: Uuid,
    persisted: Vec<PersistedEvent<E>>,
    new: Vec<E>,
}

impl<E> EntityEvents<E> {
    /// A new entity's history: its creation events, not yet persisted.
    pub fn init(entity_id: impl Into<Uuid>, initial: impl IntoIterator<Item = E>) -> Self {
        Self {
            entity_id: entity_id.into(),
            persisted: Vec::new(),
            new: initial.into_iter().collect(),
        }
    }

    pub(crate) fn load(entity_id: Uuid, persisted: Vec<PersistedEvent<E>>) -> Self {
        Self {
            entity_id,
            persisted,
            new: Vec::new(),
        }
    }

    pub fn entity_id(&self) -> Uuid {
        self.entity_id
    }

    pub fn push(&mut self, event: E) {
        self.new.push(event);
    }

    /// Every event, oldest first: the persisted ones, then the new ones.
    pub fn iter_all(&self) -> impl DoubleEndedIterator<Item = &E> {
        self.persisted
            .iter()
            .map(|p| &p.event)
            .chain(self.new.iter())
    }

    pub fn persisted(&self) -> &[PersistedEvent<E>] {
        &self.persisted
    }

    pub fn new_events(&self) -> &[E] {
        &self.new
    }

    pub fn has_new_events(&self) -> bool {
        !self.new.is_empty()
    }

    /// The sequence of the last persisted event (0 for an entity never persisted).
    pub fn version(&self) -> i32 {
        self.persisted.last().map_or(0, |p| p.sequence)
    }

    /// When the first event was recorded, once persisted.
    pub fn created_at(&self) -> Option<DateTime<Utc>> {
        self.persisted.first().map(|p| p.recorded_at)
    }

    pub(crate) fn take_new(&mut self) -> Vec<E> {
        std::mem::take(&mut self.new)
    }

    pub(crate) fn mark_persisted(
        &mut self,
        events: Vec<E>,
        recorded_at: DateTime<Utc>,
        context: &EventContext,
    ) {
        let first = self.version() + 1;
        self.persisted
            .extend(
                events
                    .into_iter()
                    .zip(first..)
                    .map(|(event, sequence)| PersistedEvent {
                        sequence,
                        event,
                        recorded_at,
                        context: context.clone(),
                    }),
            );
    }

    pub(crate) fn restore_new(&mut self, events: Vec<E>) {
        let mut events = events;
        events.append(&mut self.new);
        self.new = events;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    enum Ev {
        Frozen,
        Unfrozen,
        Renamed,
    }

    #[test]
    fn persisting_numbers_events_after_the_version() {
        let mut events = EntityEvents::init(Uuid::nil(), [Ev::Renamed, Ev::Frozen]);
        assert_eq!(events.version(), 0);
        let new = events.take_new();
        events.mark_persisted(new, DateTime::UNIX_EPOCH, &EventContext::default());
        events.push(Ev::Unfrozen);
        let new = events.take_new();
        events.mark_persisted(new, DateTime::UNIX_EPOCH, &EventContext::default());
        let sequences: Vec<i32> = events.persisted().iter().map(|p| p.sequence).collect();
        assert_eq!(sequences, [1, 2, 3]);
        assert_eq!(events.version(), 3);
        assert!(!events.has_new_events());
    }
}
