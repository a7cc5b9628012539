"""All cores of one machine: the process pool behind ``extract_events_many(workers=N)``."""
from __future__ import annotations

import pickle
from pathlib import Path

import pandas as pd
import pytest

from syriamap.gazetteer import Gazetteer
from syriamap.text.parallel import available_cores, chunk_size, resolve_workers
from syriamap.text.pipeline import ERROR_FLAG, extract_events_many

#: A subset of the FA-KES dev articles: enough for several chunks per worker, quick on a shared 2-core machine.
N_ARTICLES = 120


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer()


def bad_articles() -> list[tuple[str, object]]:
    """Articles a corpus really holds: binary junk, a 20 MB text, broken HTML, no text, a number."""
    return [
        ("bad-binary", "\x00\x01\x02\xff\xfe" * 2_000),
        ("bad-huge", "Shelling hit Aleppo. " * 1_000_000),
        ("bad-html", "<html><body><div><p>Shelling <b>hit</p></div><script>var x = '<p>'"),
        ("bad-none", None),
        ("bad-number", 12345),
    ]


def corpus(shared_data: Path, n: int | None) -> pd.DataFrame:
    """The first ``n`` FA-KES dev articles (all if None) with the bad ones put among them."""
    fakes = pd.read_csv(shared_data / "fakes" / "fa-kes-dev.csv")
    fakes = fakes if n is None else fakes.head(n)
    frame = pd.DataFrame({
        "id": fakes["unit_id"].astype(str),
        "text": fakes["article_content"].astype(object),
        "published": fakes["date_iso"].astype(object),
    })
    for k, (art, body) in enumerate(bad_articles()):
        row = pd.DataFrame({"id": [art], "text": pd.Series([body], dtype=object), "published": [None]})
        at = (k + 1) * len(frame) // (len(bad_articles()) + 1)
        frame = pd.concat([frame.iloc[:at], row, frame.iloc[at:]], ignore_index=True)
    return frame


def test_gazetteer_pickles_by_path_layers_and_focus(gazetteer: Gazetteer) -> None:
    narrowed = Gazetteer(gazetteer.path, layers=[gazetteer.layers[0]["name"]], focus=("TR", "SY"))
    payload = pickle.dumps(narrowed)
    assert len(payload) < 2_000, "a gazetteer pickles by reference to its file, not by content"
    back = pickle.loads(payload)
    assert back is not narrowed
    assert back.path == narrowed.path and back.focus == ("TR", "SY")
    assert [layer["name"] for layer in back.layers] == [layer["name"] for layer in narrowed.layers]
    assert len(back) == len(narrowed)
    assert back.resolve("Aleppo").place.id == narrowed.resolve("Aleppo").place.id
    assert pickle.loads(payload) is back, "a process reopens one gazetteer once"


def test_workers_argument() -> None:
    assert resolve_workers(None) == 1 and resolve_workers(1) == 1 and resolve_workers(3) == 3
    assert resolve_workers(0) == resolve_workers(-1) == available_cores() >= 1
    with pytest.raises(ValueError, match="workers"):
        resolve_workers(-2)
    with pytest.raises(TypeError, match="workers"):
        resolve_workers("2")  # type: ignore[arg-type]
    assert chunk_size(10_000, 2) == 32 and chunk_size(10, 4) == 1


@pytest.mark.slow
def test_process_pool_equals_one_process_and_loses_no_article(shared_data: Path, gazetteer: Gazetteer) -> None:
    articles = corpus(shared_data, N_ARTICLES)
    kwargs = dict(text="text", published="published", id_column="id", gazetteer=gazetteer, progress=False)
    one = extract_events_many(articles, **kwargs)
    pool = extract_events_many(articles, workers=2, **kwargs)
    pd.testing.assert_frame_equal(pool, one)

    # Nothing lost: every bad article is exactly one error row naming it; the others keep their order.
    errors = pool[pool["flags"].fillna("").str.split(";").map(lambda f: ERROR_FLAG in f)]
    bad = [art for art, _ in bad_articles()]
    assert set(bad) <= set(errors["article"])
    for art in bad:
        (row,) = errors[errors["article"] == art].itertuples()
        assert art in row.notes and row.event_id == f"error:{art}"
    order = pd.Index(articles["id"]).get_indexer(pool["article"])
    assert (order >= 0).all() and (pd.Series(order).diff().dropna() >= 0).all()
    assert len(pool) > N_ARTICLES, "the FA-KES articles tell several events each"
    assert pool["article"].nunique() >= N_ARTICLES // 2


def test_all_cores_on_a_plain_list_keeps_positions(gazetteer: Gazetteer) -> None:
    texts = ["Shelling killed 5 people in Aleppo on Monday.", 42, "An air strike hit Idlib city.", ""] * 3
    one = extract_events_many(texts, published="2017-03-14", gazetteer=gazetteer, progress=False)
    pool = extract_events_many(texts, published="2017-03-14", gazetteer=gazetteer, progress=False, workers=-1)
    pd.testing.assert_frame_equal(pool, one)
    assert pool["article"].dtype == "int64"
    assert set(pool.loc[pool["flags"] == ERROR_FLAG, "article"]) == {1, 3, 5, 7, 9, 11}
    assert set(pool["article"]) == set(range(12))
