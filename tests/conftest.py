"""Shared test fixtures.

Third-party data lives in ``../shared`` beside the repository (never copied into
it).  Every test that reads it goes through :func:`shared_data`, which skips with
a clear reason where the folder is absent.
"""
from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
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
