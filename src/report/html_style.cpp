#include "report/html_style.hpp"

namespace dicomlake::report {

// Light on screen and in print (charts are drawn for a white ground). Charts scale to the
// column width; on a phone, tables and charts scroll inside their frame rather than widening
// the page or shrinking chart labels below legibility.
const char* html_style() {
    return R"css(
:root { --ink: #1a1a1a; --muted: #555; --rule: #d0d0d0; --band: #f3f5f7; --link: #005a8c; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; background: #fff; color: var(--ink);
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans",
    "Liberation Sans", Arial, sans-serif; }
main { max-width: 62rem; margin: 0 auto; padding: 1rem 1rem 3rem; }
a { color: var(--link); }
h1 { font-size: 1.7rem; line-height: 1.2; margin: 0.5rem 0; }
h2 { font-size: 1.35rem; margin: 2.5rem 0 0.25rem; padding-top: 0.75rem;
  border-top: 2px solid var(--rule); }
h3 { font-size: 1.05rem; margin: 1.5rem 0 0.25rem; }
code { font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", monospace;
  font-size: 0.9em; overflow-wrap: anywhere; }
.about { display: grid; grid-template-columns: max-content 1fr; gap: 0.1rem 1rem; margin: 0; }
.about dt { color: var(--muted); }
.about dd { margin: 0; }
nav.toc { background: var(--band); border-radius: 4px; padding: 0.5rem 1rem; margin: 1rem 0; }
nav.toc h2 { border: 0; margin: 0; padding: 0; font-size: 1rem; }
nav.toc ol { margin: 0.25rem 0; padding-left: 1.5rem; }
.meaning { font-size: 1.05rem; margin: 0.25rem 0; }
.when { color: var(--muted); font-size: 0.9rem; margin: 0.25rem 0; }
.when span { display: block; }
.facts { margin: 0.75rem 0; padding-left: 1.25rem; }
.facts li { margin: 0.1rem 0; }
.empty { background: var(--band); border-left: 4px solid var(--rule); padding: 0.5rem 0.75rem; }
figure { margin: 1.25rem 0; max-width: 48rem; }
figure svg { display: block; width: 100%; height: auto; max-width: 100%; }
.source { color: var(--muted); font-size: 0.85rem; margin: 0.25rem 0; }
.table-wrap { overflow-x: auto; -webkit-overflow-scrolling: touch; max-width: 100%; }
table { border-collapse: collapse; font-size: 0.9rem; font-variant-numeric: tabular-nums; }
th, td { padding: 0.25rem 0.6rem; border-bottom: 1px solid var(--rule); text-align: left;
  vertical-align: top; }
th { background: var(--band); font-weight: 600; }
th.num, td.num { text-align: right; white-space: nowrap; }
td.date { white-space: nowrap; }
td.null { color: var(--muted); }
.more { font-size: 0.85rem; margin: 0.25rem 0; }
.sources dt { margin-top: 0.75rem; }
.sources dd { margin-left: 1.25rem; }
footer { color: var(--muted); font-size: 0.85rem; margin-top: 3rem; }
@media (max-width: 40rem) {
  body { font-size: 15px; }
  main { padding: 0.5rem 0.75rem 2rem; }
  .about { grid-template-columns: 1fr; }
  .about dd { margin-bottom: 0.25rem; }
  /* Chart labels stay legible: a chart keeps a minimum width and scrolls, as tables do. */
  figure { overflow-x: auto; -webkit-overflow-scrolling: touch; }
  figure svg { min-width: 36rem; }
}
@page { size: A4; margin: 15mm; }
@media print {
  body { font-size: 10.5pt; background: #fff; color: #000; }
  main { max-width: none; padding: 0; }
  nav.toc, th, .empty { background: #fff; }
  a { color: #000; text-decoration: none; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  figure, .table-wrap, table, tr { break-inside: avoid; page-break-inside: avoid; }
  .table-wrap { overflow: visible; }
}
)css";
}

}  // namespace dicomlake::report
