//! BENCHMARKS.md, written here alone: its worker part (`cargo xtask bench`) and its sending part
//! (`cargo xtask bench` and `--sending`), each replaced whole by the run that measures it. What
//! was tried and what it did is kept by hand in `xtask/bench/HISTORY.md`, which no run writes.

use crate::{root, say, Result};
use anyhow::Context as _;

/// The heading the sending part starts with.
pub(crate) const SENDING: &str = "## Sending";

/// The line that ends the file, pointing at the hand-kept history.
const HISTORY_LINK: &str =
    "What was tried, session by session, and what it did: [xtask/bench/HISTORY.md](xtask/bench/HISTORY.md), kept by hand.\n";

/// A part of BENCHMARKS.md.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Part {
    /// Sizes, latency, bursts, memory: from the top to the sending part.
    Worker,
    /// The sender against node web-push: from [`SENDING`] to the end.
    Sending,
}

/// Replaces `part` of BENCHMARKS.md with `text`, keeping the other part as it was.
pub(crate) fn write(part: Part, text: &str) -> Result {
    let path = root().join("BENCHMARKS.md");
    let before = std::fs::read_to_string(&path).unwrap_or_default();
    std::fs::write(&path, replaced(&before, part, text)).context("BENCHMARKS.md")?;
    say(&format!("wrote the {part:?} part of BENCHMARKS.md"));
    Ok(())
}

/// `file` with `part` replaced by `text`.
fn replaced(file: &str, part: Part, text: &str) -> String {
    let file = file.strip_suffix(HISTORY_LINK).unwrap_or(file);
    let (worker, sending) = file.split_at(file.find(SENDING).unwrap_or(file.len()));
    let (worker, sending) = match part {
        Part::Worker => (text, sending),
        Part::Sending => (worker, text),
    };
    format!("{}\n\n{}\n\n{HISTORY_LINK}", worker.trim_end(), sending.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_run_replaces_its_own_part_and_keeps_the_other_and_the_history_link() {
        let first = replaced("", Part::Worker, "# Benchmarks\n\nworker 1\n");
        let both = replaced(&first, Part::Sending, "## Sending\n\nsending 1\n");
        let again = replaced(&both, Part::Worker, "# Benchmarks\n\nworker 2\n");
        assert_eq!(again, format!("# Benchmarks\n\nworker 2\n\n## Sending\n\nsending 1\n\n{HISTORY_LINK}"));
        let sending = replaced(&again, Part::Sending, "## Sending\n\nsending 2");
        assert_eq!(sending, format!("# Benchmarks\n\nworker 2\n\n## Sending\n\nsending 2\n\n{HISTORY_LINK}"));
    }
}
