"""``syriamap demo``: our example dispatches, through extraction, to an offline HTML map.

The dispatches are short news reports we wrote for the project (one JSON object a
line: ``id``, ``published``, ``source``, ``text``).  They ship inside the package
(``syriamap/data/dispatches.jsonl``) so that a pip-installed user, who has no
``examples/`` folder, can run the whole pipeline with one command:

    syriamap demo                  # writes syriamap-demo.html and prints its path
    syriamap demo -o /tmp/map.html

The tests, the notebooks and the examples read the same file through
:func:`dispatches_path` / :func:`load_dispatches`.
"""
from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["dispatches_path", "load_dispatches", "run_demo", "DEFAULT_OUTPUT"]

logger = logging.getLogger(__name__)

#: Where ``syriamap demo`` writes its map unless told otherwise (in the current folder).
DEFAULT_OUTPUT = "syriamap-demo.html"
_TITLE = "syriamap demo: events extracted from our example dispatches"


def dispatches_path() -> Path:
    """Path of the packaged example dispatches (JSON lines)."""
    return Path(str(resources.files("syriamap") / "data" / "dispatches.jsonl"))


def load_dispatches() -> pd.DataFrame:
    """The example dispatches as a DataFrame: ``id``, ``published``, ``source``, ``text``."""
    import pandas as pd

    return pd.read_json(dispatches_path(), lines=True, dtype={"id": str, "published": str, "source": str})


def run_demo(output: str | Path = DEFAULT_OUTPUT, *, offline: bool = True) -> tuple[Path, pd.DataFrame]:
    """Extract the events of the example dispatches and save them as a map.

    Returns the path of the HTML file written and the events table.  With
    ``offline`` (the default) the page inlines every script and style, so it opens
    with no network (tiles aside); that needs the ``offline`` extra.
    """
    from syriamap.maps import event_map, save_html
    from syriamap.text.pipeline import extract_events_many

    output = Path(output)
    dispatches = load_dispatches()
    events = extract_events_many(dispatches, published="published", source="source", id_column="id")
    located = int(events["latitude"].notna().sum())
    logger.info("%d events (%d located) from %d dispatches", len(events), located, len(dispatches))
    # the minimap needs a library no installed package provides: it would be dropped offline
    m = event_map(events, title=_TITLE, time_step="month", minimap=not offline)
    return save_html(m, output, offline=offline), events
