"""Shared test fixtures.

Third-party data lives in ``../shared`` beside the repository (never copied into
it).  Every test that reads it goes through :func:`shared_data`, which skips with
a clear reason where the folder is absent.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
#: Debian's Chromium, installed by .ci/run; Playwright drives it (it never downloads a browser).
CHROMIUM = Path("/usr/bin/chromium")
#: Without the background-networking flags Chromium keeps dialling out on a machine with no network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
SHARED = REPO_ROOT.parent / "shared"


def _shared_folder(name: str) -> Path:
    folder = SHARED / name
    if not folder.is_dir():
        pytest.skip(f"third-party test data not found at {folder} (expected ../shared beside the repo)")
    return folder


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path of ``../shared/data``; skips the test where it is not present."""
    return _shared_folder("data")


@pytest.fixture(scope="session")
def shared_seeds() -> Path:
    """Path of ``../shared/seeds``; skips the test where it is not present."""
    return _shared_folder("seeds")


@pytest.fixture(scope="session")
def ucdp_2016(shared_data: Path) -> Path:
    """The UCDP GED Syria 2016 file."""
    path = shared_data / "ucdp" / "ucdp-ged-syria-2016.csv"
    if not path.is_file():
        pytest.skip(f"{path} is missing")
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium through Playwright, one per test module; skips with the reason where absent."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


#: Schemes an offline map page may load; anything else is aborted, so a page that needs the network shows it.
LOCAL_SCHEMES = ("file:", "data:", "blob:")


def _open_offline_page(browser: Any, path: Path, *, viewport: tuple[int, int] = (1280, 900),
                       until: str = "data", settle_ms: int = 300, **context_options: Any) -> tuple[Any, Any, list[str]]:
    """Open a saved map page in a new browser context with the network cut off.

    Waits until the first event set has its positions (``until="data"``) or its
    popup columns too (``until="complete"``), then ``settle_ms``.  Returns the
    context (close it), the page and the list that collects the page's errors.
    """
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, **context_options)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(LOCAL_SCHEMES) else r.abort())
    page.goto(path.as_uri())
    ready = "SyriaMap.sets[0].complete" if until == "complete" else "SyriaMap.sets[0].data !== null"
    page.wait_for_function(f"window.SyriaMap && SyriaMap.sets.length && {ready}", timeout=60000)
    if settle_ms:
        page.wait_for_timeout(settle_ms)
    return context, page, errors


@pytest.fixture(scope="session")
def open_offline_page() -> Any:
    """``open_offline_page(browser, path, ...)``: see :func:`_open_offline_page` (usable from module fixtures)."""
    return _open_offline_page
