"""Every code example in the docs and docstrings runs.

* Python code blocks (```python) in README.md and docs/**/*.md are executed
  in order, one namespace per file.
* Docstring examples (``>>>``) of every gamesim module are run by doctest.
"""

import doctest
import importlib
import pkgutil
import re
from pathlib import Path

import matplotlib
import pytest

import gamesim

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
DOC_FILES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


@pytest.mark.parametrize("path", DOC_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_code_blocks_in_docs_run(path, tmp_path, monkeypatch):
    blocks = BLOCK.findall(path.read_text(encoding="utf-8"))
    if not blocks:
        pytest.skip("no python code blocks")
    monkeypatch.chdir(tmp_path)  # files the examples write stay in tmp
    namespace = {"__name__": "__docs__"}
    for i, code in enumerate(blocks):
        try:
            exec(compile(code, f"{path.name}[block {i}]", "exec"), namespace)
        except Exception as exc:  # pragma: no cover - the message is the point
            raise AssertionError(f"{path.name} block {i} failed: {exc!r}\n{code}")


MODULES = sorted(
    m.name for m in pkgutil.walk_packages(gamesim.__path__, "gamesim.")
    if not m.name.endswith("__main__")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS
                             | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
