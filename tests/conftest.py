from collections.abc import Iterator

import pytest

from tests.databases import Databases


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    """Fresh SQLite files and PostgreSQL databases, for every suite that runs on SQL."""
    found = Databases(tmp_path_factory.mktemp("databases"))
    yield found
    found.close()
