"""S-6: the stores' TikTok tokens are Fernet-encrypted at rest, the key file is private, keys rotate,
a wrong or missing key is one clear line and nothing is sent to TikTok; migration 0010 encrypts
the tokens stored before it."""

import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result
from cryptography.fernet import Fernet, InvalidToken
from dependency_injector import providers
from sqlalchemy import Engine, text
from sqlalchemy.orm import sessionmaker

from adapters.cli import main
from adapters.container import Container
from adapters.persistence.engine import make_engine, make_session_factory
from adapters.persistence.mapping import map_tables, unmap_tables
from adapters.persistence.migrations import downgrade, upgrade
from adapters.persistence.unit_of_work import SqlAlchemyUnitOfWork
from adapters.secret_key import KeySource, SealedToken, TokenCipher, TokensUnreadable
from adapters.settings import Settings
from adapters.tiktok.client import TikTokHttpClient
from domain.stores import Connection, Store
from tests.builders import a_connected_store
from tests.databases import SQL_DIALECTS, Databases

pytestmark = [pytest.mark.integration]

STORE = "Encrypted Shop"


@pytest.fixture
def mapped() -> Iterator[None]:
    map_tables()
    yield
    unmap_tables()


@pytest.fixture(params=SQL_DIALECTS)
def url(request: pytest.FixtureRequest, databases: Databases) -> Iterator[str]:
    with databases.fresh(request.param) as found:
        yield found


def cipher_of(key_file: Path | None = None, env: str | None = None) -> TokenCipher:
    return TokenCipher(KeySource(env, key_file or Path("/nonexistent/secret.key")))


def save_store(engine: Engine, store: Store) -> None:
    uow = SqlAlchemyUnitOfWork(make_session_factory(engine))
    with uow:
        uow.session.add(store)
        uow.commit()


def load_connection(engine: Engine, name: str = STORE) -> Connection | None:
    uow = SqlAlchemyUnitOfWork(make_session_factory(engine))
    with uow:
        found = uow.stores.by_name(name)
        assert found is not None
        return found.connection


def raw_tokens(engine: Engine) -> tuple[str | None, str | None]:
    with engine.connect() as connection:
        row = connection.execute(text("SELECT access_token, refresh_token FROM stores")).one()
    return row[0], row[1]


class TestAtRest:
    def test_the_columns_hold_neither_token_and_only_the_key_decrypts_them(self, url: str, mapped: None,
                                                                          tmp_path: Path) -> None:
        key = Fernet.generate_key().decode()
        engine = make_engine(url, cipher=cipher_of(env=key))
        store = a_connected_store(name=STORE)
        connection = store.connection
        assert connection is not None
        save_store(engine, store)

        stored = raw_tokens(engine)

        for value, token in zip(stored, (connection.access_token, connection.refresh_token)):
            assert value is not None and token not in value and token.encode().hex() not in value
            assert Fernet(key).decrypt(value.encode()).decode() == token
            with pytest.raises(InvalidToken):
                Fernet(Fernet.generate_key()).decrypt(value.encode())
        assert load_connection(engine) == connection
        engine.dispose()

    def test_disconnecting_deletes_the_tokens(self, url: str, mapped: None) -> None:
        engine = make_engine(url, cipher=cipher_of(env=Fernet.generate_key().decode()))
        save_store(engine, a_connected_store(name=STORE))
        uow = SqlAlchemyUnitOfWork(make_session_factory(engine))
        with uow:
            found = uow.stores.by_name(STORE)
            assert found is not None
            found.disconnect()
            uow.commit()

        assert raw_tokens(engine) == (None, None)
        engine.dispose()


class TestKeyFile:
    def test_a_missing_key_file_is_created_0600_in_a_0700_folder_whatever_the_umask(self, tmp_path: Path) -> None:
        key_file = tmp_path / "data" / "secret.key"
        old = os.umask(0o000)
        try:
            cipher = cipher_of(key_file)
        finally:
            os.umask(old)

        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
        [key] = key_file.read_text().split()
        assert Fernet(key).decrypt(cipher.encrypt("tok").encode()) == b"tok"
        assert cipher_of(key_file).decrypt(cipher.encrypt("tok")) == "tok"  # read again, not replaced

    def test_a_malformed_key_names_the_setting(self) -> None:
        with pytest.raises(Exception, match="TIKTOK_OMS_SECRET_KEY is not a Fernet key"):
            cipher_of(env="not-a-key")


class TestWrongKey:
    def test_a_wrong_key_reads_a_sealed_token_that_is_never_sent_and_written_back_unchanged(
            self, url: str, mapped: None) -> None:
        right = make_engine(url, cipher=cipher_of(env=Fernet.generate_key().decode()))
        save_store(right, a_connected_store(name=STORE))
        before = raw_tokens(right)
        right.dispose()
        wrong = make_engine(url, cipher=cipher_of(env=Fernet.generate_key().decode()))

        sealed = load_connection(wrong)  # the store still loads: it can be listed and re-authorized
        assert sealed is not None
        assert isinstance(sealed.access_token, SealedToken) and sealed.access_token == ""
        sent: list[httpx.Request] = []
        client = TikTokHttpClient(httpx.Client(transport=httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(200))),  # type: ignore[func-returns-value]
                                  app_key="k", app_secret="s", api_base_url="https://x.test", auth_base_url="https://x.test")
        with pytest.raises(TokensUnreadable, match="re-authorize the store .* or restore the key"):
            client.call("GET", "/order/202309/orders", access_token=sealed.access_token)
        with pytest.raises(TokensUnreadable):
            client.refresh_token(sealed.refresh_token)
        assert sent == []

        uow = SqlAlchemyUnitOfWork(make_session_factory(wrong))
        with uow:
            found = uow.stores.by_name(STORE)
            assert found is not None and found.connection is not None
            found.connection = replace(found.connection, shop_name="Renamed by TikTok")  # every column rewritten
            uow.commit()
        assert raw_tokens(wrong) == before  # nothing stored is lost
        wrong.dispose()


def sql_cli(url: str, tmp_path: Path, **env: str) -> Callable[..., Result]:
    runner = CliRunner()
    environment = {"TIKTOK_OMS_DATABASE_URL": url, "TIKTOK_OMS_SECRET_KEY_FILE": str(tmp_path / "secret.key"),
                   "TIKTOK_OMS_SECRET_KEY": "", **env}

    def invoke(*args: str) -> Result:
        return runner.invoke(main, list(args), env=environment)

    return invoke


class TestRotate:
    def test_keys_rotate_re_encrypts_every_token_under_a_new_key_file(self, url: str, mapped: None,
                                                                     tmp_path: Path) -> None:
        key_file = tmp_path / "secret.key"
        engine = make_engine(url, cipher=cipher_of(key_file))
        store = a_connected_store(name=STORE)
        connection = store.connection
        save_store(engine, store)
        old_key = key_file.read_text().strip()
        engine.dispose()

        result = sql_cli(url, tmp_path)("keys", "rotate")

        assert result.exit_code == 0, result.output
        assert "re-encrypted 2 token(s) of 1 store(s) under a new key" in result.stdout
        [new_key] = key_file.read_text().split()
        assert new_key != old_key and stat.S_IMODE(key_file.stat().st_mode) == 0o600
        after = make_engine(url, cipher=cipher_of(key_file))
        for value in raw_tokens(after):
            assert value is not None
            with pytest.raises(InvalidToken):
                Fernet(old_key).decrypt(value.encode())
        assert load_connection(after) == connection
        after.dispose()

    def test_with_the_environment_variable_the_new_key_goes_first(self, url: str, mapped: None,
                                                                 tmp_path: Path) -> None:
        old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
        engine = make_engine(url, cipher=cipher_of(env=old))
        store = a_connected_store(name=STORE)
        connection = store.connection
        save_store(engine, store)
        engine.dispose()

        alone = sql_cli(url, tmp_path, TIKTOK_OMS_SECRET_KEY=old)("keys", "rotate")
        assert alone.exit_code == 1 and alone.stderr.startswith("error: TIKTOK_OMS_SECRET_KEY holds one key")
        assert old not in alone.stderr

        rotated = sql_cli(url, tmp_path, TIKTOK_OMS_SECRET_KEY=f"{new},{old}")("keys", "rotate")

        assert rotated.exit_code == 0, rotated.output
        assert new not in rotated.stdout and old not in rotated.stdout
        only_new = make_engine(url, cipher=cipher_of(env=new))
        assert load_connection(only_new) == connection
        only_new.dispose()


class TestCommandWithTheWrongKey:
    def test_a_sync_with_the_wrong_key_is_one_line_and_sends_nothing(self, url: str, mapped: None,
                                                                    tmp_path: Path) -> None:
        engine = make_engine(url, cipher=cipher_of(env=Fernet.generate_key().decode()))
        save_store(engine, a_connected_store(name=STORE))
        engine.dispose()
        sent: list[httpx.Request] = []
        settings = Settings(_env_file=None, database_url=url,  # type: ignore[call-arg]
                            secret_key=Fernet.generate_key().decode(), api_base_url="https://x.test",
                            auth_base_url="https://x.test", app_key="k")
        container = Container(settings=settings)
        client = TikTokHttpClient(httpx.Client(transport=httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(500))),  # type: ignore[func-returns-value]
                                  app_key="k", app_secret="s", api_base_url="https://x.test", auth_base_url="https://x.test")
        container.tiktok_client.override(providers.Object(client))

        result = CliRunner().invoke(main, ["orders", "sync", STORE], obj=lambda **extra: container)

        assert result.exit_code == 1
        assert result.stderr.count("\n") == 1
        assert "cannot be decrypted with the secret key from TIKTOK_OMS_SECRET_KEY" in result.stderr
        assert "re-authorize the store" in result.stderr and "restore the key" in result.stderr
        assert sent == []
        container.engine().dispose()


class TestMigration:
    @pytest.mark.parametrize("dialect", SQL_DIALECTS)
    def test_0010_encrypts_the_plaintext_tokens_and_its_downgrade_decrypts_them(
            self, databases: Databases, dialect: str, monkeypatch: pytest.MonkeyPatch) -> None:
        import adapters.secret_key as secret_key

        key = Fernet.generate_key().decode()
        monkeypatch.setenv("TIKTOK_OMS_SECRET_KEY", key)
        monkeypatch.setattr(secret_key, "_default", None)  # `db upgrade` resolves the key as the OMS does
        with databases.fresh(dialect, migrated=False) as url:
            from alembic import command

            from adapters.persistence.migrations import _at

            _at(url, command.upgrade, "0009")
            engine = make_engine(url, migrate=False)
            with engine.begin() as connection:
                connection.execute(text(
                    "INSERT INTO stores (id, name, region, currency, status, fbt_enabled, access_token, refresh_token) "
                    "VALUES ('s1', 'Old Shop', 'US', 'USD', 'connected', false, 'TTP_plain_access', 'TTP_plain_refresh'),"
                    " ('s2', 'Never Connected', 'US', 'USD', 'disconnected', false, NULL, NULL)"))

            upgrade(url)

            with engine.connect() as connection:
                rows = dict(connection.execute(text("SELECT id, access_token FROM stores")).all())
                refresh = connection.execute(text("SELECT refresh_token FROM stores WHERE id = 's1'")).scalar_one()
            assert rows["s2"] is None
            assert "plain" not in rows["s1"] and "plain" not in refresh
            assert Fernet(key).decrypt(rows["s1"].encode()) == b"TTP_plain_access"
            assert Fernet(key).decrypt(refresh.encode()) == b"TTP_plain_refresh"

            downgrade(url, "0009")

            with engine.connect() as connection:
                back = connection.execute(text("SELECT access_token, refresh_token FROM stores WHERE id = 's1'")).one()
            assert tuple(back) == ("TTP_plain_access", "TTP_plain_refresh")
            engine.dispose()


def test_a_job_that_cannot_read_its_stores_tokens_is_not_retried() -> None:
    from adapters.jobs.outcomes import is_permanent

    assert is_permanent(TokensUnreadable("TIKTOK_OMS_SECRET_KEY"))
