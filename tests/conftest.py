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
