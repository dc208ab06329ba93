import pytest

from tests.application.world import World


@pytest.fixture
def world() -> World:
    return World()
