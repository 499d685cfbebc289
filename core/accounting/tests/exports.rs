//! Exports of a ledger account's history: requested, written by the job as CSV (newest first,
//! amounts in major units), and refused for sets and unknown accounts; a file is served only
//! once the export is completed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

use core_accounting::ExportStatus;
use es::EsEntity;
use harness::{code_of, date, harness, staff};
use std::time::{Duration, Instant};

#[tokio::test]
async fn a_job_writes_the_history_of_an_account_as_csv_and_then_it_can_be_read() {
    let h = harness("2027-02-10T12:00:00Z").await;
    h.books(date("2027-01-01")).await;
    let (cash, customer) = (h.cash.leaves[0], h.deposits.leaves[0]);
    h.post("in-1", cash, customer, 150_025, "2027-01-05")
        .await
        .unwrap();
    h.post("in-2", cash, customer, 7, "2027-01-06")
        .await
        .unwrap();
    h.post("out-1", customer, cash, 20_000, "2027-02-01")
        .await
        .unwrap();

    let export = h
        .accounting
        .request_ledger_export(&staff(), customer)
        .await
        .unwrap();
    assert_eq!(export.status, ExportStatus::Pending);
    assert_eq!(export.account_code, "test-deposits-0");
    let early = h
        .accounting
        .ledger_export_file(&staff(), export.id())
        .await
        .unwrap_err();
    assert_eq!(code_of(&early), "EXPORT_NOT_READY");

    let runner = h.jobs.start_runner();
    let deadline = Instant::now() + Duration::from_secs(15);
    let done = loop {
        let e = h
            .accounting
            .ledger_export(&staff(), export.id())
            .await
            .unwrap();
        if e.status != ExportStatus::Pending {
            break e;
        }
        assert!(Instant::now() < deadline, "the export was never written");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    runner.shutdown().await;
    let file_name = format!("{}.csv", export.id());
    let ExportStatus::Completed { rows, bytes, .. } = &done.status else {
        panic!("export {:?}", done.status);
    };
    assert_eq!(*rows, 3);
    let (name, contents) = h
        .accounting
        .ledger_export_file(&staff(), export.id())
        .await
        .unwrap();
    assert_eq!(name, file_name);
    assert_eq!(contents.len() as u64, *bytes);
    assert!(h.export_dir.join(&file_name).exists());
    let text = String::from_utf8(contents).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "entry,effective,recorded_at,transaction,external_id,currency,layer,direction,amount,description"
    );
    // Newest first: the withdrawal (a debit of the deposit account), then the two deposits.
    let fields: Vec<Vec<&str>> = lines[1..].iter().map(|l| l.split(',').collect()).collect();
    let picked: Vec<(&str, &str, &str, &str)> =
        fields.iter().map(|f| (f[1], f[4], f[7], f[8])).collect();
    assert_eq!(
        picked,
        vec![
            ("2027-02-01", "out-1", "debit", "200.00"),
            ("2027-01-06", "in-2", "credit", "0.07"),
            ("2027-01-05", "in-1", "credit", "1500.25"),
        ]
    );

    let set = h
        .accounting
        .request_ledger_export(&staff(), h.deposits.set.account)
        .await
        .unwrap_err();
    assert_eq!(code_of(&set), "INVALID_INPUT");
    let unknown = h
        .accounting
        .request_ledger_export(&staff(), ledger::AccountId::new())
        .await
        .unwrap_err();
    assert_eq!(code_of(&unknown), "NOT_FOUND");
    let _ = std::fs::remove_dir_all(&h.export_dir);
}
