"""The notebooks in notebooks/ run top to bottom in a real Jupyter kernel, cleanly and within a time bound.

Each notebook is executed by nbclient with its folder as working directory (as
JupyterLab does), so it finds ``../shared`` where present; a second run from a copy
with no ``../shared`` beside it checks that the cells needing third-party data skip
gracefully.  A check cell appended to each notebook asserts on the kernel's own
state after the run.
"""
from __future__ import annotations

import html
import os
import re
import shutil
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="the notebook tests need the dev extra (nbformat, nbclient)")
nbclient = pytest.importorskip("nbclient", reason="the notebook tests need the dev extra (nbclient)")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
#: Seconds any one cell may take (the gazetteer is built once per cache folder, before the notebooks run).
CELL_TIMEOUT = 300
#: Seconds a whole notebook may take on the shared 2-core machine (each takes well under a minute alone).
NOTEBOOK_BOUND = 300

#: Appended to each notebook: asserts on what the kernel computed.
CHECKS = {
    "01-quickstart.ipynb": """
assert "reasons" in events.columns and events.loc[0, "reasons"]
assert len(all_events) >= len(dispatches) - 3 and all_events["latitude"].notna().sum() >= 10
assert path.is_file() and page.count('<script src="http') == 0 and "leaflet" in page.lower()
""",
    "02-gazetteer.ipynb": """
assert gz.resolve_many(variants)["place_id"].nunique() == 1
assert gz.resolve_many(arabic)["place"].notna().all()
assert reports["address"].eq("not found").sum() == 2 and len(reports) == 7
assert MY_GAZETTEER.is_file() and MY_GAZETTEER.parent == WORK
layer_names = {str(row["name"]) for row in mine.layers}
assert layer_names & {"ucdp", "acled"}, layer_names
assert ("open-syria" in layer_names) == (SHARED is not None)
""",
    "03-analysis.ipynb": """
assert len(precise) + int(geo_coarse.loc[in_syria.index].sum()) == len(in_syria)
assert len(dated) + int(date_coarse.loc[in_syria.index].sum()) == len(in_syria)
assert by_governorate["events"].sum() == len(in_syria)
assert map_path.is_file() and table_path.is_file() and map_path.parent == WORK
assert (DATASET == "UCDP GED Syria 2016") == (SHARED is not None)
""",
}


def _files(folder: Path) -> dict[str, float]:
    """Every file of the checkout outside the virtual environment and caches, with its modification time."""
    skip = {".venv", ".git", "__pycache__", ".pytest_cache", ".hypothesis", "syriamap.egg-info"}
    found = {}
    for base, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d not in skip]
        for name in files:
            path = Path(base, name)
            found[str(path.relative_to(folder))] = path.stat().st_mtime
    return found


def _execute(path: Path, cwd: Path):
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(CHECKS[path.name]))
    client = nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                                     resources={"metadata": {"path": str(cwd)}})
    start = time.perf_counter()
    client.execute()  # raises CellExecutionError, with the cell and traceback, on any error
    return nb, time.perf_counter() - start


def _outputs(nb) -> list[dict]:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def _assert_clean(nb) -> None:
    """No error and nothing on stderr (the red boxes: warnings, logged messages)."""
    outputs = _outputs(nb)
    assert not [o for o in outputs if o.get("output_type") == "error"]
    stderr = [o.get("text", "") for o in outputs if o.get("output_type") == "stream" and o.get("name") == "stderr"]
    assert not stderr, stderr
    texts = [o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in outputs]
    assert not [t for t in texts if "Warning" in t], "a warning reached the output"


def _inline_maps(nb) -> list[str]:
    """The pages of the maps a notebook displayed: the ``srcdoc`` of each map's iframe, unescaped."""
    pages = []
    for output in _outputs(nb):
        shown = output.get("data", {}).get("text/html", "")
        pages += [html.unescape(doc) for doc in re.findall(r'<iframe srcdoc="([^"]*)"', shown)]
    return [page for page in pages if "L.map(" in page]


def _assert_offline_maps(nb) -> None:
    """Each map cell shows its map inline with Leaflet inlined: no script or style is fetched from a CDN."""
    pages = _inline_maps(nb)
    assert pages, "no map rendered inline (show the map with syriamap.maps.show(m))"
    for page in pages:
        assert "/* leaflet.js */" in page and "/* leaflet.css */" in page, "Leaflet is not inlined"
        remote = re.findall(r'<(?:script[^>]*\ssrc|link[^>]*\shref)\s*=\s*["\']?(?:https?:)?//', page)
        assert not remote, f"the map loads {len(remote)} scripts or styles from the network"


def test_the_three_notebooks():
    assert [p.name for p in NOTEBOOKS] == ["01-quickstart.ipynb", "02-gazetteer.ipynb", "03-analysis.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code), \
        f"{path.name}: strip the outputs before committing"
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")


@pytest.mark.slow
@pytest.mark.timeout(NOTEBOOK_BOUND + 60)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom(path):
    before = _files(ROOT)
    nb, seconds = _execute(path, NOTEBOOK_DIR)
    _assert_clean(nb)
    assert seconds < NOTEBOOK_BOUND, f"{path.name} took {seconds:.0f} s"
    assert _files(ROOT) == before, "the notebook wrote into the repository"
    kinds = {kind for o in _outputs(nb) for kind in o.get("data", {})}
    if path.name in ("01-quickstart.ipynb", "03-analysis.ipynb"):
        _assert_offline_maps(nb)
    if path.name == "01-quickstart.ipynb":
        assert "application/vnd.jupyter.widget-view+json" in kinds, "the progress bar is a widget"
    if path.name == "03-analysis.ipynb":
        assert "image/png" in kinds, "the matplotlib charts render"


@pytest.mark.slow
@pytest.mark.timeout(NOTEBOOK_BOUND + 60)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_without_shared_data(path, tmp_path):
    """Where ../shared is absent (a user's own checkout) the notebooks still run, on our own data."""
    checkout = tmp_path / "checkout"
    (checkout / "notebooks").mkdir(parents=True)
    (checkout / "pyproject.toml").write_text("", encoding="utf-8")
    shutil.copy(path, checkout / "notebooks" / path.name)
    assert not (tmp_path / "shared").exists()
    nb, _ = _execute(checkout / "notebooks" / path.name, checkout / "notebooks")
    _assert_clean(nb)
    text = "\n".join(o.get("text", "") for o in _outputs(nb))
    assert "third-party data: not found" in text
