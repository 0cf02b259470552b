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
/// # Ok::<(), anyhow::Error>(())
/// ```
pub fn sizes(path: &Path) -> Result<[usize; 3]> {
    let bytes = crate::read(path)?;
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gzip.write_all(&bytes).and_then(|()| gzip.try_finish())?;
    let mut brotli = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 11, ..Default::default() };
    brotli::BrotliCompress(&mut &bytes[..], &mut brotli, &params)?;
    Ok([bytes.len(), gzip.get_ref().len(), brotli.len()])
}

/// A table of the files' sizes, named from `dir`, and a total line for each group of files.
///
/// ```no_run
/// let dir = std::path::Path::new("dist");
/// cargo_wasm_push::print_sizes(dir, &[dir.join("sw.js")], &[("worker as shipped", &["sw.js", "wasm_push_sw_bg.wasm"])])?;
/// # Ok::<(), anyhow::Error>(())
/// ```
pub fn print_sizes(dir: &Path, files: &[std::path::PathBuf], totals: &[(&str, &[&str])]) -> Result {
    let line = |name: &str, [raw, gzip, brotli]: [usize; 3]| println!("{name:<36} {raw:>10} {gzip:>10} {brotli:>10}");
    // The folder on a line of its own, so a long path keeps the columns in line; the one the
    // files end up in, where a Trunk hook writes into Trunk's staging folder.
    println!("\nin {}:\n{:<36} {:>10} {:>10} {:>10}", final_folder(dir).display(), "file", "raw", "gzip", "brotli");
    for file in files {
        line(&file.strip_prefix(dir).unwrap_or(file).display().to_string(), sizes(file)?);
    }
    for (label, names) in totals {
        line(label, total_sizes(dir, names)?);
    }
    println!();
    Ok(())
}

/// Where the files in `dir` end up: Trunk's output folder (`TRUNK_DIST_DIR`) when `dir` is its
/// staging folder (`TRUNK_STAGING_DIR`), which Trunk moves there once its hooks ran; else `dir`.
fn final_folder(dir: &Path) -> std::path::PathBuf {
    let var = |name: &str| std::env::var_os(name).map(std::path::PathBuf::from);
    match (var("TRUNK_STAGING_DIR"), var("TRUNK_DIST_DIR")) {
        (Some(staging), Some(dist)) if same(&staging, dir) => dist,
        _ => dir.to_owned(),
    }
}

fn same(a: &Path, b: &Path) -> bool {
    a == b || a.canonicalize().ok().is_some_and(|a| b.canonicalize().ok().is_some_and(|b| a == b))
}

/// The summed sizes of some files of `dir`.
///
/// ```no_run
/// let [raw, gzip, _] = cargo_wasm_push::total_sizes("dist".as_ref(), &["sw.js", "wasm_push_sw_bg.wasm"])?;
/// # Ok::<(), anyhow::Error>(())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sizes_name_trunks_output_folder_not_its_staging_folder() {
        let staging = std::env::temp_dir().join(format!("wasm-push-stage-{}", std::process::id()));
        std::fs::create_dir_all(&staging).unwrap();
        assert_eq!(final_folder(&staging), staging, "outside Trunk, the folder itself");
        std::env::set_var("TRUNK_STAGING_DIR", &staging);
        std::env::set_var("TRUNK_DIST_DIR", "/site/dist");
        assert_eq!(final_folder(&staging), Path::new("/site/dist"));
        assert_eq!(final_folder(Path::new("/elsewhere")), Path::new("/elsewhere"));
        std::env::remove_var("TRUNK_STAGING_DIR");
        std::env::remove_var("TRUNK_DIST_DIR");
        let _ = std::fs::remove_dir_all(&staging);
    }
}
