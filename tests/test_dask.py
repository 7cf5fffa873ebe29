"""The Dask path, for real on a dask.distributed LocalCluster."""

from __future__ import annotations

import pytest

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")


def test_dask_matches_pandas_on_local_cluster(ledger_frame, tiny_city_dir):
    from hangzhou_address.dask import normalize_dask
    from hangzhou_address.ledger import normalize_frame
    from hangzhou_address.matcher import Matcher
    from hangzhou_address.registry import Registry

    df = ledger_frame.drop(columns="_expected")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cl, \
            distributed.Client(cl) as client:
        ddf = dd.from_pandas(df, npartitions=6)
        out = normalize_dask(ddf, "地址", registry_dir=str(tiny_city_dir)).compute()
        # each worker process built its matcher once, not once per partition
        builds = client.run(lambda: __import__("hangzhou_address.dask").dask.worker_matcher.cache_info().misses)
    assert all(n <= 1 for n in builds.values()) and sum(builds.values()) >= 1
    reg = Registry.from_directory(tiny_city_dir)
    expected = normalize_frame(df, "地址", Matcher(reg))
    assert out["code"].tolist() == expected["code"].tolist()
    assert out["level"].tolist() == expected["level"].tolist()


def test_normalize_frame_dispatches_on_dask(ledger_frame):
    from hangzhou_address.ledger import normalize_frame

    ddf = dd.from_pandas(ledger_frame.drop(columns="_expected"), npartitions=2)
    lazy = normalize_frame(ddf, "地址")
    assert type(lazy).__module__.startswith("dask")
    assert "code" in lazy.columns


def test_normalize_dask_exact_mode(tiny_city_dir):
    import pandas as pd

    from hangzhou_address import InputError
    from hangzhou_address.dask import normalize_dask
    from hangzhou_address.ledger import normalize_frame

    ddf = dd.from_pandas(pd.DataFrame({"地址": ["滨江区长和路5号"] * 4}), npartitions=2)  # 和 for 河
    levels = {f: normalize_dask(ddf, "地址", registry_dir=str(tiny_city_dir), fuzzy=f)
              .compute(scheduler="sync")["level"].unique().tolist() for f in (True, False)}
    assert levels == {True: ["building"], False: ["district"]}
    with pytest.raises(InputError, match="fuzzy"):
        normalize_frame(ddf, "地址", fuzzy="yes")
