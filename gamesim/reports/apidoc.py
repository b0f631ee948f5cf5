"""The API reference in ``docs/reference/``, generated from the docstrings.

The public API is what each package lists in ``__all__`` (and, for the
modules without one, the public names they define); the command line is
what ``gamesim COMMAND --help`` prints. :func:`write_reference` writes one
Markdown page per package plus ``index.md`` and ``cli.md``;
:func:`undocumented` lists the public objects and methods that have no
docstring. The test suite checks that the committed pages are up to date
and that nothing public is undocumented.

Regenerate the pages after changing a docstring::

    python -m gamesim.reports.apidoc docs/reference
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import io
import sys
from contextlib import redirect_stdout
from dataclasses import dataclass
from pathlib import Path

#: documented packages and modules, in the order of the index
PACKAGES = (
    ("gamesim", "the top level: games, rules and the engine by name"),
    ("gamesim.games", "games: bilinear, quadratic, Dirac-GAN, custom, matrix"),
    ("gamesim.gan", "the GAN game on real data and the Gaussian game"),
    ("gamesim.rules", "update rules"),
    ("gamesim.engine", "the engine: simulate, schedules, results"),
    ("gamesim.equilibria", "exact equilibria of finite games, NashConv"),
    ("gamesim.bestresponse", "best responses and duality gaps beyond matrix games"),
    ("gamesim.spectral", "Jacobians, update operators, stability regions"),
    ("gamesim.compare", "comparisons and sweeps"),
    ("gamesim.reports", "equilibrium reports, verdicts and figures"),
    ("gamesim.bench", "convergence benchmarks"),
    ("gamesim.kernels", "compiled inner loops (numba) and their switches"),
    ("gamesim.specs", "spec strings"),
    ("gamesim.registry", "registries of games and rules"),
    ("gamesim.errors", "the errors gamesim raises"),
)


@dataclass(frozen=True)
class Entry:
    """One public object of a package."""

    package: str
    name: str
    obj: object

    @property
    def kind(self) -> str:
        """``class``, ``function`` or ``data``."""
        if inspect.isclass(self.obj):
            return "class"
        if callable(self.obj):
            return "function"
        return "data"

    @property
    def home(self) -> str:
        """The module that defines the object."""
        return getattr(self.obj, "__module__", None) or self.package


def public_names(module) -> list[str]:
    """``__all__``, or the public names a module defines itself."""
    names = getattr(module, "__all__", None)
    if names is not None:
        return list(names)
    return sorted(
        name for name, obj in vars(module).items()
        if not name.startswith("_") and getattr(obj, "__module__", None)
        == module.__name__ and (inspect.isclass(obj) or inspect.isfunction(obj))
    )


def entries(package: str) -> list[Entry]:
    """The public objects of a package or module, in ``__all__`` order.

    A package that cannot be imported (an optional part being written)
    gives no entries.
    """
    try:
        module = importlib.import_module(package)
    except ImportError:
        return []
    return [Entry(package, name, getattr(module, name))
            for name in public_names(module) if hasattr(module, name)]


def _own_methods(cls) -> list[tuple[str, object]]:
    """Public methods and properties defined in the class body itself."""
    out = []
    for name, member in vars(cls).items():
        if name.startswith("_"):
            continue
        if isinstance(member, (staticmethod, classmethod)):
            member = member.__func__
        if inspect.isfunction(member) or isinstance(member, property):
            out.append((name, member))
    return out


def undocumented(packages=None) -> list[str]:
    """Public classes, functions and methods without a docstring.

    Methods count when defined in a public class's own body (an override
    inherits the docstring of the method it overrides, as
    :func:`inspect.getdoc` does); data (tuples, dicts, constants) is not
    checked.

    Returns
    -------
    list of str
        ``package.name`` or ``package.Class.method`` of each.
    """
    missing = []
    for package, _ in packages or PACKAGES:
        for entry in entries(package):
            if entry.kind == "data":
                continue
            if not inspect.getdoc(entry.obj):
                missing.append(f"{package}.{entry.name}")
            if entry.kind == "class":
                for name, _ in _own_methods(entry.obj):
                    # an override inherits the documented interface's docstring
                    if not inspect.getdoc(getattr(entry.obj, name)):
                        missing.append(f"{package}.{entry.name}.{name}")
    return sorted(set(missing))


def _signature(obj) -> str:
    try:
        text = str(inspect.signature(obj))
    except (TypeError, ValueError):
        return "(...)"
    return text.replace(" -> 'None'", "").replace(" -> None", "")


def _docstring(obj) -> str:
    return (inspect.getdoc(obj) or "(no docstring)").strip()


def _first_line(obj) -> str:
    return _docstring(obj).split("\n\n")[0].replace("\n", " ")


def _anchor(name: str) -> str:
    return name.lower()


def render_package(package: str, summary: str) -> str:
    """The Markdown page of one package."""
    module = importlib.import_module(package)
    doc = inspect.getdoc(module) or ""
    lines = [f"# `{package}`", "", f"*{summary}*", "",
             "<!-- generated by gamesim.reports.apidoc from the docstrings; "
             "do not edit -->", ""]
    if doc:
        lines += ["```text", doc, "```", ""]
    items = entries(package)
    if items:
        lines += ["| name | kind | summary |", "| --- | --- | --- |"]
        for e in items:
            summary_line = _first_line(e.obj) if e.kind != "data" else \
                f"`{type(e.obj).__name__}`"
            lines.append(f"| [`{e.name}`](#{_anchor(e.name)}) | {e.kind} | "
                         f"{summary_line.replace('|', '/')} |")
        lines.append("")
    for e in items:
        lines += [f"## {e.name}", ""]
        if e.kind == "data":
            text = repr(e.obj)
            if len(text) > 400:
                text = text[:400] + " ..."
            lines += [f"*data* `{type(e.obj).__name__}` in `{e.home}`", "",
                      "```text", text, "```", ""]
            continue
        sig = _signature(e.obj)
        lines += [f"*{e.kind}* defined in `{e.home}`", "",
                  "```text", f"{e.name}{sig}", "", _docstring(e.obj), "```", ""]
        if e.kind == "class":
            methods = _own_methods(e.obj)
            if methods:
                lines += ["| member | summary |", "| --- | --- |"]
                for name, member in methods:
                    text = _first_line(getattr(e.obj, name)) if not \
                        isinstance(member, property) else _first_line(member)
                    if isinstance(member, property):
                        head = f"`{name}` (property)"
                    else:
                        head = f"`{name}{_signature(member)}`"
                    head = head.replace("|", "/")
                    lines.append(f"| {head} | {text.replace('|', '/')} |")
                lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def render_cli() -> str:
    """The command line: the help text of ``gamesim`` and each subcommand."""
    from gamesim.cli import build_parser

    parser = build_parser()
    lines = ["# The `gamesim` command", "",
             "<!-- generated by gamesim.reports.apidoc from the parsers; "
             "do not edit -->", "", "```text", _help(parser), "```", ""]
    sub = next(a for a in parser._actions
               if isinstance(a, argparse._SubParsersAction))
    for name, child in sub.choices.items():
        lines += [f"## gamesim {name}", "", "```text", _help(child), "```", ""]
    return "\n".join(lines).rstrip() + "\n"


def _help(parser) -> str:
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        # a fixed width, so that the page does not depend on the terminal
        formatter = parser.formatter_class
        parser.formatter_class = lambda prog: formatter(prog, width=88)
        try:
            parser.print_help()
        finally:
            parser.formatter_class = formatter
    return buffer.getvalue().rstrip()


def render_index() -> str:
    """The reference's front page."""
    lines = ["# API reference", "",
             "<!-- generated by gamesim.reports.apidoc; do not edit -->", "",
             "Generated from the docstrings by `python -m gamesim.reports.apidoc "
             "docs/reference`. Conventions (signs, the min-max form, alternating "
             "order) are in [../explanation/conventions.md]"
             "(../explanation/conventions.md).", "",
             "* [The `gamesim` command](cli.md)"]
    for package, summary in PACKAGES:
        if entries(package) or _importable(package):
            lines.append(f"* [`{package}`]({package}.md): {summary}")
    return "\n".join(lines) + "\n"


def _importable(package: str) -> bool:
    try:
        importlib.import_module(package)
    except ImportError:
        return False
    return True


def reference_pages() -> dict[str, str]:
    """File name to Markdown text of every page of the reference."""
    pages = {"index.md": render_index(), "cli.md": render_cli()}
    for package, summary in PACKAGES:
        if _importable(package):
            pages[f"{package}.md"] = render_package(package, summary)
    return pages


def write_reference(folder) -> list[Path]:
    """Write every page into ``folder`` (created); return the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in reference_pages().items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":  # pragma: no cover
    from gamesim.cli.apidoc import main

    sys.exit(main())
