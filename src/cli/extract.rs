//! `nianbao extract`: the report data carried by an archival copy.

use std::path::PathBuf;

use clap::Args;

use nianbao::export::{self, ExportError};
use nianbao::Error;

use super::{OutputFormat, Reporter, EXIT_FAILURE, EXIT_OK};

#[derive(Args)]
pub struct ExtractArgs {
    /// An archival copy made with `nianbao render --archive`.
    #[arg(value_name = "COPY.pdf")]
    pub input: PathBuf,
    /// Where to write the data (JSON; default: standard output). A seal image
    /// carried by the copy is written beside it under its archived name.
    #[arg(short, long, value_name = "DATA.json")]
    pub output: Option<PathBuf>,
    /// How errors are printed.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

pub fn extract(args: ExtractArgs) -> i32 {
    let reporter = Reporter::new(args.format);
    let result = (|| -> Result<(), ExportError> {
        let bytes = std::fs::read(&args.input)
            .map_err(|e| ExportError::Input(format!("{}: {e}", args.input.display())))?;
        let x = export::extract_data(&bytes).map_err(|e| match e {
            ExportError::Input(m) | ExportError::Archive(m) => {
                ExportError::Archive(format!("{}: {m}", args.input.display()))
            }
            e => e,
        })?;
        match &args.output {
            Some(path) => {
                if let Some((name, seal)) = &x.seal {
                    let dir = match path.parent() {
                        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                        _ => PathBuf::from("."),
                    };
                    export::write_atomic(&dir.join(name), seal)?;
                }
                export::write_atomic(path, &x.data)?;
                reporter.note(&format!(
                    "wrote {} (written by nianbao {})",
                    path.display(),
                    x.version.as_deref().unwrap_or("?")
                ));
            }
            None => {
                use std::io::Write;
                std::io::stdout()
                    .write_all(&x.data)
                    .map_err(|e| ExportError::Input(e.to_string()))?;
            }
        }
        Ok(())
    })();
    match result {
        Ok(()) => EXIT_OK,
        Err(e) => {
            reporter.error(&Error::Export(e));
            EXIT_FAILURE
        }
    }
}
