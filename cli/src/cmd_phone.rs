//! `wacrm phone normalize` (C4): one input per line → `input,e164,region,type,valid,wa_id,error`.
//!
//! Scripts call it once per number as often as once per file, so it starts
//! without the logger, the async runtime or the rest of the command tree
//! (see [`main`]); a file is read in large blocks, each block's lines
//! normalized and formatted on every core, and the blocks written in order.

use std::io::{Read, Write};
use std::process::ExitCode;

use rayon::prelude::*;

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

/// `wacrm phone ...` on its own.
#[derive(clap::Parser)]
#[command(name = "wacrm phone", version, about = "Phone number tools.")]
struct PhoneCli {
    #[command(subcommand)]
    command: PhoneCommand,
}

/// Entry point when the first argument is `phone`: parses only this
/// subcommand's arguments and runs on the calling thread.
pub fn main() -> ExitCode {
    use clap::Parser;
    let rest = std::env::args_os().skip(2);
    let cli =
        PhoneCli::parse_from(std::iter::once(std::ffi::OsString::from("wacrm phone")).chain(rest));
    run(cli.command)
}

/// Bytes read per block: large enough that formatting runs on every core,
/// small enough to keep memory flat on any file.
const BLOCK: usize = 4 << 20;

/// Lines one task normalizes and formats.
const LINES_PER_TASK: usize = 2048;

pub fn run(c: PhoneCommand) -> ExitCode {
    let PhoneCommand::Normalize {
        region,
        format,
        file,
    } = c;
    if let Some(r) = &region
        && !wacrm::phone::is_known_region(r)
    {
        eprintln!("--region {r}: unknown region");
        return ExitCode::from(2);
    }
    let (mut reader, size): (Box<dyn Read>, u64) = match &file {
        Some(p) => match std::fs::File::open(p) {
            Ok(f) => {
                let size = f.metadata().map(|m| m.len()).unwrap_or(0);
                (Box::new(f), size)
            }
            Err(e) => {
                eprintln!("{}: {e}", p.display());
                return ExitCode::from(1);
            }
        },
        None => (Box::new(std::io::stdin().lock()), 0),
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
    // A writer thread takes finished blocks in order, so writing one block
    // overlaps normalizing the next (a file's writes stall on the page cache).
    let (out, written) = std::sync::mpsc::sync_channel::<Vec<u8>>(2);
    let writer = std::thread::spawn(move || -> std::io::Result<()> {
        let stdout = std::io::stdout();
        let mut w = stdout.lock();
        for block in written {
            w.write_all(&block)?;
        }
        w.flush()
    });
    let csv_mode = format == "csv";
    if csv_mode {
        // Fails only once the writer stopped; its error is reported below.
        let _ = out.send(b"input,e164,region,type,valid,wa_id,error\n".to_vec());
    }
    let mut bad = 0usize;
    let mut buf: Vec<u8> = Vec::new();
    let mut at_eof = false;
    while !at_eof {
        // Fill the block, then cut it after its last line break; the
        // unfinished line waits for the next block.
        let mut searched = 0;
        let cut = loop {
            if buf.len() >= BLOCK
                && let Some(i) = buf[searched..].iter().rposition(|b| *b == b'\n')
            {
                break searched + i + 1;
            }
            searched = buf.len();
            // Grow from a small buffer (a one-line run must not zero
            // megabytes), by at most a quarter block at a time.
            let want = buf.len() + buf.len().clamp(64 << 10, BLOCK / 4);
            let before = buf.len();
            buf.resize(want, 0);
            match reader.read(&mut buf[before..]) {
                Ok(0) => {
                    buf.truncate(before);
                    at_eof = true;
                    break buf.len();
                }
                Ok(n) => buf.truncate(before + n),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => buf.truncate(before),
                Err(e) => {
                    eprintln!("read error: {e}");
                    return ExitCode::from(1);
                }
            }
        };
        let lines = split_lines(&buf[..cut]);
        // A few lines run on this thread: starting the thread pool would cost
        // more than normalizing them.
        let done: Vec<(Vec<u8>, usize)> = if lines.len() <= LINES_PER_TASK {
            vec![format_lines(&lines, region.as_deref(), csv_mode)]
        } else {
            lines
                .par_chunks(LINES_PER_TASK)
                .map(|chunk| format_lines(chunk, region.as_deref(), csv_mode))
                .collect()
        };
        let mut stopped = false;
        for (text, b) in done {
            bad += b;
            stopped |= out.send(text).is_err();
        }
        if stopped {
            break;
        }
        if let Some(b) = &bar {
            b.inc(cut as u64);
        }
        buf.drain(..cut);
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    drop(out);
    match writer.join() {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            eprintln!("write error: {e}");
            return ExitCode::from(1);
        }
        Err(_) => {
            eprintln!("write error: the writer stopped");
            return ExitCode::from(1);
        }
    }
    if bad > 0 {
        eprintln!("{bad} input(s) could not be normalized (see the error column)");
    }
    ExitCode::SUCCESS
}

/// Input lines of a block of whole lines: LF, CRLF or CR end a line; a block
/// ending in a line break has no empty line after it.
fn split_lines(block: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::with_capacity(block.len() / 12);
    let body = block.strip_suffix(b"\n").unwrap_or(block);
    if block.is_empty() {
        return out;
    }
    for line in body.split(|b| *b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        out.extend(line.split(|b| *b == b'\r'));
    }
    out
}

/// One output row, borrowed: the fields and order of
/// [`wacrm::phone::NormalizedRow`], so JSON lines read the same, written
/// without the six strings a `NormalizedRow` owns.
#[derive(serde::Serialize)]
struct Row<'a> {
    input: &'a str,
    e164: Option<&'a str>,
    region: Option<&'a str>,
    #[serde(rename = "type")]
    number_type: Option<&'a str>,
    valid: bool,
    wa_id: Option<&'a str>,
    error: Option<&'a str>,
}

impl<'a> Row<'a> {
    /// The row of an input that gave no number, with the reason.
    fn failed(input: &'a str, error: &'a str) -> Row<'a> {
        Row {
            input,
            e164: None,
            region: None,
            number_type: None,
            valid: false,
            wa_id: None,
            error: Some(error),
        }
    }
}

/// Normalize and format lines; also the count that failed. A line that is
/// not UTF-8 is kept, lossily decoded, with its own `invalid_utf8` error.
fn format_lines(lines: &[&[u8]], region: Option<&str>, csv_mode: bool) -> (Vec<u8>, usize) {
    use std::fmt::Write as _;
    let mut out = Vec::with_capacity(lines.len() * 80);
    let mut bad = 0;
    // Reused per row: the wa_id and an error's text.
    let mut wa_id = String::with_capacity(16);
    let mut error = String::new();
    for line in lines {
        let lossy;
        let (input, parsed) = match std::str::from_utf8(line) {
            Ok(s) => (s, Some(wacrm::phone::parse_normalized(s, region))),
            Err(_) => {
                lossy = String::from_utf8_lossy(line);
                (&*lossy, None)
            }
        };
        let row = match &parsed {
            Some(Ok(p)) => {
                wa_id.clear();
                wa_id.extend(wacrm::phone::likely_wa_id_parts(&p.e164));
                Row {
                    input,
                    e164: Some(p.e164.as_str()),
                    region: Some(p.region),
                    number_type: Some(p.number_type.as_str()),
                    valid: p.valid,
                    wa_id: Some(&wa_id),
                    error: None,
                }
            }
            Some(Err(e)) => {
                error.clear();
                // Writing to a String cannot fail.
                let _ = write!(error, "{}: {e}", e.reason());
                Row::failed(input, &error)
            }
            None => Row::failed(input, "invalid_utf8"),
        };
        bad += usize::from(row.error.is_some());
        if csv_mode {
            write_csv_row(&mut out, &row);
        } else {
            // Writing JSON to a Vec cannot fail.
            let _ = serde_json::to_writer(&mut out, &row);
            out.push(b'\n');
        }
    }
    (out, bad)
}

/// One CSV record, quoted as the `csv` crate quotes (only fields holding a
/// comma, a quote or a line break).
fn write_csv_row(out: &mut Vec<u8>, r: &Row<'_>) {
    let fields = [
        r.input,
        r.e164.unwrap_or(""),
        r.region.unwrap_or(""),
        r.number_type.unwrap_or(""),
        if r.valid { "true" } else { "false" },
        r.wa_id.unwrap_or(""),
        r.error.unwrap_or(""),
    ];
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        if f.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
            out.push(b'"');
            for b in f.bytes() {
                if b == b'"' {
                    out.push(b'"');
                }
                out.push(b);
            }
            out.push(b'"');
        } else {
            out.extend_from_slice(f.as_bytes());
        }
    }
    out.push(b'\n');
}

#[cfg(test)]
#[path = "cmd_phone_tests.rs"]
mod tests;
