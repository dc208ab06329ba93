"""Fixtures for the issue-8 application tests: a World (the OMS in memory, reaching TikTok's
simulator through the production HTTP client and gateway over the in-process transport) and
the recorded cases of /work/shared/cases."""

import json
from pathlib import Path
from typing import Any

import pytest

from tests.application.world import World

CASES = Path(__file__).parents[1] / "fixtures" / "cases"  # /work/shared/cases, unchanged


def case(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((CASES / name).read_text())
    return data


@pytest.fixture
def any_world() -> World:
    return World()
