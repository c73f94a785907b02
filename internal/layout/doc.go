// Package layout lays out one dated page (an edition) for print: it turns
// the page geometry into a grid of base columns (基本栏) and body lines,
// places each story and box in a module (from the edition's layout, or
// automatically), estimates for each module the lines its copy needs
// against the lines it has (copyfitting), renders a true-size print preview
// as HTML, and prints that preview to a one-page PDF through headless
// Chromium.
//
// Guarantees:
//   - Preview, Estimate and AutoLayout are deterministic: the same content
//     gives byte-identical HTML and the same Report.
//   - The estimator needs no browser. Its widths follow TYPOGRAPHY.md: one
//     em for Han characters and full-width punctuation, about 0.55 em for
//     digits and 0.51 em for lower-case Latin in Noto Serif CJK SC.
//   - A Printer is safe for concurrent use: each PDF is printed in its own
//     tab of one warm browser.
//
// Lengths in this package are points (1/72 inch) unless a name says mm;
// heights on the grid are whole body lines.
package layout
