from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner, Result

from adapters.cli import main
from adapters.clock import FixedClock
from adapters.container import Container
from adapters.settings import Settings

T0 = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.fixture
def container() -> Iterator[Container]:
    c = Container(settings=Settings(_env_file=None, in_memory=True))
    with c.clock.override(FixedClock(T0)):
        c.tiktok_model().add_shop("CLI Shop", region="US")
        yield c


@pytest.fixture
def cli(container: Container) -> Callable[..., Result]:
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(main, list(args), obj=lambda **extra: container)

    return invoke
