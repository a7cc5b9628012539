"""The text pipeline on Dask: a real ``distributed.LocalCluster`` of two worker processes."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

import dask  # noqa: E402

import syriamap.dask as sdask  # noqa: E402
from syriamap.gazetteer import Gazetteer  # noqa: E402
from syriamap.schema import EVENT_TYPE_DTYPE, SUB_EVENT_TYPE_DTYPE  # noqa: E402
from syriamap.text.pipeline import ERROR_FLAG, extract_events_many  # noqa: E402

from test_parallel import bad_articles, corpus  # noqa: E402

#: The whole FA-KES dev file (402 articles) plus the bad ones.
N_ARTICLES = None


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer()


@pytest.fixture(scope="module")
def client(gazetteer: Gazetteer) -> Iterator[distributed.Client]:
    """Two worker processes from :func:`syriamap.dask.local_client`, readied for ``gazetteer``."""
    with sdask.local_client(2, gazetteer=gazetteer.path, dashboard_address=":0") as client:
        yield client


@pytest.mark.slow
def test_local_client_readies_each_worker_once(gazetteer: Gazetteer, client: distributed.Client) -> None:
    def state() -> dict[str, object]:
        import sys

        import dask as worker_dask

        from syriamap.text.pipeline import _finders

        return {
            "settings": {key: worker_dask.config.get(key) for key in sdask.WORKER_CONFIG},
            "dask.dataframe": "dask.dataframe" in sys.modules,
            "automata": sorted(_finders),
            "opened": sdask.worker_gazetteer.cache_info().currsize,
        }

    states = client.run(state)
    assert len(states) == 2
    for st in states.values():
        assert st == {"settings": sdask.WORKER_CONFIG, "dask.dataframe": True, "automata": [str(gazetteer.path)],
                      "opened": 1}
    seconds = client.run(sdask._setup_seconds)
    assert len(seconds) == 2 and all(s > 0 for s in seconds.values())
    # The driver's own settings are left alone.
    assert dask.config.get("distributed.worker.profile.enabled") is True
    assert dask.config.get("distributed.admin.tick.interval") == "20ms"


@pytest.mark.slow
def test_prepare_a_users_cluster_keeps_its_settings_and_readies_late_workers(gazetteer: Gazetteer, tmp_path: Path) -> None:
    # Workers in this process (threads) keep the test cheap; the plugin runs in each all the same.
    with distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as user_client:
        ready = sdask.prepare(user_client, gazetteer)
        assert len(ready) == 1 and next(iter(ready.values())) > 0
        assert dask.config.get("distributed.worker.profile.enabled") is True
        cluster.scale(2)
        user_client.wait_for_workers(2, timeout=60)
        late = user_client.run(sdask._setup_seconds)
        assert len(late) == 2 and all(s > 0 for s in late.values())
        # A gazetteer the workers cannot open is a clear error on the client, naming it.
        missing = tmp_path / "missing.sqlite"
        with pytest.raises(Exception, match=f"gazetteer file not found: {missing}"):
            sdask.prepare(user_client, missing)


def _order(frame: pd.DataFrame) -> pd.DataFrame:
    key = frame["event_id"].str.rsplit(":", n=1).str[-1]
    number = pd.to_numeric(key, errors="coerce").fillna(0).astype(int)
    return (frame.assign(_n=number).sort_values(["article", "_n"], kind="stable")
            .drop(columns="_n").reset_index(drop=True))


def test_meta_has_fixed_categories() -> None:
    ddf = dd.from_pandas(pd.DataFrame({"text": ["x"], "id": [7]}), npartitions=1)
    lazy = sdask.extract_events(ddf, id_column="id")
    assert lazy.dtypes["event_type"] == EVENT_TYPE_DTYPE
    assert lazy.dtypes["sub_event_type"] == SUB_EVENT_TYPE_DTYPE
    assert lazy.dtypes["article"] == "int64"
    with pytest.raises(ValueError, match="no column 'body'"):
        sdask.extract_events(ddf, text="body")


@pytest.mark.slow
def test_local_cluster_equals_one_process_row_for_row(
    shared_data: Path, gazetteer: Gazetteer, client: distributed.Client
) -> None:
    articles = corpus(shared_data, N_ARTICLES)
    with dask.config.set({"dataframe.convert-string": False}):  # keep the number a number (an error row)
        ddf = dd.from_pandas(articles, npartitions=6)
        lazy = sdask.extract_events(ddf, text="text", published="published", id_column="id", gazetteer=gazetteer.path)
        result = client.compute(lazy).result().reset_index(drop=True)
    one = extract_events_many(articles, text="text", published="published", id_column="id",
                              gazetteer=gazetteer, progress=False)
    pd.testing.assert_frame_equal(_order(result), _order(one))
    # The partitions' dtypes are the promised meta (categoricals agree across partitions).
    assert result.dtypes.equals(lazy._meta.dtypes)

    # Nothing lost: one row per event plus one per failed article, each bad article named once.
    errors = result[result["flags"].fillna("").str.split(";").map(lambda f: ERROR_FLAG in f)]
    for art, _ in bad_articles():
        assert (errors["article"] == art).sum() == 1
        assert (result["article"] == art).sum() == 1
    events = result.drop(errors.index)
    assert len(result) == len(events) + len(errors)
    assert len(events) > len(articles) and not events["flags"].fillna("").str.contains(ERROR_FLAG).any()
    assert set(result["article"]) <= set(articles["id"])


@pytest.mark.slow
def test_scatter_frame_keeps_rows_and_labels(client: distributed.Client) -> None:
    frame = pd.DataFrame({"text": [f"report {i}" for i in range(10)]}, index=range(100, 110))
    ddf = sdask.scatter_frame(client, frame, 3)
    assert ddf.npartitions == 3
    pd.testing.assert_frame_equal(client.compute(ddf).result(), frame)
    empty = sdask.scatter_frame(client, frame.iloc[:0], 4)
    assert empty.npartitions == 1 and len(client.compute(empty).result()) == 0
    with pytest.raises(ValueError, match="npartitions must be at least 1, not 0"):
        sdask.scatter_frame(client, frame, 0)


@pytest.mark.slow
def test_geocode_and_validate_per_partition(gazetteer: Gazetteer, client: distributed.Client) -> None:
    table = pd.DataFrame({
        "event_id": [f"e{i}" for i in range(6)],
        "event_date": ["2017-03-14"] * 6,
        "event_type": ["Battles"] * 6,
        "location": ["Aleppo", "Homs", "Idlib", "Raqqa", "Nowhere-on-earth-x", "Deir ez-Zor"],
        "country": ["Syria"] * 6,
    })
    ddf = dd.from_pandas(table, npartitions=3)
    geocoded = client.compute(sdask.geocode_events(ddf, gazetteer=gazetteer)).result()
    from syriamap.geocode import geocode_events

    expected = geocode_events(table, gazetteer, progress=False).events
    pd.testing.assert_frame_equal(geocoded.reset_index(drop=True), expected)
    assert geocoded["latitude"].notna().sum() == 5

    checked = client.compute(sdask.validate(sdask.geocode_events(ddf, gazetteer=gazetteer))).result()
    assert len(checked) == 6
    from syriamap.validate import validate

    assert checked.reset_index(drop=True)["flags"].equals(validate(expected).flag(expected)["flags"])


@pytest.mark.slow
def test_example_runs_a_corpus_job(tmp_path: Path) -> None:
    import subprocess
    import sys

    csv = tmp_path / "articles.csv"
    pd.DataFrame({
        "body": ["Shelling killed 5 people in Aleppo on Monday.", "Shelling killed 3 people in Homs on Sunday.",
                 "\x00\x01\x02\x03" * 50, "Protesters gathered in Daraa on Friday."],
        "day": ["2017-03-14"] * 4,
    }).to_csv(csv, index=False)
    out = tmp_path / "events.csv"
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve().parents[1] / "examples" / "dask_corpus.py"), str(csv), str(out),
         "--text", "body", "--published", "day", "--n", "8", "--workers", "1", "--partitions", "2"],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "dashboard: http" in done.stdout
    table = pd.read_csv(out)
    assert "8 articles ->" in done.stdout and "2 articles not readable" in done.stdout
    assert (table["flags"].fillna("").str.contains("extract_error")).sum() == 2
    assert {"Aleppo", "Homs"} <= set(table["location"].dropna())
