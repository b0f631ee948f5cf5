"""Loading CSV data for the GAN game: bundled sets, the user's files, errors.

Expected counts come from the files themselves (gamesim/data/README.md:
272 Old Faithful eruptions; 344 penguins of which 2 lack every
measurement).
"""

import logging

import numpy as np
import pytest

from gamesim.errors import DataError
from gamesim.gan.data import load_csv
from gamesim.registry import make_game


def write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_old_faithful():
    ds = load_csv("old_faithful", ["eruptions", "waiting"])
    assert ds.values.shape == (272, 2)
    assert ds.columns == ("eruptions", "waiting")
    assert ds.source == "old_faithful" and ds.dropped == 0 and not ds.standardized
    # first data row of the file: 3.6, 79
    np.testing.assert_array_equal(ds.values[0], [3.6, 79.0])


def test_standardisation_is_recorded_and_invertible():
    raw = load_csv("old_faithful", "waiting")
    ds = load_csv("old_faithful", "waiting", standardize=True)
    # closed form: mean 0, population standard deviation 1
    np.testing.assert_allclose(ds.values.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(ds.values.std(axis=0), 1.0, rtol=1e-12)
    np.testing.assert_allclose(ds.mean, raw.values.mean(axis=0), rtol=1e-15)
    np.testing.assert_allclose(ds.scale, raw.values.std(axis=0), rtol=1e-15)
    np.testing.assert_allclose(ds.to_raw(ds.values), raw.values, rtol=1e-13)


def test_penguins_missing_values_are_dropped_with_a_logged_count(caplog):
    with caplog.at_level(logging.INFO, logger="gamesim.gan.data"):
        ds = load_csv("palmer_penguins", ["bill_length_mm", "bill_depth_mm"],
                      labels="species")
    assert ds.values.shape == (342, 2) and ds.dropped == 2
    assert np.all(np.isfinite(ds.values))
    assert "dropped 2 of 344 rows" in caplog.text
    assert sorted(set(ds.labels)) == ["Adelie", "Chinstrap", "Gentoo"]


def test_penguins_missing_values_refused_on_request():
    with pytest.raises(DataError, match=r"2 row\(s\) miss a value .* line 5"):
        load_csv("palmer_penguins", "bill_length_mm", missing="error")


def test_users_own_file(tmp_path):
    path = write(tmp_path, "a,b,label\n1,2,x\n3,NA,y\n5,6,x\n")
    ds = load_csv(path, ["b", "a"], labels="label")
    np.testing.assert_array_equal(ds.values, [[2.0, 1.0], [6.0, 5.0]])
    assert ds.dropped == 1 and list(ds.labels) == ["x", "x"]


def test_missing_file_names_the_bundled_sets(tmp_path):
    with pytest.raises(DataError, match="no such file.*old_faithful, palmer_penguins"):
        load_csv(tmp_path / "absent.csv", "x")


def test_empty_file_and_header_only(tmp_path):
    with pytest.raises(DataError, match="is empty"):
        load_csv(write(tmp_path, ""), "x")
    with pytest.raises(DataError, match="header but no data rows"):
        load_csv(write(tmp_path, "x,y\n", "head.csv"), "x")


def test_unknown_column_lists_the_available_ones():
    with pytest.raises(DataError, match=r"no column 'eruption' \(available: "
                                        r"eruptions, waiting\)"):
        load_csv("old_faithful", "eruption")


def test_non_numeric_value_names_line_and_column(tmp_path):
    path = write(tmp_path, "x,y\n1,2\n3,abc\n")
    with pytest.raises(DataError, match=r"line 3, column 'y': 'abc' is not a number"):
        load_csv(path, ["x", "y"])


def test_ragged_rows_are_refused(tmp_path):
    path = write(tmp_path, "x,y\n1,2\n3\n")
    with pytest.raises(DataError, match=r"line 3: 1 fields, but the header has 2"):
        load_csv(path, "x")


def test_constant_column_cannot_be_standardised(tmp_path):
    path = write(tmp_path, "x\n2\n2\n")
    with pytest.raises(DataError, match="constant"):
        load_csv(path, "x", standardize=True)


def test_unclosed_quote_is_a_parse_error_not_a_constant_column(tmp_path):
    # new-user trial: the quote on line 2 swallowed the rest of the file into
    # one cell, which was read as the number 123 and then as a constant column
    path = write(tmp_path, 'x\n"1\n2\n3\n', "quote.csv")
    with pytest.raises(DataError, match=r"quote\.csv' could not be parsed as CSV: "
                                        r"a quote .* line 2 is never closed"):
        load_csv(path, "x", standardize=True)


def test_quoted_field_across_lines_keeps_later_line_numbers(tmp_path):
    # a well-formed quoted label spans lines 2-3: the bad value is on line 4
    path = write(tmp_path, 'x,label\n1,"two\nlines"\nabc,c\n', "multi.csv")
    with pytest.raises(DataError, match=r"line 4, column 'x': 'abc'"):
        load_csv(path, "x")
    ds = load_csv(write(tmp_path, 'x,label\n1,"a\nb"\n2,c\n', "ok.csv"), "x",
                  labels="label")
    np.testing.assert_array_equal(ds.values[:, 0], [1.0, 2.0])
    assert list(ds.labels) == ["a\nb", "c"]


def test_bad_missing_option():
    with pytest.raises(DataError, match="missing must be"):
        load_csv("old_faithful", "waiting", missing="impute")


def test_game_on_a_users_file(tmp_path):
    rng = np.random.default_rng(0)
    rows = "\n".join(f"{v:.6f},{w:.6f}" for v, w in rng.standard_normal((60, 2)))
    path = write(tmp_path, "u,v\n" + rows + "\n")
    game = make_game(f"gan:data={path},columns=u+v,samples=16,eval_samples=32")
    assert game.dataset.values.shape == (60, 2)
    metrics = game.metrics(game.initial_point()[None])
    assert "energy_distance" in metrics and "mode_coverage" not in metrics
