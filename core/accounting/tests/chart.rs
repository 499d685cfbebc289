//! The chart of accounts: importing files (bad ones refused whole, with their line), adding
//! nodes, the base configuration and attaching module sets.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

use harness::{CHART, base_config, code, code_of, date, harness, staff, tb_line};
use ledger::Side;

async fn chart_ledger_accounts(h: &harness::Harness) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM ledger_accounts WHERE code LIKE 'chart:%'")
        .fetch_one(&h.db.pool)
        .await
        .unwrap()
}

async fn chart_events(h: &harness::Harness) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM accounting_chart_events")
        .fetch_one(&h.db.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn each_bad_file_is_refused_whole_naming_its_line_and_a_good_one_imports_once() {
    let h = harness("2027-03-15T12:00:00Z").await;
    let bad: [(&str, &[u8], &str); 7] = [
        (
            "unknown normal balance",
            b"1,,Assets,Debit\n2,,Liabilities,Sideways\n",
            "line 2",
        ),
        (
            "duplicate code",
            b"1,,Assets,Debit\n,01,Cash,\n,01,Cash again,\n",
            "line 3",
        ),
        (
            "child before parent",
            b"1,,,Assets,Debit\n\n,,01,Orphan,\n",
            "line 3",
        ),
        ("empty name", b"1,,Assets,Debit\n,01,  ,\n", "line 2"),
        (
            "wrong column count",
            b"1,,Assets,Debit\n,01,Cash,,extra\n",
            "line 2",
        ),
        ("not UTF-8", b"1,,Assets,Debit\n,01,Caf\xe9,\n", "line 2"),
        // Everything before the bad line is valid, and still nothing is imported.
        (
            "root without a side",
            b"1,,Assets,Debit\n,01,Cash,\n2,,Liabilities,\n",
            "line 3",
        ),
    ];
    for (what, file, line) in bad {
        let e = h
            .accounting
            .import_chart_csv(&staff(), file)
            .await
            .unwrap_err();
        assert_eq!(code_of(&e), "CHART_CSV_INVALID", "{what}: {e}");
        assert!(e.to_string().starts_with(line), "{what}: {e}");
        let chart = h.accounting.chart(&staff()).await.unwrap();
        assert!(chart.nodes.is_empty(), "{what}: something was imported");
        assert_eq!(chart_ledger_accounts(&h).await, 0, "{what}");
    }

    let added = h
        .accounting
        .import_chart_csv(&staff(), CHART.as_bytes())
        .await
        .unwrap();
    assert_eq!(added.len(), 16);
    let chart = h.accounting.chart(&staff()).await.unwrap();
    let losses = chart.node(&code("3.03")).unwrap();
    assert_eq!(
        (losses.normal_side, losses.parent.clone()),
        (Side::Debit, Some(code("3")))
    );
    assert_eq!(chart.node(&code("6.02")).unwrap().normal_side, Side::Debit);
    // A set and its own account per node.
    assert_eq!(chart_ledger_accounts(&h).await, 32);
    let events = chart_events(&h).await;
    let again = h
        .accounting
        .import_chart_csv(&staff(), CHART.as_bytes())
        .await
        .unwrap();
    assert!(again.is_empty());
    assert_eq!(
        chart_events(&h).await,
        events,
        "the same file again adds nothing"
    );
    // A file that adds one node to the same chart adds just that one.
    let more = format!("{CHART},03,Utilities,\n");
    let added = h
        .accounting
        .import_chart_csv(&staff(), more.as_bytes())
        .await
        .unwrap();
    assert_eq!(
        added.iter().map(|n| n.code.to_string()).collect::<Vec<_>>(),
        vec!["9.03"]
    );
    // The same code with another name is a conflict, and refuses the file whole.
    let e = h
        .accounting
        .import_chart_csv(&staff(), b"7,,Memo,Debit\n1,,Things,Debit\n")
        .await
        .unwrap_err();
    assert_eq!(code_of(&e), "CHART_CSV_INVALID");
    assert!(e.to_string().starts_with("line 2"), "{e}");
    assert!(
        h.accounting
            .chart(&staff())
            .await
            .unwrap()
            .node(&code("7"))
            .is_err()
    );
}

#[tokio::test]
async fn nodes_are_added_under_existing_parents_only() {
    let h = harness("2027-03-15T12:00:00Z").await;
    h.accounting
        .import_chart_csv(&staff(), CHART.as_bytes())
        .await
        .unwrap();
    let node = h
        .accounting
        .add_chart_node(&staff(), Some(code("6")), "03", "Travel", None)
        .await
        .unwrap();
    assert_eq!(
        (node.code.to_string(), node.normal_side),
        ("6.03".to_owned(), Side::Debit)
    );
    // Again: the same node, nothing new.
    let events = chart_events(&h).await;
    h.accounting
        .add_chart_node(&staff(), Some(code("6")), "03", "Travel", None)
        .await
        .unwrap();
    assert_eq!(chart_events(&h).await, events);
    let taken = h
        .accounting
        .add_chart_node(&staff(), Some(code("6")), "03", "Trips", None)
        .await
        .unwrap_err();
    assert_eq!(code_of(&taken), "CHART_NODE_EXISTS");
    let orphan = h
        .accounting
        .add_chart_node(&staff(), Some(code("6.09")), "01", "Orphan", None)
        .await
        .unwrap_err();
    assert_eq!(code_of(&orphan), "CHART_NODE_NOT_FOUND");
    for (section, name) in [("x1", "Bad section"), ("04", "   ")] {
        let e = h
            .accounting
            .add_chart_node(&staff(), Some(code("6")), section, name, None)
            .await
            .unwrap_err();
        assert_eq!(code_of(&e), "INVALID_INPUT", "{section} {name:?}");
    }
    let no_side = h
        .accounting
        .add_chart_node(&staff(), None, "7", "Memo", None)
        .await
        .unwrap_err();
    assert_eq!(code_of(&no_side), "INVALID_INPUT");
    // The node is a set under its parent's: a posting to its own account counts in both.
    let travel = h.accounting.chart(&staff()).await.unwrap();
    let travel_own = travel.node(&code("6.03")).unwrap().own_account;
    let cash_own = travel.node(&code("1.01")).unwrap().own_account;
    h.post("trip", travel_own, cash_own, 12_345, "2027-03-10")
        .await
        .unwrap();
    let tb = h.trial_balance("2027-03-01", "2027-03-31").await;
    assert_eq!(tb_line(&tb, "6.03"), (0, 12_345, 0, 12_345));
    assert_eq!(tb_line(&tb, "6"), (0, 12_345, 0, 12_345));
    assert_eq!(tb_line(&tb, "1"), (0, 0, 12_345, -12_345));
}

#[tokio::test]
async fn the_base_configuration_is_checked_against_the_chart() {
    let h = harness("2027-03-15T12:00:00Z").await;
    let inception = date("2027-01-01");
    let e = h
        .accounting
        .configure_books(&staff(), base_config(inception))
        .await
        .unwrap_err();
    assert_eq!(code_of(&e), "CHART_NODE_NOT_FOUND", "no chart yet");
    h.accounting
        .import_chart_csv(&staff(), CHART.as_bytes())
        .await
        .unwrap();
    let mut wrong_side = base_config(inception);
    wrong_side.assets = code("2");
    wrong_side.liabilities = code("1");
    let mut overlap = base_config(inception);
    overlap.expenses = code("1.02");
    let mut outside_equity = base_config(inception);
    outside_equity.retained_earnings_gain = code("4.01");
    let mut off_overlaps = base_config(inception);
    off_overlaps.off_balance_sheet = vec![code("1.02")];
    for (what, config) in [
        ("assets on the credit side", wrong_side),
        ("expenses inside assets", overlap),
        ("retained earnings outside equity", outside_equity),
        ("off balance sheet inside assets", off_overlaps),
    ] {
        let e = h
            .accounting
            .configure_books(&staff(), config)
            .await
            .unwrap_err();
        assert_eq!(code_of(&e), "ACCOUNTING_CONFIG_INVALID", "{what}: {e}");
    }
    assert!(h.accounting.chart(&staff()).await.unwrap().config.is_none());
    let chart = h
        .accounting
        .configure_books(&staff(), base_config(inception))
        .await
        .unwrap();
    assert_eq!(chart.config, Some(base_config(inception)));
}

#[tokio::test]
async fn module_sets_attach_on_their_side_once_and_bring_their_earlier_postings() {
    let h = harness("2027-03-15T12:00:00Z").await;
    h.accounting
        .import_chart_csv(&staff(), CHART.as_bytes())
        .await
        .unwrap();
    // Posted before anything is attached.
    h.post(
        "early",
        h.cash.leaves[0],
        h.deposits.leaves[0],
        50_000,
        "2027-02-03",
    )
    .await
    .unwrap();
    let tb = h.trial_balance("2027-02-01", "2027-02-28").await;
    assert_eq!((tb.total_debits, tb.total_credits), (0, 0));

    let mismatch = h
        .accounting
        .attach_module_set(&staff(), "test-deposits", code("1.01"))
        .await
        .unwrap_err();
    assert_eq!(code_of(&mismatch), "NORMAL_BALANCE_MISMATCH");
    let missing = h
        .accounting
        .attach_module_set(&staff(), "test-deposits", code("2.09"))
        .await
        .unwrap_err();
    assert_eq!(code_of(&missing), "CHART_NODE_NOT_FOUND");
    let unknown = h
        .accounting
        .attach_module_set(&staff(), "no-such-set", code("2.01"))
        .await
        .unwrap_err();
    assert_eq!(code_of(&unknown), "NOT_FOUND");

    h.accounting
        .attach_module_set(&staff(), "test-deposits", code("2.01"))
        .await
        .unwrap();
    h.accounting
        .attach_module_set(&staff(), "test-deposits", code("2.01"))
        .await
        .unwrap();
    let elsewhere = h
        .accounting
        .attach_module_set(&staff(), "test-deposits", code("2"))
        .await
        .unwrap_err();
    assert_eq!(code_of(&elsewhere), "MODULE_ALREADY_ATTACHED");
    h.accounting
        .attach_module_set(&staff(), "test-cash", code("1.01"))
        .await
        .unwrap();
    let tb = h.trial_balance("2027-02-01", "2027-02-28").await;
    assert_eq!(tb_line(&tb, "2.01"), (0, 0, 50_000, 50_000));
    assert_eq!(tb_line(&tb, "2"), (0, 0, 50_000, 50_000));
    assert_eq!(tb_line(&tb, "1.01"), (0, 50_000, 0, 50_000));
    assert_eq!((tb.total_debits, tb.total_credits), (50_000, 50_000));
    let chart = h.accounting.chart(&staff()).await.unwrap();
    assert_eq!(chart.attachments.get("test-deposits"), Some(&code("2.01")));
}
