"""End-to-end tests: the installed `tiktok-oms` console script, run as separate processes."""

import os
import sys
from pathlib import Path

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: runs the installed tiktok-oms console script as separate processes")
    config.addinivalue_line("markers", "incremental: the class's tests are the steps of one story, in order")


# A story's steps: once one fails, the later ones are reported as not run (xfail), not as failures.


def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> None:
    if "incremental" in item.keywords and call.excinfo is not None and call.when == "call":
        if not call.excinfo.errisinstance((pytest.skip.Exception, pytest.xfail.Exception)):
            item.parent._failed_step = item.name  # type: ignore[union-attr]


def pytest_runtest_setup(item: pytest.Item) -> None:
    if "incremental" in item.keywords:
        failed = getattr(item.parent, "_failed_step", None)
        if failed is not None:
            pytest.xfail(f"an earlier step of the story failed: {failed}")


@pytest.fixture(scope="session")
def oms_script() -> Path:
    """The `tiktok-oms` that `pip install -e .` put beside this interpreter."""
    script = Path(sys.executable).parent / ("tiktok-oms.exe" if os.name == "nt" else "tiktok-oms")
    if not script.exists():
        pytest.fail(f"{script} is missing: install the project first (pip install -e '.[test]')", pytrace=False)
    return script
