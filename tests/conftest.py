"""Shared fixtures."""

from pathlib import Path

import pytest

from siting.paths import REPO_ROOT

RAW = REPO_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    """The raw public extracts (../shared/data); tests needing them skip when absent."""
    if not (RAW / "PROVENANCE.md").is_file():
        pytest.skip("raw extracts ../shared/data absent: cannot check against raw sources")
    return RAW
