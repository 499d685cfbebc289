//! Reading a chart of accounts from a headerless CSV file.
//!
//! Every line has the same number of columns: one or more code-section columns, then the name,
//! then the normal balance (`Debit` or `Credit`, any case; empty: the parent's). Exactly one
//! section column is filled per line; its position is the depth. A top-level section (first
//! column) stands alone (`1`, `11`); a section in column `k` extends the code of the last line
//! filled at column `k - 1`, so
//!
//! ```text
//! 1,,,Assets,Debit
//! 11,,,Current assets,
//! ,01,,Cash,
//! ,,0101,Central office,
//! ```
//!
//! gives `1`, `11`, `11.01` and `11.01.0101`. Lines with every field empty are skipped. A
//! top-level code's parent is the longest earlier top-level code it starts with (`11` is under
//! `1`); that is resolved with the chart (see `entity.rs`). Any problem refuses the whole file
//! with the number of the first line that has it.

use crate::primitives::{AccountCode, InvalidValue, Side, parse_name};

/// A node as a line of the file says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvNode {
    pub line: usize,
    pub code: AccountCode,
    pub name: String,
    /// `None`: the parent's.
    pub normal_side: Option<Side>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsvProblem {
    #[error("the file is empty")]
    Empty,
    #[error("not valid UTF-8")]
    NotUtf8,
    #[error("not readable as CSV: {0}")]
    Unreadable(String),
    #[error("a line needs at least one code column, a name and a normal balance")]
    TooFewColumns,
    #[error("{found} columns where the first line has {expected}")]
    WrongColumnCount { expected: usize, found: usize },
    #[error("no code section on the line")]
    NoSection,
    #[error("more than one code section on the line")]
    SeveralSections,
    #[error(transparent)]
    Invalid(#[from] InvalidValue),
    #[error("the name is empty")]
    EmptyName,
    #[error("normal balance {0:?} is neither Debit nor Credit")]
    UnknownNormalBalance(String),
    #[error("code {0} comes before its parent")]
    ChildBeforeParent(String),
    #[error("code {0} appears twice")]
    DuplicateCode(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct CsvError {
    pub line: usize,
    pub problem: CsvProblem,
}

/// Most bytes of a chart file.
pub const MAX_FILE_BYTES: usize = 2 * 1024 * 1024;

pub fn parse(data: &[u8]) -> Result<Vec<CsvNode>, CsvError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(data);
    let mut nodes: Vec<CsvNode> = Vec::new();
    let mut columns: Option<usize> = None;
    // The code at each depth of the last line filled there.
    let mut path: Vec<AccountCode> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut record = csv::ByteRecord::new();
    loop {
        let line = reader.position().line().max(1) as usize;
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(line, |p| p.line() as usize);
                return Err(CsvError {
                    line,
                    problem: CsvProblem::Unreadable(e.to_string()),
                });
            }
        }
        // Counted from the bytes (the reader's own count misses blank lines): the record starts
        // after any line breaks at its position.
        let line = record.position().map_or(line, |p| {
            let mut start = usize::try_from(p.byte())
                .unwrap_or(data.len())
                .min(data.len());
            while data.get(start).is_some_and(|b| matches!(b, b'\n' | b'\r')) {
                start += 1;
            }
            1 + data[..start].iter().filter(|b| **b == b'\n').count()
        });
        let fail_here = |problem| CsvError { line, problem };
        let fields: Vec<&str> = record
            .iter()
            .map(std::str::from_utf8)
            .collect::<Result<_, _>>()
            .map_err(|_| fail_here(CsvProblem::NotUtf8))?;
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let expected = *columns.get_or_insert(fields.len());
        if fields.len() < 3 {
            return Err(fail_here(CsvProblem::TooFewColumns));
        }
        if fields.len() != expected {
            return Err(fail_here(CsvProblem::WrongColumnCount {
                expected,
                found: fields.len(),
            }));
        }
        let (sections, rest) = fields.split_at(expected - 2);
        let filled: Vec<(usize, &str)> = sections
            .iter()
            .enumerate()
            .map(|(i, s)| (i, s.trim()))
            .filter(|(_, s)| !s.is_empty())
            .collect();
        let (depth, section) = match filled.as_slice() {
            [] => return Err(fail_here(CsvProblem::NoSection)),
            [one] => *one,
            _ => return Err(fail_here(CsvProblem::SeveralSections)),
        };
        let code = if depth == 0 {
            AccountCode::top(section).map_err(|e| fail_here(e.into()))?
        } else {
            match path.get(depth - 1) {
                Some(parent) => parent.child(section).map_err(|e| fail_here(e.into()))?,
                None => {
                    return Err(fail_here(CsvProblem::ChildBeforeParent(format!(
                        "{}{section}",
                        ".".repeat(depth)
                    ))));
                }
            }
        };
        path.truncate(depth);
        path.push(code.clone());
        let name = rest[0].trim();
        if name.is_empty() {
            return Err(fail_here(CsvProblem::EmptyName));
        }
        let name = parse_name(name).map_err(|e| fail_here(e.into()))?;
        let normal_side = match rest[1].trim().to_ascii_lowercase().as_str() {
            "" => None,
            "debit" => Some(Side::Debit),
            "credit" => Some(Side::Credit),
            _ => {
                return Err(fail_here(CsvProblem::UnknownNormalBalance(
                    rest[1].trim().to_owned(),
                )));
            }
        };
        if !seen.insert(code.clone()) {
            return Err(fail_here(CsvProblem::DuplicateCode(code.to_string())));
        }
        nodes.push(CsvNode {
            line,
            code,
            name,
            normal_side,
        });
    }
    if nodes.is_empty() {
        return Err(CsvError {
            line: 1,
            problem: CsvProblem::Empty,
        });
    }
    Ok(nodes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(data: &[u8]) -> (usize, CsvProblem) {
        let e = parse(data).unwrap_err();
        (e.line, e.problem)
    }

    #[test]
    fn sections_by_column_make_dotted_codes() {
        let nodes = parse(
            b"1,,,Assets,Debit\n11,,,Current assets,\n,01,,Cash,\n,,0101,\"Central office, HQ\",\n\n,,,,\n2,,,Liabilities,credit\n",
        )
        .unwrap();
        let codes: Vec<(usize, String, Option<Side>)> = nodes
            .iter()
            .map(|n| (n.line, n.code.to_string(), n.normal_side))
            .collect();
        assert_eq!(
            codes,
            vec![
                (1, "1".into(), Some(Side::Debit)),
                (2, "11".into(), None),
                (3, "11.01".into(), None),
                (4, "11.01.0101".into(), None),
                (7, "2".into(), Some(Side::Credit)),
            ]
        );
        assert_eq!(nodes[3].name, "Central office, HQ");
    }

    #[test]
    fn each_bad_file_names_its_line() {
        assert_eq!(problem(b""), (1, CsvProblem::Empty));
        assert_eq!(
            problem(b"1,,Assets,Debit\n2,,Liabilities,Sideways\n"),
            (2, CsvProblem::UnknownNormalBalance("Sideways".into()))
        );
        assert_eq!(
            problem(b"1,,Assets,Debit\n,01,Cash,\n1,,Assets again,Debit\n"),
            (3, CsvProblem::DuplicateCode("1".into()))
        );
        assert_eq!(
            problem(b",01,Cash,Debit\n"),
            (1, CsvProblem::ChildBeforeParent(".01".into()))
        );
        assert_eq!(
            problem(b"1,,Assets,Debit\n2,, ,Credit\n"),
            (2, CsvProblem::EmptyName)
        );
        assert_eq!(
            problem(b"1,,Assets,Debit\n2,,Liabilities,Credit,extra\n"),
            (
                2,
                CsvProblem::WrongColumnCount {
                    expected: 4,
                    found: 5
                }
            )
        );
        assert_eq!(problem(b"1,,Assets,Debit\n\n2,Liab\xff,Credit,\n").0, 3);
        assert_eq!(
            problem(b"1,,Assets,Debit\n2,,Liab\xffilities,Credit\n"),
            (2, CsvProblem::NotUtf8)
        );
        assert_eq!(
            problem(b"1,2,Assets,Debit\n"),
            (1, CsvProblem::SeveralSections)
        );
        assert_eq!(problem(b",,Assets,Debit\n"), (1, CsvProblem::NoSection));
        assert_eq!(problem(b"x,,Assets,Debit\n").0, 1);
        assert_eq!(problem(b"1,Debit\n"), (1, CsvProblem::TooFewColumns));
    }
}
