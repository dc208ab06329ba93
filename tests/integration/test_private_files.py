"""Issue 9 item 7: the data folder is private (0700) and the SQLite file with its -wal/-shm 0600,
whatever the umask; an existing file others can read gets a warning."""

import logging
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from adapters.persistence.engine import make_engine

pytestmark = pytest.mark.integration


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(params=[0o000, 0o022, 0o002], ids=["umask-000", "umask-022", "umask-002"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    before = os.umask(request.param)
    yield request.param
    os.umask(before)


def test_a_new_database_lives_in_a_0700_folder_as_0600_files_whatever_the_umask(tmp_path: Path, umask: int) -> None:
    path = tmp_path / "home" / "data" / "tiktok-oms" / "tiktok-oms.sqlite"

    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:  # a write, so that SQLite makes its -wal and -shm files
        connection.execute(text("CREATE TABLE probe (x INTEGER)"))
        wal = path.with_name(path.name + "-wal")
        shm = path.with_name(path.name + "-shm")
        assert wal.exists() and shm.exists()
        modes = {p.name: mode(p) for p in (path, wal, shm)}
    engine.dispose()

    assert mode(path.parent) == 0o700
    assert modes == {path.name: 0o600, wal.name: 0o600, shm.name: 0o600}


def test_an_existing_world_readable_database_file_gets_a_warning_naming_the_fix(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "oms.sqlite"
    make_engine(f"sqlite:///{path}").dispose()
    path.chmod(0o644)

    with caplog.at_level(logging.WARNING, logger="tiktok_oms.storage"):
        make_engine(f"sqlite:///{path}").dispose()

    warned = [r.getMessage() for r in caplog.records if r.name == "tiktok_oms.storage"]
    assert len(warned) == 1 and f"chmod 600 {path}" in warned[0] and "other users" in warned[0]
    assert mode(path) == 0o644  # the seller's file: told, not changed behind their back


def test_a_private_existing_database_file_gets_no_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "oms.sqlite"
    make_engine(f"sqlite:///{path}").dispose()

    with caplog.at_level(logging.WARNING, logger="tiktok_oms.storage"):
        make_engine(f"sqlite:///{path}").dispose()

    assert [r for r in caplog.records if r.name == "tiktok_oms.storage"] == []


def test_an_existing_folder_keeps_its_mode(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)

    make_engine(f"sqlite:///{shared / 'oms.sqlite'}").dispose()

    assert mode(shared) == 0o755 and mode(shared / "oms.sqlite") == 0o600


def test_the_cli_warns_on_stderr_about_a_world_readable_database_file(tmp_path: Path) -> None:
    path = tmp_path / "oms.sqlite"
    make_engine(f"sqlite:///{path}").dispose()
    path.chmod(0o604)
    script = Path(sys.executable).parent / "tiktok-oms"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIKTOK_")}

    result = subprocess.run([str(script), "--database-url", f"sqlite:///{path}", "stores", "list", "--json"],
                            capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path)

    assert result.returncode == 0 and result.stdout.strip() == "[]"
    assert f"chmod 600 {path}" in result.stderr and len(result.stderr.strip().splitlines()) == 1
