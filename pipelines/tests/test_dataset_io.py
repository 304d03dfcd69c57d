"""Reading: long and wide layouts, Hive folders, delimiters, and the errors bad files give."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import WELDING

from uns_anomaly.dataset_io import ReadOptions, find_files, read_samples, sniff_delimiter
from uns_anomaly.errors import InputError


def test_reads_the_simulator_long_layout_with_hive_partitions_and_units(welding_data: Path) -> None:
    table = read_samples(welding_data, ReadOptions(channels=WELDING, label_column="label"))
    assert table.layout == "long"
    assert table.series_columns == ("enterprise", "site", "area", "line", "cell", "asset")
    assert len(table.series_keys) == 2
    assert table.rows == 2 * 20_000 * len(WELDING)
    assert table.units == {"arc_current": "A", "arc_voltage": "V", "wire_feed_speed": "m/min", "gas_flow": "l/min"}
    assert table.labels is not None and set(table.labels["label"]) > {"normal"}


def test_a_csv_beside_a_parquet_file_of_the_same_name_is_read_once(welding_data: Path) -> None:
    files = find_files(welding_data)
    assert [f.suffix for f in files] == [".parquet"]
    csv_only = read_samples(next(welding_data.rglob("*.csv")), ReadOptions(channels=WELDING))
    parquet_only = read_samples(files[0], ReadOptions(channels=WELDING))
    assert csv_only.rows == parquet_only.rows
    np.testing.assert_array_equal(np.sort(csv_only.time_ns), np.sort(parquet_only.time_ns))


def test_partition_columns_from_folder_names_can_separate_series(tmp_path: Path) -> None:
    for site in ("north", "south"):
        folder = tmp_path / f"site={site}" / "dt=2025-01-01"
        folder.mkdir(parents=True)
        pd.DataFrame({"t": np.arange(10.0), "x": np.arange(10.0)}).to_parquet(folder / "part-0.parquet")
    table = read_samples(tmp_path, ReadOptions(channels=("x",), time_column="t", series_columns=("site",)))
    assert table.series_keys == [("north",), ("south",)]
    assert table.layout == "wide"


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_detects_the_csv_delimiter(delimiter: str, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    pd.DataFrame({"t": [0.0, 0.5, 1.0], "x": [1.5, 2.5, 3.5], "y": [1, 2, 3]}).to_csv(path, sep=delimiter, index=False)
    assert sniff_delimiter(path) == delimiter
    table = read_samples(path, ReadOptions(channels=("x", "y"), time_column="t"))
    assert sorted(table.value.tolist()) == [1, 1.5, 2, 2.5, 3, 3.5]


def test_missing_values_are_kept_as_nan_and_text_cells_become_nan(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("t,x\n0,1\n1,\n2,n/a\n3,4\n")
    table = read_samples(path, ReadOptions(channels=("x",), time_column="t"))
    assert np.isnan(table.value).sum() == 2


def test_iso_text_times_are_read_as_utc(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("ts,x\n2025-01-01T01:00:00+01:00,1\n2025-01-01T00:00:01Z,2\n")
    table = read_samples(path, ReadOptions(channels=("x",), time_column="ts"))
    assert np.diff(table.time_ns).tolist() == [1_000_000_000]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (ReadOptions(channels=("x", "x"), time_column="t"), "channels repeat a name"),
        (ReadOptions(channels=("x",), time_column="time"), "column(s) time not found"),
        (ReadOptions(channels=("x",), time_column="t", label_column="kind"), "column(s) kind not found"),
        (ReadOptions(channels=("x",), time_column="t", time_unit="h"), "unknown time unit"),
        (ReadOptions(channels=("x",), time_column="t", channel_column="name"), "column 'name' not found"),
    ],
)
def test_rejects_options_that_do_not_fit_the_file(options: ReadOptions, message: str, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("t,x\n0,1\n1,2\n")
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_samples(path, options)


def test_rejects_a_folder_without_data_files_and_other_file_types(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no .csv or .parquet files"):
        find_files(tmp_path)
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(InputError, match="unsupported input file"):
        find_files(tmp_path / "x.json")
