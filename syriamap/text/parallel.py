"""All cores of one machine for :func:`syriamap.extract_events_many`: a pool of processes.

The text pipeline is pure Python, so threads do not help (the GIL); processes
do.  Each worker process receives the gazetteer once, pickled by its path
(:meth:`syriamap.gazetteer.Gazetteer.__reduce__`), and opens its own SQLite
connection to it.  On Linux the workers are forked after this process has built
the gazetteer's place-name automaton, so they share it (copy-on-write) instead
of each spending seconds building its own; they never use the parent's SQLite
connection.  Elsewhere (``spawn``) each worker builds the automaton once.
Articles travel in chunks, and the chunks' rows are put back in input order,
so the result is the single-process result, row for row.

A chunk whose worker process dies (killed for memory, a crash in a C
extension) does not lose its articles: each becomes a row flagged
``extract_error`` naming it, as an article that fails in-process does.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import sys
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from typing import Any


from syriamap.gazetteer import Gazetteer

__all__ = ["resolve_workers", "extract_rows", "available_cores"]

logger = logging.getLogger(__name__)

#: One article's fields as :func:`syriamap.text.pipeline.extract_events_many` passes them:
#: (article id, text, published, source, url).
Article = tuple[Any, Any, Any, Any, Any]

#: At most this many articles per chunk: small enough for a smooth progress bar
#: and even load, large enough that pickling rows costs little.
MAX_CHUNK = 32

_worker_gazetteer: Gazetteer | None = None


def resolve_workers(workers: int | None) -> int:
    """The number of processes ``workers`` asks for: None or 1 -> 1 (in-process), 0 or -1 -> all cores."""
    if workers is None:
        return 1
    if isinstance(workers, bool) or not isinstance(workers, int):
        raise TypeError(f"workers must be an int or None, not {type(workers).__name__}")
    if workers in (0, -1):
        return available_cores()
    if workers < -1:
        raise ValueError(f"workers must be None, -1, 0 or a positive number, not {workers}")
    return workers


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the OS tells it)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


def chunk_size(n_articles: int, workers: int) -> int:
    """Articles per chunk: about eight chunks per worker, at most :data:`MAX_CHUNK`."""
    return max(1, min(MAX_CHUNK, -(-n_articles // (workers * 8))))


def start_method() -> str:
    """``fork`` on Linux (workers share the parent's built automaton), else ``spawn``."""
    return "fork" if sys.platform.startswith("linux") else "spawn"


def _init_worker(pickled_gazetteer: bytes) -> None:
    """Runs once in each worker process: open the gazetteer anew from its pickle (path, layers, focus)."""
    from syriamap.gazetteer import gazetteer as module

    global _worker_gazetteer
    module._reopen.cache_clear()  # a forked child must not reuse its parent's connections
    _worker_gazetteer = pickle.loads(pickled_gazetteer)


#: Each article's event rows (dicts of the event table's columns), in input order.
Rows = list[list[dict[str, Any]]]


def _extract_chunk(articles: Sequence[Article]) -> Rows:
    """The event rows of each article of a chunk, in order."""
    from syriamap.text.pipeline import _extract_article

    assert _worker_gazetteer is not None, "worker started without its gazetteer"
    return [_extract_article(*article, _worker_gazetteer) for article in articles]


def _lost_chunk(articles: Sequence[Article], exc: BaseException) -> Rows:
    """One error row for each article of a chunk whose worker process failed."""
    from syriamap.text.pipeline import _error_row, _text_or_none

    why = f"worker process failed: {type(exc).__name__}: {exc}"
    return [[_error_row(art, why, _text_or_none(src), _text_or_none(link))] for art, _body, _pub, src, link in articles]


def extract_rows(articles: Sequence[Article], gazetteer: Gazetteer, *, workers: int, progress: bool = True) -> Rows:
    """Each article's event rows, computed by ``workers`` processes, in input order.

    A failed article has one error row.  ``progress`` shows a tqdm bar over
    articles (on stderr).
    """
    from tqdm.auto import tqdm

    if not articles:
        return []
    workers = max(1, min(workers, len(articles)))
    size = chunk_size(len(articles), workers)
    chunks = [articles[i:i + size] for i in range(0, len(articles), size)]
    results: list[Rows | None] = [None] * len(chunks)
    logger.info("extracting %d articles in %d chunks on %d processes", len(articles), len(chunks), workers)
    method = start_method()
    if method == "fork":
        from syriamap.text.pipeline import _finder

        logger.debug("automaton ready in %.1f s, shared by the forked workers", _finder(gazetteer).build_seconds)
    context = multiprocessing.get_context(method)
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_worker, initargs=(pickle.dumps(gazetteer),)
    ) as pool:
        # Submitted (and, with fork, the processes started) before the progress bar starts its thread.
        futures: dict[Future[Rows], int] = {
            pool.submit(_extract_chunk, chunk): i for i, chunk in enumerate(chunks)
        }
        with tqdm(total=len(articles), desc="extracting", unit="article", disable=not progress) as bar:
            for future in as_completed(futures):
                i = futures[future]
                try:
                    results[i] = future.result()
                except Exception as exc:  # noqa: BLE001 - a lost worker must not lose its articles
                    logger.error("chunk of %d articles lost: %s: %s", len(chunks[i]), type(exc).__name__, exc)
                    results[i] = _lost_chunk(chunks[i], exc)
                bar.update(len(chunks[i]))
    return [rows for chunk in results if chunk is not None for rows in chunk]
