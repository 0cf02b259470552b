//! What each file of a build weighs: raw, gzip (level 9) and brotli (quality 11), as a server
//! would send it.

use crate::Result;
use std::io::Write;
use std::path::Path;

/// Raw, gzip and brotli sizes of a file, in bytes.
///
/// ```no_run
/// let [raw, gzip, brotli] = cargo_wasm_push::sizes("dist/sw.js".as_ref())?;
/// assert!(gzip < raw && brotli < raw);
/// # Ok::<(), String>(())
/// ```
pub fn sizes(path: &Path) -> Result<[usize; 3]> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gzip.write_all(&bytes).and_then(|()| gzip.try_finish()).map_err(|e| e.to_string())?;
    let mut brotli = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 11, ..Default::default() };
    brotli::BrotliCompress(&mut &bytes[..], &mut brotli, &params).map_err(|e| e.to_string())?;
    Ok([bytes.len(), gzip.get_ref().len(), brotli.len()])
}

/// A table of the files' sizes, named from `dir`, and a total line for each group of files.
///
/// ```no_run
/// let dir = std::path::Path::new("dist");
/// cargo_wasm_push::print_sizes(dir, &[dir.join("sw.js")], &[("worker as shipped", &["sw.js", "wasm_push_sw_bg.wasm"])])?;
/// # Ok::<(), String>(())
/// ```
pub fn print_sizes(dir: &Path, files: &[std::path::PathBuf], totals: &[(&str, &[&str])]) -> Result {
    let line = |name: &str, [raw, gzip, brotli]: [usize; 3]| println!("{name:<36} {raw:>10} {gzip:>10} {brotli:>10}");
    // The folder on a line of its own: a long path (Trunk's staging folder) would push the
    // columns out of line.
    println!("\nin {}:\n{:<36} {:>10} {:>10} {:>10}", dir.display(), "file", "raw", "gzip", "brotli");
    for file in files {
        line(&file.strip_prefix(dir).unwrap_or(file).display().to_string(), sizes(file)?);
    }
    for (label, names) in totals {
        line(label, total_sizes(dir, names)?);
    }
    println!();
    Ok(())
}

/// The summed sizes of some files of `dir`.
///
/// ```no_run
/// let [raw, gzip, _] = cargo_wasm_push::total_sizes("dist".as_ref(), &["sw.js", "wasm_push_sw_bg.wasm"])?;
/// # Ok::<(), String>(())
/// ```
pub fn total_sizes(dir: &Path, files: &[&str]) -> Result<[usize; 3]> {
    let mut total = [0usize; 3];
    for file in files {
        for (sum, size) in total.iter_mut().zip(sizes(&dir.join(file))?) {
            *sum += size;
        }
    }
    Ok(total)
}
