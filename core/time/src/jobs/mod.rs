//! The background job of business time.

mod end_of_day;

pub use end_of_day::EndOfDayJob;
