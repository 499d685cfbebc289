//! The fake exchange for the dev stack: `fake-exchange [PORT] [LAST_PRICE]` (defaults 5256 and
//! 96500). Change it while it runs:
//! `curl -X PUT localhost:5256/control/price -d 97000.5`,
//! `curl -X PUT localhost:5256/control/mode -d server_error` (`normal` to recover).

use bitfinex::fake::FakeExchange;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let port = match args.next().map(|p| p.parse::<u16>()) {
        None => 5256,
        Some(Ok(port)) => port,
        Some(Err(e)) => {
            eprintln!("error: the port must be a number: {e}");
            return ExitCode::FAILURE;
        }
    };
    let price = args.next().unwrap_or_else(|| "96500".into());
    let exchange =
        match FakeExchange::start(SocketAddr::from((Ipv4Addr::LOCALHOST, port)), &price).await {
            Ok(exchange) => exchange,
            Err(e) => {
                eprintln!("error: cannot serve on port {port}: {e}");
                return ExitCode::FAILURE;
            }
        };
    println!(
        "fake exchange at {} (last price {price})",
        exchange.base_url()
    );
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("error: cannot wait for Ctrl-C: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
