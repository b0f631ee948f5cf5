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

It also records the page's layout at the window's width:
``data-page-width`` is ``scrollWidth/clientWidth`` of the document (the page
scrolls sideways when the first is larger), ``data-page-overflow`` names the
outermost element reaching past the window's right edge (empty when none),
``data-tables-scrolled`` is a JSON list of the tables wider than their box
(which then scroll inside it) and ``data-narrowest-column`` the narrowest
table column in pixels with its table's name.

Tables are laid out to fit a laptop's window (1280 pixels): text cells may
break after ``,``, ``;``, ``:`` and ``|`` and inside long snake_case names
(see :func:`breakable`), spec columns (see :data:`SPEC_COLUMNS`) may break
anywhere as a last resort but keep a minimum width, adjacent columns with
the same qualifier (``d_real (median)``, ``jsd (median)``) share one header
cell, and a table that still does not fit scrolls inside its own box rather
than the page.
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
.table-wrap { overflow-x: auto; max-width: 100%; margin: .4rem 0 .2rem; }
table { border-collapse: collapse; font-size: .82rem; }
th, td { border: 1px solid #999; padding: .22rem .35rem; text-align: left;
         vertical-align: top; }
th[scope="colgroup"] { text-align: center; }
td.spec { overflow-wrap: anywhere; min-width: 7em; }
td.num, td.short, span.nobr { white-space: nowrap; }
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
      if (box.width === 0 || box.height === 0 ||
          t.querySelectorAll("tbody tr").length === 0) {
        note("table not visible or empty: " + t.dataset.table);
      } else { tables += 1; }
    });
    var doc = document.documentElement, right = doc.clientWidth, over = "";
    // the outermost element reaching past the window's right edge
    (function walk(parent) {
      Array.prototype.forEach.call(parent.children, function (e) {
        if (over) { return; }
        if (e.getBoundingClientRect().right > right + 0.5) {
          over = e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
            (e.dataset.table ? '[data-table="' + e.dataset.table + '"]' : "") +
            (e.dataset.figure ? '[data-figure="' + e.dataset.figure + '"]' : "") +
            (e.className ? "." + e.className : "") + " (" +
            Math.round(e.getBoundingClientRect().width) + " px): " +
            (e.textContent || "").trim().slice(0, 60);
        } else if (getComputedStyle(e).overflowX === "visible") {
          walk(e);  // what a scrolling box holds cannot widen the page
        }
      });
    })(document.body);
    var scrolled = [], narrow = null;
    document.querySelectorAll(".table-wrap").forEach(function (w) {
      var t = w.querySelector("table");
      if (t && w.scrollWidth > w.clientWidth + 0.5) {
        scrolled.push(t.dataset.table + ": " + Math.round(t.scrollWidth) +
                      " px in a " + w.clientWidth + " px box");
      }
    });
    document.querySelectorAll("table[data-table] th").forEach(function (c) {
      var w = c.getBoundingClientRect().width;
      if (narrow === null || w < narrow[0]) {
        narrow = [w, c.closest("table").dataset.table + ": " + c.textContent];
      }
    });
    body.setAttribute("data-page-width", doc.scrollWidth + "/" + right);
    body.setAttribute("data-page-overflow", over);
    body.setAttribute("data-tables-scrolled", JSON.stringify(scrolled));
    body.setAttribute("data-narrowest-column", narrow === null ? "" :
                      Math.round(narrow[0]) + " px (" + narrow[1] + ")");
    body.setAttribute("data-page-height", String(doc.scrollHeight));
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


#: columns holding rule or game specs: long strings without spaces
SPEC_COLUMNS = frozenset({"label", "game", "spec", "rule spec", "game spec"})

# where a line may break: after these characters when no space follows ...
_AFTER = re.compile(r"(?<=[,;:|])(?!\s)")
# ... and before an underscore of a long name, between parts of two letters or
# more (distance_to_equilibrium, not max_steps or lr_d)
_LONG_NAME = re.compile(r"\w{13,}")
_UNDERSCORE = re.compile(r"(?<=[^\W_]{2})(?=_[^\W_]{2})")
# numbers in scientific notation stay whole (a browser breaks after "e-")
_SCIENTIFIC = re.compile(r"[-+]?\d+(?:\.\d+)?e[-+]\d+")


def breakable(text: str) -> str:
    """Escape text for HTML, allowing line breaks inside long words.

    A ``<wbr>`` goes after each ``,``, ``;``, ``:`` and ``|`` not followed by
    a space, and before each ``_`` of a name of 13 characters or more that
    joins two parts of two letters or more, so that rule specs and metric
    names wrap in a narrow table cell where a reader expects it. Numbers such
    as ``1e-08`` are kept on one line (``<span class="nobr">``).

    >>> breakable("gda:lr=0.1,lr_d=0.2 <x>")
    'gda:<wbr>lr=0.1,<wbr>lr_d=0.2 &lt;x&gt;'
    >>> breakable("distance_to_equilibrium, max_steps")
    'distance<wbr>_to<wbr>_equilibrium, max_steps'
    >>> breakable("1.4e-09 [1.3e-09, 2e-08]")
    '<span class="nobr">1.4e-09</span> [<span class="nobr">1.3e-09</span>, ...'
    """
    whole = {m.start(): m.end() for m in _SCIENTIFIC.finditer(text)}
    cuts = {m.start() for m in _AFTER.finditer(text)}
    for name in _LONG_NAME.finditer(text):
        cuts.update(name.start() + m.start()
                    for m in _UNDERSCORE.finditer(name.group()))
    bounds = sorted(cuts | set(whole) | set(whole.values()) | {0, len(text)})
    out = []
    for start, end in zip(bounds, bounds[1:]):
        piece = html.escape(text[start:end], quote=False)
        out.append(f'<span class="nobr">{piece}</span>' if start in whole else piece)
        if end in cuts and end < len(text):
            out.append("<wbr>")
    return "".join(out)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _html_cell(column: str, value) -> str:
    """One ``<td>``: numbers and short words on one line, long text breakable."""
    text = format_cell(value)
    if _is_number(value):
        cls, inner = ' class="num"', html.escape(text)
    elif len(text) <= 12 and " " not in text and column not in SPEC_COLUMNS:
        cls, inner = ' class="short"', html.escape(text)
    else:
        cls = ' class="spec"' if column in SPEC_COLUMNS else ""
        inner = breakable(text)
    if column == "verdict":
        inner = f'<span class="verdict">{inner}</span>'
    return f"<td{cls}>{inner}</td>"


# a column name ending in a parenthesised qualifier: "d_real (median)"
_QUALIFIED = re.compile(r"(.*\S) \(([^()]+)\)")


def _html_head(columns) -> str:
    """The header row(s) of a table.

    Adjacent columns whose names end in the same qualifier, such as
    ``d_real (median)`` and ``jsd (median)``, share one header cell naming
    the qualifier over a second row with the bare names: the qualifier is
    written once and the columns stay narrow.
    """
    groups: list[tuple[str | None, list[str]]] = []
    for column in map(str, columns):
        match = _QUALIFIED.fullmatch(column)
        qualifier = match.group(2) if match else None
        if qualifier is not None and groups and groups[-1][0] == qualifier:
            groups[-1][1].append(column)
        else:
            groups.append((qualifier, [column]))
    if all(len(names) < 2 for _, names in groups):
        return "<tr>" + "".join(f'<th scope="col">{breakable(c)}</th>'
                                for c in map(str, columns)) + "</tr>"
    top, bottom = [], []
    for qualifier, names in groups:
        if len(names) < 2:
            top.append(f'<th scope="col" rowspan="2">{breakable(names[0])}</th>')
            continue
        top.append(f'<th scope="colgroup" colspan="{len(names)}">'
                   f"{breakable(qualifier)}</th>")
        bottom += [f'<th scope="col">'
                   f"{breakable(_QUALIFIED.fullmatch(c).group(1))}</th>"
                   for c in names]
    return f"<tr>{''.join(top)}</tr><tr>{''.join(bottom)}</tr>"


def _html_table(table: Table) -> str:
    frame = table.frame
    head = _html_head(frame.columns)
    body = ["<tr>" + "".join(_html_cell(c, v) for c, v in zip(frame.columns, row))
            + "</tr>" for row in frame.itertuples(index=False)]
    note = f'<p class="note">{inline_markup(table.note)}</p>' if table.note else ""
    return (f"<h3>{html.escape(table.title)}</h3>\n"
            f'<div class="table-wrap"><table data-table="{html.escape(table.name)}">'
            f"<thead>{head}</thead><tbody>{''.join(body)}</tbody></table>"
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
