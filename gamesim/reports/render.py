"""Render a :class:`~gamesim.reports.report.Report` as HTML or Markdown.

The HTML page is self-contained: the figures are inline PNG images
(``data:`` URLs), the style sheet and the small script are inline, and a
Content-Security-Policy forbids every other source, so the page opens
without network access and cannot fetch anything.

The script records problems a reader would see into attributes of
``<body>`` (what the browser test reads with ``--dump-dom``):
``data-report-status`` is ``ok`` or ``errors``, ``data-report-errors`` a
JSON list of messages (script errors, ``console.error`` calls, images that
failed to load or tables and figures with no size on screen),
``data-figures-ok`` and ``data-tables-ok`` the numbers of figures and tables
seen drawn, ``data-page-height`` the page's height in CSS pixels.
"""

from __future__ import annotations

import base64
import html
import math
import re

import pandas as pd

from gamesim.reports.report import Bullets, FigureItem, Paragraph, Report, Table

_CSS = """
:root { color-scheme: light; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans",
       sans-serif; color: #111; background: #fff; margin: 0; }
main { max-width: 1180px; margin: 0 auto; padding: 1.5rem 1.5rem 4rem; }
h1 { font-size: 1.7rem; margin: 0 0 .2rem; }
h2 { font-size: 1.3rem; margin: 2.2rem 0 .6rem; border-bottom: 2px solid #222;
     padding-bottom: .2rem; overflow-wrap: anywhere; }
h3 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; }
p.subtitle { color: #444; margin-top: 0; }
nav ol { columns: 2; padding-left: 1.2rem; }
code { font: .9em ui-monospace, "DejaVu Sans Mono", monospace;
       background: #f2f2f2; padding: 0 .2em; border-radius: 3px;
       overflow-wrap: anywhere; }
.table-wrap { overflow-x: auto; margin: .4rem 0 .2rem; }
table { border-collapse: collapse; font-size: .86rem; }
th, td { border: 1px solid #999; padding: .25rem .5rem; text-align: left;
         vertical-align: top; }
th { background: #e8e8e8; }
tbody tr:nth-child(even) { background: #f7f7f7; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
p.note { font-size: .85rem; color: #333; margin-top: .2rem; }
figure { margin: 1rem 0 1.6rem; }
figure img { max-width: 100%; height: auto; border: 1px solid #ccc; }
figcaption { font-size: .88rem; color: #222; margin-top: .3rem; }
.verdict { font-weight: 600; }
@media print { nav { display: none; } h2 { break-after: avoid; }
               figure, table { break-inside: avoid; } }
"""

# records errors and checks that every figure and table is drawn
_SCRIPT = r"""
(function () {
  var errors = [];
  function note(text) { errors.push(String(text)); }
  window.addEventListener("error", function (e) {
    var t = e.target;
    if (t && t !== window && t.tagName) {
      note("failed to load " + t.tagName.toLowerCase() + " " +
           (t.getAttribute("alt") || t.getAttribute("src") || "").slice(0, 80));
    } else {
      note("script error: " + (e.message || "unknown"));
    }
  }, true);
  var original = console.error;
  console.error = function () {
    note("console.error: " + Array.prototype.join.call(arguments, " "));
    return original.apply(console, arguments);
  };
  window.addEventListener("load", function () {
    var body = document.body, figures = 0, tables = 0;
    document.querySelectorAll("figure[data-figure]").forEach(function (f) {
      var img = f.querySelector("img"), box = f.getBoundingClientRect();
      if (!img || !img.complete || img.naturalWidth === 0) {
        note("figure not drawn: " + f.dataset.figure);
      } else if (box.width === 0 || box.height === 0 ||
                 getComputedStyle(f).visibility === "hidden") {
        note("figure not visible: " + f.dataset.figure);
      } else { figures += 1; }
    });
    document.querySelectorAll("table[data-table]").forEach(function (t) {
      var box = t.getBoundingClientRect();
      if (box.width === 0 || box.height === 0 || t.rows.length < 2) {
        note("table not visible or empty: " + t.dataset.table);
      } else { tables += 1; }
    });
    body.setAttribute("data-page-height",
                      String(document.documentElement.scrollHeight));
    body.setAttribute("data-figures-ok", String(figures));
    body.setAttribute("data-tables-ok", String(tables));
    body.setAttribute("data-report-errors", JSON.stringify(errors));
    body.setAttribute("data-report-status", errors.length ? "errors" : "ok");
  });
})();
"""

_CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
        "script-src 'unsafe-inline'")


def inline_markup(text: str) -> str:
    """Escape text for HTML, turning ```code``` and ``**bold**`` into tags.

    >>> inline_markup("use `gda:lr=0.1` <now>, **converged**")
    'use <code>gda:lr=0.1</code> &lt;now&gt;, <strong>converged</strong>'
    """
    out = html.escape(text, quote=False)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    return re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", out)


def format_cell(value) -> str:
    """A table cell as text: numbers to four significant digits.

    >>> format_cell(0.000123456), format_cell(3), format_cell(float("nan"))
    ('0.0001235', '3', 'n/a')
    """
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isnan(value):
            return "n/a"
        return f"{value:.4g}"
    if value is None:
        return "n/a"
    return str(value)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _html_table(table: Table) -> str:
    frame = table.frame
    head = "".join(f"<th scope=\"col\">{html.escape(str(c))}</th>"
                   for c in frame.columns)
    body = []
    for row in frame.itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, row):
            cls = ' class="num"' if _is_number(value) else ""
            text = html.escape(format_cell(value))
            if column == "verdict":
                text = f'<span class="verdict">{text}</span>'
            cells.append(f"<td{cls}>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    note = f'<p class="note">{inline_markup(table.note)}</p>' if table.note else ""
    return (f"<h3>{html.escape(table.title)}</h3>\n"
            f'<div class="table-wrap"><table data-table="{html.escape(table.name)}">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
            f"</div>{note}")


def _html_figure(item: FigureItem, png: bytes) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (f'<figure data-figure="{html.escape(item.name)}">'
            f"<h3>{html.escape(item.title)}</h3>"
            f'<img src="data:image/png;base64,{data}" '
            f'alt="{html.escape(item.title)}">'
            f"<figcaption>{inline_markup(item.caption)}</figcaption></figure>")


def render_html(report: Report, pngs: dict) -> str:
    """The report as one self-contained HTML page.

    Parameters
    ----------
    report : Report
    pngs : dict
        Figure name to its PNG bytes.
    """
    parts = []
    toc = "".join(f'<li><a href="#{s.anchor}">{html.escape(s.title)}</a></li>'
                  for s in report.sections)
    for section in report.sections:
        parts.append(f'<section id="{section.anchor}">'
                     f"<h2>{html.escape(section.title)}</h2>")
        for block in section.blocks:
            if isinstance(block, Paragraph):
                parts.append(f"<p>{inline_markup(block.text)}</p>")
            elif isinstance(block, Bullets):
                items = "".join(f"<li>{inline_markup(t)}</li>" for t in block.items)
                parts.append(f"<ul>{items}</ul>")
            elif isinstance(block, Table):
                parts.append(_html_table(block))
            elif isinstance(block, FigureItem):
                parts.append(_html_figure(block, pngs[block.name]))
        parts.append("</section>")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(report.title)}</title>\n"
        f"<style>{_CSS}</style>\n<script>{_SCRIPT}</script>\n</head>\n"
        '<body data-report-status="pending">\n<main>\n'
        f"<h1>{html.escape(report.title)}</h1>\n"
        f'<p class="subtitle">{inline_markup(report.subtitle)}</p>\n'
        f'<nav aria-label="contents"><ol>{toc}</ol></nav>\n'
        + "\n".join(parts)
        + "\n</main>\n</body>\n</html>\n"
    )


def _md_cell(value) -> str:
    return format_cell(value).replace("|", "\\|").replace("\n", " ")


def _md_table(table: Table) -> str:
    frame: pd.DataFrame = table.frame
    lines = [f"### {table.title}", "",
             "| " + " | ".join(_md_cell(c) for c in frame.columns) + " |",
             "| " + " | ".join("---" for _ in frame.columns) + " |"]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(_md_cell(v) for v in row) + " |")
    if table.note:
        lines += ["", table.note]
    return "\n".join(lines)


def render_markdown(report: Report, figure_dir: str = "figures") -> str:
    """The report in Markdown; figures are linked from ``figure_dir``."""
    lines = [f"# {report.title}", "", report.subtitle, ""]
    for section in report.sections:
        lines += [f"## {section.title}", ""]
        for block in section.blocks:
            if isinstance(block, Paragraph):
                lines += [block.text, ""]
            elif isinstance(block, Bullets):
                lines += [f"* {t}" for t in block.items] + [""]
            elif isinstance(block, Table):
                lines += [_md_table(block), ""]
            elif isinstance(block, FigureItem):
                lines += [f"### {block.title}", "",
                          f"![{block.title}]({figure_dir}/{block.name}.png)", "",
                          block.caption, ""]
    return "\n".join(lines).rstrip() + "\n"
