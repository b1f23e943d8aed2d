"""``adcli.dask.gradients`` on a local Dask cluster with worker processes: every row of a
Dask DataFrame read from Parquet equals what ``adcli eval --batch`` prints for it."""

from __future__ import annotations

import json

import pytest
from conftest import run_adcli

pd = pytest.importorskip("pandas", reason="adcli.dask needs pandas (pip install 'adcli[dask]')")
pa = pytest.importorskip("pyarrow", reason="reading Parquet needs pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
dd = pytest.importorskip("dask.dataframe", reason="adcli.dask needs dask[dataframe]")
distributed = pytest.importorskip("distributed", reason="a local cluster needs distributed")
np = pytest.importorskip("numpy")

import adcli  # noqa: E402
import adcli.dask  # noqa: E402

PROGRAM = "h = tanh(w*x + b); (h - t)^2 + log(x)"


def test_gradients_on_a_local_cluster_equal_the_cli_row_by_row(tmp_path):
    rng = np.random.default_rng(11)
    n = 3000
    frame = pd.DataFrame(
        {
            "w": rng.uniform(-2, 2, n),
            "x": rng.uniform(-0.5, 3, n),  # x <= 0: log's domain error on those rows
            "b": rng.uniform(-1, 1, n),
            "t": rng.uniform(0, 1, n),
            "id": np.arange(n),
        }
    )
    data = tmp_path / "points"
    data.mkdir()
    for k in range(3):  # three files, three partitions
        part = frame.iloc[k * 1000 : (k + 1) * 1000]
        pq.write_table(pa.Table.from_pandas(part, preserve_index=False), data / f"part{k}.parquet")

    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
    ):
        points = dd.read_parquet(str(data))
        result = adcli.dask.gradients(PROGRAM, points).compute()

    assert list(result.columns) == ["value", "d_w", "d_x", "d_b", "d_t", "error"]
    assert len(result) == n
    lines = []
    for k in range(3):
        done = run_adcli("eval", PROGRAM, "--batch", str(data / f"part{k}.parquet"), "--quiet")
        lines += done.stdout.splitlines()
    assert len(lines) == n
    failed = 0
    for (_, row), line in zip(result.iterrows(), lines):
        cli = json.loads(line)
        if "error" in cli:
            failed += 1
            assert row["error"] == f"{cli['error']['kind']}: {cli['error']['message']}"
            assert np.isnan(row["value"])
            continue
        assert row["error"] is None
        assert row["value"] == cli["value"]
        assert {k: row[f"d_{k}"] for k in "wxbt"} == cli["gradient"]
    assert 0 < failed < n


def test_missing_columns_and_the_partition_function():
    frame = pd.DataFrame({"x": [1.0, 2.0]})
    points = dd.from_pandas(frame, npartitions=1)
    with pytest.raises(adcli.AdcliError, match="no column for input 'w'"):
        adcli.dask.gradients(PROGRAM, points)
    out = adcli.dask.partition(frame, "x^2")
    assert out["d_x"].tolist() == [2.0, 4.0]
