// Package importer turns legacy plain-text newspaper pages — the text
// extracted from printed pages of the archive — into banmian content: an
// edition, its stories and its boxes, written in the format content.Load
// reads.
//
// Parse recognises, in order of appearance:
//
//   - the masthead: the section name and the 责任编辑, 微博, 邮箱 and
//     热线电话 fields at the top of the page;
//   - stories: a headline block (a kicker and headline sharing one line,
//     separated by a space; or kicker, headline and subtitle on their own
//     lines), subheads (short lines without closing punctuation), paragraphs,
//     and the credit that closes a story ("长征镇 供稿", on its own line or at
//     the end of the last paragraph). A credit ends a story: the next heading
//     starts the next one;
//   - honour-roll boxes (荣誉榜): company, 受检产品, 荣获 and the award, with
//     wrapped product and award lines rejoined.
//
// Lines broken by print columns are rejoined: a paragraph ends only where a
// sentence ends. Every piece of copy is passed through Options.Normalize
// (house style, internal/typeset in the command).
//
// Guarantees:
//
//   - Nothing is lost: every Han character of the input appears in the
//     output or in Page.Labels (the label words the structure replaces,
//     such as 责任编辑 or 受检产品). Text that fits no structure stays in the
//     nearest story, with a Warning.
//   - Parse is deterministic, and Plan derives file names only from the
//     page, its date and the files already in the content folder, so
//     importing the same page again writes the same files: no duplicates.
//   - Write replaces each file atomically and leaves files whose bytes are
//     unchanged untouched.
package importer
