use crate::events::EntityEvents;
use serde::{Serialize, de::DeserializeOwned};
use std::fmt::{Debug, Display};
use uuid::Uuid;

/// A typed entity id. Declare one with [`entity_id!`](crate::entity_id).
pub trait EntityId:
    Copy + Debug + Display + Eq + Send + Sync + From<Uuid> + Into<Uuid> + 'static
{
}

impl<T> EntityId for T where
    T: Copy + Debug + Display + Eq + Send + Sync + From<Uuid> + Into<Uuid> + 'static
{
}

/// An entity rebuilt from its events.
///
/// The event type is a serde enum tagged with `type` (`#[serde(tag = "type")]`); the tag becomes the
/// `event_type` column.
pub trait EsEntity: Sized + Send + Sync {
    type Id: EntityId;
    type Event: Serialize + DeserializeOwned + Debug + Send + Sync;

    fn events(&self) -> &EntityEvents<Self::Event>;
    fn events_mut(&mut self) -> &mut EntityEvents<Self::Event>;

    /// Folds a history into the entity. Fails only on a history that no command could have made.
    fn try_from_events(events: EntityEvents<Self::Event>) -> Result<Self, EsEntityError>;

    fn id(&self) -> Self::Id {
        Self::Id::from(self.events().entity_id())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EsEntityError {
    #[error("history of {entity_id} does not start with its creation event")]
    NotInitialized { entity_id: Uuid },
    #[error("history of {entity_id} is inconsistent: {reason}")]
    Inconsistent { entity_id: Uuid, reason: String },
}

/// Declares a typed UUID id for an entity: `es::entity_id!(CustomerId);`
///
/// New ids are UUIDv7, so they sort roughly by creation time.
#[macro_export]
macro_rules! entity_id {
    ($name:ident) => {
        #[derive(
            Debug,
            Clone,
            Copy,
            PartialEq,
            Eq,
            Hash,
            PartialOrd,
            Ord,
            $crate::__private::serde::Serialize,
            $crate::__private::serde::Deserialize,
        )]
        #[serde(crate = "es::__private::serde", transparent)]
        pub struct $name($crate::__private::uuid::Uuid);

        impl $name {
            #[allow(clippy::new_without_default)]
            pub fn new() -> Self {
                Self($crate::__private::uuid::Uuid::now_v7())
            }
        }

        impl From<$crate::__private::uuid::Uuid> for $name {
            fn from(id: $crate::__private::uuid::Uuid) -> Self {
                Self(id)
            }
        }

        impl From<$name> for $crate::__private::uuid::Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&self.0, f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::__private::uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }
    };
}
