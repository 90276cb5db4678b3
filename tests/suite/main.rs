//! The integration tests: one test binary (Typst and the fonts are linked once),
//! one module per area. Every figure is read back from the outputs with
//! independent tools (poppler-utils, qpdf, pdfsig, pyHanko, mutool, …);
//! `scripts/test` installs them.

mod common;

mod archive;
mod bad_input;
mod batch;
mod browser;
mod checks;
mod cli;
mod docs;
mod editions;
mod layout;
mod render;
mod robustness;
mod serve;
mod snapshots;
