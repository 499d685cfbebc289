//! `lana-schema <DATABASE_URL>`: applies the schema to a database. Used by `dev/sqlx-prepare` to
//! build the database that sqlx's query macros are checked against; operators use
//! `lana-cli migrate`.

use sqlx::{Connection, PgConnection};
use std::process::ExitCode;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let Some(url) = std::env::args().nth(1) else {
        eprintln!("usage: lana-schema <DATABASE_URL>");
        return ExitCode::from(2);
    };
    let result = async {
        let migrator = lana_schema::migrator().await?;
        let mut conn = PgConnection::connect(&url).await?;
        migrator.run(&mut conn).await?;
        Ok::<_, Box<dyn std::error::Error>>(migrator.iter().count())
    }
    .await;
    match result {
        Ok(count) => {
            println!("schema applied ({count} migrations)");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
