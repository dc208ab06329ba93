"""End-to-end tests: the installed `tiktok-oms` console script, run as separate processes."""

import os
import sys
from pathlib import Path

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: runs the installed tiktok-oms console script as separate processes")


@pytest.fixture(scope="session")
def oms_script() -> Path:
    """The `tiktok-oms` that `pip install -e .` put beside this interpreter."""
    script = Path(sys.executable).parent / ("tiktok-oms.exe" if os.name == "nt" else "tiktok-oms")
    if not script.exists():
        pytest.fail(f"{script} is missing: install the project first (pip install -e '.[test]')", pytrace=False)
    return script
