//! Reading a results folder for the charts: the files a run writes, by column
//! name, row by row. Trace files can be large (`--trace all` over thousands
//! of replications), so they are streamed, never held whole; every error
//! names the file and the line, and odd input is an error, never a panic.

use anyhow::{Context, Result, bail};
use csv::StringRecord;
use std::fs::File;
use std::path::{Path, PathBuf};

/// `summary.json`'s header: what the charts need of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub scenario: String,
    pub replications: u64,
    pub duration_s: f64,
}

/// Reads `summary.json`; `None` when the folder has none.
pub fn read_summary(dir: &Path) -> Result<Option<Summary>> {
    let path = dir.join("summary.json");
    if !path.is_file() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not valid JSON", path.display()))?;
    let field = |name: &str| json.get(name).with_context(|| format!("{} has no `{name}`", path.display()));
    let scenario = field("scenario")?.as_str().unwrap_or_default().to_string();
    let replications = field("replications")?
        .as_u64()
        .with_context(|| format!("{}: `replications` is not a count", path.display()))?;
    let duration_s = field("duration_s")?
        .as_f64()
        .filter(|d| d.is_finite() && *d >= 0.0)
        .with_context(|| format!("{}: `duration_s` is not a duration in seconds", path.display()))?;
    Ok(Some(Summary { scenario, replications, duration_s }))
}

/// One of the folder's CSV files, open for reading row by row.
pub struct CsvFile {
    path: PathBuf,
    reader: csv::Reader<File>,
    headers: StringRecord,
}

/// Opens `dir/name`; `None` when the folder has no such file. A file without
/// even a header line is an error: clustersim never writes one.
pub fn open(dir: &Path, name: &str) -> Result<Option<CsvFile>> {
    let path = dir.join(name);
    if !path.is_file() {
        return Ok(None);
    }
    let file = File::open(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(file);
    let headers = reader.headers().with_context(|| format!("{} is not valid CSV", path.display()))?.clone();
    if headers.is_empty() || headers.iter().all(str::is_empty) {
        bail!("{} is empty: it has no header line", path.display());
    }
    Ok(Some(CsvFile { path, reader, headers }))
}

impl CsvFile {
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn headers(&self) -> Vec<String> {
        self.headers.iter().map(str::to_string).collect()
    }

    /// The position of column `name`.
    pub fn column(&self, name: &str) -> Result<usize> {
        self.headers
            .iter()
            .position(|h| h == name)
            .with_context(|| format!("{} has no column `{name}`", self.path.display()))
    }

    /// The positions of several columns, in the order asked.
    pub fn columns<const N: usize>(&self, names: [&str; N]) -> Result<[usize; N]> {
        let mut out = [0; N];
        for (slot, name) in out.iter_mut().zip(names) {
            *slot = self.column(name)?;
        }
        Ok(out)
    }

    /// Calls `f` on each row until it returns `false` or the rows end.
    pub fn for_each(&mut self, mut f: impl FnMut(&Row) -> Result<bool>) -> Result<()> {
        let mut record = StringRecord::new();
        loop {
            let more = self.reader.read_record(&mut record);
            let more = more.with_context(|| format!("{} is not valid CSV", self.path.display()))?;
            if !more {
                return Ok(());
            }
            let line = record.position().map_or(0, |p| p.line());
            let row = Row { path: &self.path, line, record: &record };
            if !f(&row)? {
                return Ok(());
            }
        }
    }
}

/// A row of a [`CsvFile`], with typed access that names the place on error.
pub struct Row<'a> {
    path: &'a Path,
    line: u64,
    record: &'a StringRecord,
}

impl Row<'_> {
    pub fn str(&self, column: usize) -> Result<&str> {
        self.record.get(column).with_context(|| format!("{}:{}: the row is too short", self.path.display(), self.line))
    }

    /// A number, which may be `NaN` or infinite (a metric of an empty run).
    pub fn number(&self, column: usize) -> Result<f64> {
        let text = self.str(column)?;
        text.trim()
            .parse::<f64>()
            .ok()
            .with_context(|| format!("{}:{}: `{text}` is not a number", self.path.display(), self.line))
    }

    /// A finite number that is 0 or more: a time, a width, a count.
    pub fn amount(&self, column: usize) -> Result<f64> {
        let value = self.number(column)?;
        if !value.is_finite() || value < 0.0 {
            bail!("{}:{}: `{}` is not a time or count (0 or more)", self.path.display(), self.line, self.str(column)?);
        }
        Ok(value)
    }

    pub fn replication(&self, column: usize) -> Result<u64> {
        let text = self.str(column)?;
        text.trim()
            .parse::<u64>()
            .ok()
            .with_context(|| format!("{}:{}: `{text}` is not a replication index", self.path.display(), self.line))
    }
}

/// The first replication a trace file holds (files are written in
/// replication order), or `None` when it has no rows.
pub fn first_replication(dir: &Path, name: &str) -> Result<Option<u64>> {
    let Some(mut file) = open(dir, name)? else { return Ok(None) };
    let column = file.column("replication")?;
    let mut first = None;
    file.for_each(|row| {
        first = Some(row.replication(column)?);
        Ok(false)
    })?;
    Ok(first)
}
