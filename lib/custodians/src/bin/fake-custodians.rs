//! The fake custodians for the dev stack: `fake-custodians [PORT]` (default 5257) serves a
//! BitGo-style, a Komainu-style custodian and an Esplora-style explorer with the credentials of
//! `FakeCredentials::default()`. Move a balance and deliver the signed webhook:
//! `curl -X POST localhost:5257/control/bitgo/transfer -H 'content-type: application/json'
//! -d '{"wallet": "..", "balance_sats": 150000000, "webhook_url": "http://127.0.0.1:5253/webhook/custodian/<id>", "webhook_secret": ".."}'`.

use custodians::fake::{FakeCredentials, FakeCustodians};
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let port = match std::env::args().nth(1).map(|p| p.parse::<u16>()) {
        None => 5257,
        Some(Ok(port)) => port,
        Some(Err(e)) => {
            eprintln!("error: the port must be a number: {e}");
            return ExitCode::FAILURE;
        }
    };
    let fake = match FakeCustodians::start(
        SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
        FakeCredentials::default(),
    )
    .await
    {
        Ok(fake) => fake,
        Err(e) => {
            eprintln!("error: cannot serve on port {port}: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("fake custodians at {}", fake.base_url());
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("error: cannot wait for Ctrl-C: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
