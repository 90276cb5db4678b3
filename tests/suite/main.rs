//! The integration tests: one test binary (Typst and the fonts are linked once),
//! one module per area. Every figure is read back from the outputs with
//! independent tools (poppler-utils, qpdf, pdfsig, pyHanko, mutool, ofd-core, ofdkit, gmssl, …);
//! `scripts/test` installs them.

mod common;

mod archive;
mod bad_input;
mod batch;
mod browser;
mod bundle;
mod checks;
mod cli;
mod docs;
mod editions;
mod html;
mod import;
mod layout;
mod ofd;
mod r9;
mod render;
mod robustness;
mod serve;
mod snapshots;
mod ua;
mod workbook;
