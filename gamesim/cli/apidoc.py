"""``python -m gamesim.reports.apidoc [FOLDER]``: write the API reference.

The command-line side of :mod:`gamesim.reports.apidoc` (which only builds
the pages): it writes them and says which public objects lack a docstring.
"""

from __future__ import annotations

import sys

from gamesim.reports.apidoc import undocumented, write_reference


def main(argv=None) -> int:
    """Write the reference pages into FOLDER (default ``docs/reference``)."""
    argv = sys.argv[1:] if argv is None else argv
    folder = argv[0] if argv else "docs/reference"
    for path in write_reference(folder):
        print(f"wrote {path}")
    missing = undocumented()
    if missing:
        print("undocumented: " + ", ".join(missing), file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
