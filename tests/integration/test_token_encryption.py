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
from adapters.secret_key import KeySource, SealedToken, SecretKeySettingError, TokenCipher, TokensUnreadable
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
    def test_the_default_key_file_is_created_0600_in_a_0700_data_folder_whatever_the_umask(
            self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        from adapters.secret_key import default_key_file

        monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))  # platformdirs' data folder on Linux
        key_file = default_key_file()
        assert key_file.parent == tmp_path / "xdg" / "tiktok-oms"
        old = os.umask(0o000)
        try:
            cipher = cipher_of(key_file)
            assert not key_file.exists()  # no key until a token is stored
            cipher.encrypt("first")
        finally:
            os.umask(old)

        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
        [key] = key_file.read_text().split()
        assert Fernet(key).decrypt(cipher.encrypt("tok").encode()) == b"tok"
        assert cipher_of(key_file).decrypt(cipher.encrypt("tok")) == "tok"  # read again, not replaced

    def test_a_malformed_key_names_the_setting(self) -> None:
        with pytest.raises(SecretKeySettingError, match="TIKTOK_OMS_SECRET_KEY is not a Fernet key"):
            cipher_of(env="not-a-key")

    def test_a_configured_key_file_whose_folder_does_not_exist_is_refused_and_nothing_is_created(
            self, tmp_path: Path) -> None:
        typo = tmp_path / "nonexistent" / "x.key"
        cipher = cipher_of(typo)

        with pytest.raises(SecretKeySettingError, match=r"the folder .*nonexistent of TIKTOK_OMS_SECRET_KEY_FILE="):
            cipher.encrypt("tok")
        assert not typo.parent.exists()

    def test_a_configured_key_file_in_an_existing_folder_is_created(self, tmp_path: Path) -> None:
        key_file = tmp_path / "x.key"
        cipher_of(key_file).encrypt("tok")
        assert len(key_file.read_text().split()) == 1

    def test_the_cli_refuses_a_typo_in_the_key_file_setting_with_exit_2(self, tmp_path: Path) -> None:
        url = f"sqlite:///{tmp_path / 'oms.sqlite'}"
        typo = tmp_path / "nonexistent" / "x.key"

        result = sql_cli(url, tmp_path, TIKTOK_OMS_SECRET_KEY_FILE=str(typo))("keys", "rotate")

        assert result.exit_code == 2, result.output
        assert result.stderr.count("\n") == 1 and "TIKTOK_OMS_SECRET_KEY_FILE" in result.stderr
        assert "Traceback" not in result.output
        assert not typo.parent.exists()

    def test_a_malformed_key_in_the_environment_is_a_configuration_error_exit_2(self, tmp_path: Path) -> None:
        url = f"sqlite:///{tmp_path / 'oms.sqlite'}"

        result = sql_cli(url, tmp_path, TIKTOK_OMS_SECRET_KEY="garbage")("orders", "sync", STORE)

        assert result.exit_code == 2, result.output
        assert result.stderr.startswith("error: key 1 in TIKTOK_OMS_SECRET_KEY is not a Fernet key")
        assert result.stderr.count("\n") == 1 and "garbage" not in result.stderr


class TestMissingKeyFile:
    def test_a_missing_key_file_is_not_replaced_while_the_database_holds_tokens(self, mapped: None,
                                                                                 tmp_path: Path) -> None:
        url = f"sqlite:///{tmp_path / 'oms.sqlite'}"
        key_file = tmp_path / "secret.key"
        engine = make_engine(url, cipher=cipher_of(key_file))
        save_store(engine, a_connected_store(name=STORE))
        before = raw_tokens(engine)
        engine.dispose()
        key_file.unlink()  # lost, moved, or TIKTOK_OMS_SECRET_KEY_FILE now points elsewhere
        cli = sql_cli(url, tmp_path)
        synced, sent = sync_with_tiktok_watched(url, secret_key_file=key_file)

        for args, result in ((("orders", "sync"), synced), *((args, cli(*args)) for args in
                                                              (("keys", "rotate"), ("keys", "rotate", "--forget-old")))):
            assert result.exit_code == 2, (args, result.output)
            assert result.stderr.count("\n") == 1, result.stderr
            assert f"the secret key file {key_file} is missing, but this database holds TikTok tokens" in result.stderr
            assert "restore the key file" in result.stderr and "tiktok-oms keys new" in result.stderr
            assert not key_file.exists()
        assert sent == []

        renewed = cli("keys", "new")

        assert renewed.exit_code == 0, renewed.output
        assert f"wrote a new key to {key_file}" in renewed.stdout
        assert f"'tiktok-oms stores authorize {STORE}'" in renewed.stdout
        assert len(key_file.read_text().split()) == 1
        again = cli("keys", "new")
        assert again.exit_code == 1 and "exists: nothing was changed" in again.stderr
        resynced, sent = sync_with_tiktok_watched(url, secret_key_file=key_file)
        assert resynced.exit_code == 4 and f"'tiktok-oms stores authorize {STORE}'" in resynced.stderr
        assert sent == []
        after = make_engine(url, cipher=cipher_of(key_file))
        assert raw_tokens(after) == before  # nothing stored is lost: restoring the old key still works
        after.dispose()


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
        with pytest.raises(TokensUnreadable, match="restore the key, or re-authorize the store"):
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
        assert "the 1 older key(s) stay in the key file" in result.stdout
        assert "'tiktok-oms keys rotate --forget-old'" in result.stdout
        new_key, kept = key_file.read_text().split()
        assert kept == old_key and new_key != old_key and stat.S_IMODE(key_file.stat().st_mode) == 0o600
        after = make_engine(url, cipher=cipher_of(key_file))
        for value in raw_tokens(after):
            assert value is not None
            with pytest.raises(InvalidToken):
                Fernet(old_key).decrypt(value.encode())
        assert load_connection(after) == connection
        after.dispose()

        forgot = sql_cli(url, tmp_path)("keys", "rotate", "--forget-old")

        assert forgot.exit_code == 0, forgot.output
        assert "dropped 1 older key(s)" in forgot.stdout
        assert key_file.read_text().split() == [new_key]
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        again = make_engine(url, cipher=cipher_of(key_file))
        assert load_connection(again) == connection
        again.dispose()
        assert "nothing to forget" in sql_cli(url, tmp_path)("keys", "rotate", "--forget-old").stdout

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


def sync_with_tiktok_watched(url: str, **settings: object) -> tuple[Result, list[httpx.Request]]:
    """`orders sync STORE` through the CLI on `url`, TikTok replaced by a recorder of every request."""
    sent: list[httpx.Request] = []
    values = {"secret_key": "", **settings}
    container = Container(settings=Settings(_env_file=None, database_url=url, api_base_url="https://x.test",  # type: ignore[call-arg]
                                            auth_base_url="https://x.test", app_key="k", **values))
    client = TikTokHttpClient(httpx.Client(transport=httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(500))),  # type: ignore[func-returns-value]
                              app_key="k", app_secret="s", api_base_url="https://x.test", auth_base_url="https://x.test")
    container.tiktok_client.override(providers.Object(client))
    try:
        return CliRunner().invoke(main, ["orders", "sync", STORE], obj=lambda **extra: container), sent
    finally:
        container.engine().dispose()


class TestTwoDatabasesShareOneKeyFile:
    """README's walkthrough database beside the default one, both with secret.key of the data folder."""

    def test_rotating_one_keeps_the_other_readable_until_forget_old(self, mapped: None, tmp_path: Path) -> None:
        key_file = tmp_path / "secret.key"
        urls = {name: f"sqlite:///{tmp_path / name}.sqlite" for name in ("default", "walkthrough")}
        connections = {}
        for name, url in urls.items():
            engine = make_engine(url, cipher=cipher_of(key_file))
            store = a_connected_store(name=STORE)
            connections[name] = store.connection
            save_store(engine, store)
            engine.dispose()
        [first_key] = key_file.read_text().split()

        rotated = sql_cli(urls["walkthrough"], tmp_path)("keys", "rotate")

        assert rotated.exit_code == 0, rotated.output
        assert "stay in the key file for any other database that uses it" in rotated.stdout
        assert key_file.read_text().split()[1:] == [first_key]
        for name, url in urls.items():  # both read their tokens: the old key is still in the file
            engine = make_engine(url, cipher=cipher_of(key_file))
            assert load_connection(engine) == connections[name]
            engine.dispose()

        refused = sql_cli(urls["default"], tmp_path)("keys", "rotate", "--forget-old")
        assert refused.exit_code == 1 and "still have tokens under an older key" in refused.stderr
        assert f"({STORE})" in refused.stderr and "nothing was dropped" in refused.stderr
        assert key_file.read_text().split()[1:] == [first_key]

        forgot = sql_cli(urls["walkthrough"], tmp_path)("keys", "rotate", "--forget-old")

        assert forgot.exit_code == 0, forgot.output
        assert len(key_file.read_text().split()) == 1
        result, sent = sync_with_tiktok_watched(urls["default"], secret_key_file=key_file)
        assert result.exit_code == 4, result.output
        assert result.stderr.count("\n") == 1
        assert f"store '{STORE}': its saved TikTok tokens cannot be decrypted with the secret key from {key_file}" \
            in result.stderr
        assert f"'tiktok-oms stores authorize {STORE}'" in result.stderr and "NAME" not in result.stderr
        assert sent == []

    def test_rotating_each_database_then_forgetting_keeps_both_readable(self, mapped: None, tmp_path: Path) -> None:
        key_file = tmp_path / "secret.key"
        urls = [f"sqlite:///{tmp_path / name}.sqlite" for name in ("default", "walkthrough")]
        for url in urls:
            engine = make_engine(url, cipher=cipher_of(key_file))
            save_store(engine, a_connected_store(name=STORE))
            engine.dispose()

        first = sql_cli(urls[0], tmp_path)("keys", "rotate")
        second = sql_cli(urls[1], tmp_path)("keys", "rotate")  # the rotation under way: no newer key
        forgot = sql_cli(urls[1], tmp_path)("keys", "rotate", "--forget-old")

        assert first.exit_code == second.exit_code == forgot.exit_code == 0, (first.output, second.output, forgot.output)
        assert "no new key: the rotation it started is not finished" in second.stdout
        [newest] = key_file.read_text().split()
        for url in urls:
            engine = make_engine(url, cipher=cipher_of(key_file))
            for value in raw_tokens(engine):
                assert value is not None
                Fernet(newest).decrypt(value.encode())
            engine.dispose()


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

        assert result.exit_code == 4, result.output  # README: the store must be authorized again
        assert result.stderr.count("\n") == 1
        assert f"store '{STORE}': its saved TikTok tokens cannot be decrypted with the secret key from " \
            "TIKTOK_OMS_SECRET_KEY" in result.stderr
        assert "restore the key" in result.stderr and f"'tiktok-oms stores authorize {STORE}'" in result.stderr
        assert "NAME" not in result.stderr
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
