//! `wacrm phone normalize` (C4): one input per line → `input,e164,region,type,valid,wa_id,error`.

use std::io::{BufRead, BufReader, Write};
use std::process::ExitCode;

use wacrm::phone::{NormalizedRow, normalize_lines};

/// Phone subcommands.
#[derive(clap::Subcommand)]
pub enum PhoneCommand {
    /// Normalize numbers to E.164 (one per line; stdin when no file).
    Normalize {
        /// Default region (ISO 3166 alpha-2) for numbers without a country code.
        #[arg(long)]
        region: Option<String>,
        /// Output format.
        #[arg(long, default_value = "csv", value_parser = ["csv", "jsonl"])]
        format: String,
        /// Input file.
        file: Option<std::path::PathBuf>,
    },
}

const CHUNK: usize = 64 * 1024;

pub async fn run(c: PhoneCommand) -> ExitCode {
    let PhoneCommand::Normalize {
        region,
        format,
        file,
    } = c;
    if let Some(r) = &region
        && let Err(e) = wacrm::phone::parse("+1 650 253 0000", Some(r))
        && e.reason() == "unknown_region"
    {
        eprintln!("--region {r}: {e}");
        return ExitCode::from(2);
    }
    let (reader, size): (Box<dyn BufRead>, u64) = match &file {
        Some(p) => match std::fs::File::open(p) {
            Ok(f) => {
                let size = f.metadata().map(|m| m.len()).unwrap_or(0);
                (Box::new(BufReader::new(f)), size)
            }
            Err(e) => {
                eprintln!("{}: {e}", p.display());
                return ExitCode::from(1);
            }
        },
        None => (Box::new(BufReader::new(std::io::stdin())), 0),
    };
    // A progress bar only for large files; pipes stay quiet.
    let bar = (size > 5 << 20).then(|| {
        let b = indicatif::ProgressBar::new(size);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {bytes}/{total_bytes} {per_sec} eta {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    });
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let csv_mode = format == "csv";
    if csv_mode && writeln!(out, "input,e164,region,type,valid,wa_id,error").is_err() {
        return ExitCode::from(1);
    }
    let mut reader = reader;
    let mut bad = 0usize;
    let mut raw = Vec::new();
    let mut at_eof = false;
    while !at_eof {
        // One entry per input line (LF, CRLF or CR); a line that is not UTF-8
        // is kept, lossily decoded, with its own `invalid_utf8` error.
        let mut chunk: Vec<Result<String, String>> = Vec::with_capacity(CHUNK);
        let mut bytes = 0u64;
        while chunk.len() < CHUNK {
            raw.clear();
            match reader.read_until(b'\n', &mut raw) {
                Ok(0) => {
                    at_eof = true;
                    break;
                }
                Ok(n) => bytes += n as u64,
                Err(e) => {
                    eprintln!("read error after {} lines: {e}", chunk.len());
                    return ExitCode::from(1);
                }
            }
            let mut line = raw.as_slice();
            line = line.strip_suffix(b"\n").unwrap_or(line);
            line = line.strip_suffix(b"\r").unwrap_or(line);
            for part in line.split(|b| *b == b'\r') {
                chunk.push(match std::str::from_utf8(part) {
                    Ok(s) => Ok(s.to_string()),
                    Err(_) => Err(String::from_utf8_lossy(part).into_owned()),
                });
            }
        }
        if chunk.is_empty() {
            break;
        }
        let good: Vec<String> = chunk
            .iter()
            .filter_map(|l| l.as_ref().ok().cloned())
            .collect();
        let mut normalized = normalize_lines(&good, region.as_deref()).into_iter();
        let rows: Vec<NormalizedRow> = chunk
            .into_iter()
            .filter_map(|l| match l {
                Ok(_) => normalized.next(),
                Err(lossy) => Some(NormalizedRow {
                    input: lossy,
                    e164: None,
                    region: None,
                    number_type: None,
                    valid: false,
                    wa_id: None,
                    error: Some("invalid_utf8".into()),
                }),
            })
            .collect();
        bad += rows.iter().filter(|r| r.error.is_some()).count();
        if let Err(e) = write_rows(&mut out, csv_mode, &rows) {
            eprintln!("write error: {e}");
            return ExitCode::from(1);
        }
        if let Some(b) = &bar {
            b.inc(bytes);
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let _ = out.flush();
    if bad > 0 {
        eprintln!("{bad} input(s) could not be normalized (see the error column)");
    }
    ExitCode::SUCCESS
}

fn write_rows(out: &mut impl Write, csv_mode: bool, rows: &[NormalizedRow]) -> std::io::Result<()> {
    match csv_mode {
        true => {
            let mut w = csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(&mut *out);
            for r in rows {
                w.write_record([
                    r.input.as_str(),
                    r.e164.as_deref().unwrap_or(""),
                    r.region.as_deref().unwrap_or(""),
                    r.number_type.as_deref().unwrap_or(""),
                    if r.valid { "true" } else { "false" },
                    r.wa_id.as_deref().unwrap_or(""),
                    r.error.as_deref().unwrap_or(""),
                ])?;
            }
            w.flush()?;
        }
        false => {
            for r in rows {
                serde_json::to_writer(&mut *out, r)?;
                out.write_all(b"\n")?;
            }
        }
    }
    Ok(())
}
