//! `nianbao extract`: the report data carried by an archival copy.

use std::path::PathBuf;

use clap::Args;

use nianbao::export;

use super::{exit, CliResult, Printer};

#[derive(Args)]
pub struct ExtractArgs {
    /// An archival copy made with `nianbao render --archive`.
    #[arg(value_name = "COPY.pdf")]
    pub input: PathBuf,
    /// Where to write the data (JSON; default: standard output). A seal image
    /// carried by the copy is written beside it under its archived name.
    #[arg(short, long, value_name = "DATA.json")]
    pub output: Option<PathBuf>,
}

pub fn extract(args: ExtractArgs, printer: &Printer) -> CliResult {
    let bytes = export::read_pdf(&args.input)?;
    let name = args.input.display().to_string();
    let x = if export::ofd::is_ofd(&bytes) {
        export::ofd::extract_data(&name, &bytes).map_err(export::ExportError::from)?
    } else {
        export::extract_data(&name, &bytes)?
    };
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
            printer.note(&format!(
                "wrote {} (written by nianbao {})",
                path.display(),
                x.version.as_deref().unwrap_or("?")
            ));
        }
        None => printer.stdout(&x.data)?,
    }
    Ok(exit(false))
}
