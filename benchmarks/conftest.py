"""Settings of the benchmark session: the table of side-by-side comparisons.

Run with ``python -m pytest benchmarks/ --benchmark-only`` (see
``benchmarks/README.md``). The timing helpers live in ``side_by_side.py``.
"""

from side_by_side import COMPARISONS


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not COMPARISONS:
        return
    write = terminalreporter.write_line
    terminalreporter.section("speed comparisons (side by side, best round)")
    write("| benchmark | engine | baseline | unit | ratio | meaning | target | met |")
    write("| --- | ---: | ---: | --- | ---: | --- | --- | --- |")
    for c in COMPARISONS:
        met = {None: "", True: "yes", False: "**no**"}[c.met]
        write(
            f"| {c.name} | {c.engine:.4g} | {c.baseline:.4g} | {c.unit} | "
            f"{c.ratio:.3g} | {c.meaning} | {c.target} | {met} |"
        )
