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


def _tiny_ledger(tiny_city):
    """Texts of the tiny SYNTHETIC city: its registry finds their buildings, the embedded city does not."""
    import pandas as pd

    a = tiny_city.addresses.sample(24, random_state=7).reset_index(drop=True)
    return pd.DataFrame({"地址": ["杭州市" + t for t in a["text"]]}), a["building_code"].tolist()


def test_registry_and_matcher_are_honoured_by_the_dask_path(tiny_city, tiny_registry):
    """Issue 14.4: normalize_frame(dask_df, registry=/matcher=) used the embedded city instead."""
    from hangzhou_address.ledger import normalize_frame
    from hangzhou_address.matcher import Matcher

    df, expected = _tiny_ledger(tiny_city)
    embedded = normalize_frame(df, "地址")["code"].tolist()
    wanted = normalize_frame(df, "地址", registry=tiny_registry)["code"].tolist()
    assert wanted == expected and sum(e != w for e, w in zip(embedded, wanted)) >= 6  # the registries differ
    ddf = dd.from_pandas(df, npartitions=3)
    for scheduler in ("sync", "threads"):
        out = normalize_frame(ddf, "地址", registry=tiny_registry).compute(scheduler=scheduler)
        assert out["code"].tolist() == wanted, scheduler
    out = normalize_frame(ddf, "地址", matcher=Matcher(tiny_registry)).compute(scheduler="sync")
    assert out["code"].tolist() == wanted
    assert out["district_name"].iloc[0] == "滨江区"


def test_registry_in_memory_reaches_worker_processes(tiny_city, tiny_registry):
    """The registry is shipped once (one graph key) and rebuilt in each worker process."""
    from hangzhou_address.ledger import normalize_frame
    from hangzhou_address.matcher import Matcher

    df, expected = _tiny_ledger(tiny_city)
    ddf = dd.from_pandas(df, npartitions=4)
    lazy = normalize_frame(ddf, "地址", matcher=Matcher(tiny_registry, max_candidates=2))
    keys = [k for k in dict(lazy.__dask_graph__()) if "hangzhou-address-matcher-" in str(k)]
    assert len(keys) == 1
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cl, \
            distributed.Client(cl):
        out = lazy.compute()
    assert out["code"].tolist() == expected


def test_registry_dir_with_registry_or_matcher_is_refused(tiny_registry, tiny_city_dir):
    import pandas as pd

    from hangzhou_address import InputError
    from hangzhou_address.dask import normalize_dask

    ddf = dd.from_pandas(pd.DataFrame({"地址": ["滨江区长河路5号"]}), npartitions=1)
    with pytest.raises(InputError, match="not both"):
        normalize_dask(ddf, "地址", registry_dir=str(tiny_city_dir), registry=tiny_registry)
    with pytest.raises(InputError, match="Registry"):
        normalize_dask(ddf, "地址", registry=str(tiny_city_dir))
    with pytest.raises(InputError, match="Matcher"):
        normalize_dask(ddf, "地址", matcher=object())
