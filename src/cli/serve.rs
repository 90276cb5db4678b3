//! `nianbao serve`: the web editor for the reports of a folder.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use serde_json::json;

use nianbao::serve::{self, App};
use nianbao::workspace::Workspace;

use super::{exit, CliError, CliResult, FontArgs, Printer};

#[derive(Args)]
pub struct ServeArgs {
    /// The folder of reports (default: the current directory).
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// The port to listen on (default: any free port).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub port: u16,
    /// Listen on ADDR (an IP address, e.g. 0.0.0.0 for every network) instead of
    /// 127.0.0.1. Anyone who can reach it can read and edit the reports.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<IpAddr>,
    /// Open the page in the default browser.
    #[arg(long)]
    pub open: bool,
    #[command(flatten)]
    pub fonts: FontArgs,
}

pub fn serve(args: ServeArgs, printer: &Printer) -> CliResult {
    let workspace = Workspace::open(&args.dir)
        .map_err(|e| CliError::Usage(format!("{}: {e}", args.dir.display())))?;
    let publisher = args.fonts.publisher()?;
    let ip = args.listen.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_io()
        .build()
        .map_err(|e| CliError::Usage(format!("cannot start the server: {e}")))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(SocketAddr::new(ip, args.port))
            .await
            .map_err(|e| CliError::Usage(format!("cannot listen on {ip}:{}: {e}", args.port)))?;
        let addr = listener
            .local_addr()
            .map_err(|e| CliError::Usage(e.to_string()))?;
        let host = if ip.is_unspecified() {
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), addr.port())
        } else {
            addr
        };
        let url = format!("http://{host}/");
        let dir = workspace.dir().display().to_string();
        let app = Arc::new(App::new(workspace, publisher, addr));
        if printer.json() {
            printer.emit_json(&json!({
                "nianbao": nianbao::VERSION,
                "status": "serving",
                "url": url,
                "dir": dir,
                "listen": addr.to_string(),
            }))?;
        } else {
            printer.stdout(format!("{url}\n").as_bytes())?;
            printer.note(&format!(
                "nianbao serve: the reports of {dir} at {url} (Ctrl-C to stop)"
            ));
        }
        if !addr.ip().is_loopback() {
            printer.warning(&format!(
                "listening on {addr}: anyone who can reach this address can read and edit the reports in {dir} (注意：能访问此地址的任何人都可以查看和修改这些报告)"
            ));
        }
        if args.open {
            open_browser(&url, printer);
        }
        serve::serve(listener, app)
            .await
            .map_err(|e| CliError::Usage(format!("the server stopped: {e}")))?;
        Ok(exit(false))
    })
}

/// Opens `url` in the default browser, saying so when it cannot.
fn open_browser(url: &str, printer: &Printer) {
    let (program, args): (&str, Vec<&str>) = if cfg!(target_os = "macos") {
        ("open", vec![url])
    } else if cfg!(windows) {
        ("cmd", vec!["/C", "start", "", url])
    } else {
        ("xdg-open", vec![url])
    };
    if let Err(e) = std::process::Command::new(program)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        printer.warning(&format!(
            "cannot open a browser ({program}: {e}); open {url}"
        ));
    }
}
