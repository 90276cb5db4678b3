//! Snapshot of the generated Typst source for the bundled example (insta).
//! A change to the templates or the view shows up here as a reviewable diff.

use crate::common::*;
use nianbao::RenderOptions;

#[test]
fn generated_typst_source_of_the_example() {
    let prepared = publisher()
        .prepare(&load(&example()), &RenderOptions::default(), false)
        .unwrap();
    insta::assert_snapshot!(prepared.source);
}
