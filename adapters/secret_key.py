"""The key that encrypts the stores' TikTok tokens at rest (STACK.md S-6), and its rotation.

Keys are Fernet keys (cryptography: AES-128-CBC + HMAC-SHA256, 32 url-safe base64 bytes each).
They come from `TIKTOK_OMS_SECRET_KEY` (one key, or several separated by commas, the first one
current) or else from a key file, one key per line, first current: `TIKTOK_OMS_SECRET_KEY_FILE`,
by default `secret.key` in the data folder (platformdirs), created 0600 when the first token is
stored (only the default file's folder, the data folder, is created, 0700: a typo in
TIKTOK_OMS_SECRET_KEY_FILE is refused). A token is encrypted under the current key and
decrypted under any of them (MultiFernet). Several databases may share one key file (the
default one and the README walkthrough's): `keys rotate` keeps the older keys in it until
`keys rotate --forget-old`.

A missing key file is never replaced by a new key while the database holds tokens encrypted
with one (`SecretKeySettingError`: restore the file, or `tiktok-oms keys new` on purpose).

A stored token no key decrypts (a lost, wrong or missing key) is read as a `SealedToken`: an
empty string that keeps its ciphertext, is written back unchanged, and that the TikTok client
refuses to send (`TokensUnreadable`, one line: restore the key or re-authorize the store).
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from adapters.database_url import ConfigurationError
from application.errors import ApplicationError, TokensUnreadable

__all__ = ["SecretKeyError", "SecretKeySettingError", "TokensUnreadable", "SealedToken", "KeySource", "TokenCipher",
           "rotate", "forget_old", "new_key", "default_key_file", "generate_key", "write_key_file", "is_encrypted"]

if TYPE_CHECKING:
    from cryptography.fernet import MultiFernet
    from sqlalchemy import Connection, Engine

    from adapters.settings import Settings

ENV = "TIKTOK_OMS_SECRET_KEY"
KEY_FILE_ENV = "TIKTOK_OMS_SECRET_KEY_FILE"
KEY_FILE_NAME = "secret.key"
PRIVATE_FOLDER, PRIVATE_FILE = 0o700, 0o600
_FERNET_PREFIX = "gAAAAA"  # every Fernet token: version byte 0x80 and a 64-bit timestamp, base64


class SecretKeyError(ApplicationError):
    """The secret key's file cannot be read or written (exit 1)."""


class SecretKeySettingError(SecretKeyError, ConfigurationError):
    """The key setting cannot be used (exit 2, like every bad setting): a malformed key, a
    TIKTOK_OMS_SECRET_KEY_FILE whose folder does not exist, or a missing key file while the
    database holds tokens encrypted with a key."""


def missing_key_file(path: Path) -> SecretKeySettingError:
    return SecretKeySettingError(
        f"the secret key file {path} is missing, but this database holds TikTok tokens encrypted with a key: "
        f"restore the key file (or set {KEY_FILE_ENV} or {ENV} to the key), or run 'tiktok-oms keys new' "
        "to start a new key (every connected store must then be authorized again)"
    )


class SealedToken(str):
    """A stored token that no configured key decrypts: reads as "", keeps its ciphertext."""

    ciphertext: str
    source: str

    def __new__(cls, ciphertext: str, source: str) -> SealedToken:
        token = super().__new__(cls, "")
        token.ciphertext, token.source = ciphertext, source
        return token

    def __repr__(self) -> str:
        return "SealedToken(<undecryptable>)"


def default_key_file() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("tiktok-oms", appauthor=False)) / KEY_FILE_NAME


def generate_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode("ascii")


@dataclass(frozen=True)
class KeySource:
    """Where the keys come from: the environment variable's value, else the key file."""

    env_value: str | None
    key_file: Path

    @classmethod
    def from_settings(cls, settings: Settings) -> KeySource:
        value = settings.secret_key.get_secret_value() if settings.secret_key is not None else None
        key_file = settings.secret_key_file.expanduser() if settings.secret_key_file else default_key_file()
        return cls(value if value and value.strip() else None, key_file)

    @property
    def from_env(self) -> bool:
        return self.env_value is not None

    def describe(self) -> str:
        return ENV if self.from_env else str(self.key_file)

    def keys(self, *, create: bool = True) -> list[str]:
        """The keys, current first. A missing key file is created (one new key) when `create`,
        else `SecretKeyError`. Raises `SecretKeySettingError` for a malformed key or a configured
        key file whose folder does not exist."""
        found = self.stored_keys()
        if found is None:
            if not create:
                raise SecretKeyError(f"no secret key: {self.key_file} does not exist and {ENV} is not set")
            found = self.create()
        return found

    def stored_keys(self) -> list[str] | None:
        """The keys, current first, or None when the key file does not exist (nothing is created)."""
        if self.env_value is not None:
            return _parse(self.env_value.split(","), ENV)
        try:
            text = self.key_file.read_text(encoding="ascii")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise SecretKeyError(f"cannot read the secret key file {self.key_file}: {exc}") from None
        _warn_if_shared(self.key_file)
        return _parse(text.splitlines(), str(self.key_file))

    def create(self) -> list[str]:
        """Write a key file with one new key, unless another process just did (theirs is kept);
        its keys. Only the default key file's folder (the data folder) is created: a configured
        one whose folder does not exist is a typo (`SecretKeySettingError`, naming the setting)."""
        folder = self.key_file.parent
        if not folder.is_dir() and self.key_file != default_key_file():
            raise SecretKeySettingError(
                f"the folder {folder} of {KEY_FILE_ENV}={self.key_file} does not exist: check the path, "
                "or create the folder first"
            )
        write_key_file(self.key_file, [generate_key()], exclusive=True)
        found = self.stored_keys()
        if found is None:
            raise SecretKeyError(f"cannot write the secret key file {self.key_file}: it vanished after writing")
        return found


def _parse(parts: Sequence[str], where: str) -> list[str]:
    from cryptography.fernet import Fernet

    keys = [part.strip() for part in parts if part.strip()]
    if not keys:
        raise SecretKeyError(f"{where} holds no key")
    for number, key in enumerate(keys, 1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise SecretKeySettingError(
                f"key {number} in {where} is not a Fernet key (32 url-safe base64-encoded bytes, "
                "as made by cryptography's Fernet.generate_key())"
            ) from None
    return keys


def write_key_file(path: Path, keys: Sequence[str], *, exclusive: bool = False) -> None:
    """Write `keys` (current first) to `path`, 0600 in a 0700 folder, atomically.

    `exclusive`: only if no file is there yet (two processes starting at once keep one key).
    Raises `SecretKeyError` when the folder or file cannot be written.
    """
    folder = path.parent
    try:
        if not folder.exists():
            folder.parent.mkdir(parents=True, exist_ok=True)
            folder.mkdir(mode=PRIVATE_FOLDER, exist_ok=True)
            os.chmod(folder, PRIVATE_FOLDER)  # mkdir's mode is masked by the umask
        temporary = folder / f".{path.name}.{secrets.token_hex(6)}"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
        try:
            os.fchmod(fd, PRIVATE_FILE)
            os.write(fd, ("\n".join(keys) + "\n").encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            if exclusive:
                try:
                    os.link(temporary, path)  # fails if another process made it first: theirs wins
                except FileExistsError:
                    pass
            else:
                os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
    except OSError as exc:
        raise SecretKeyError(f"cannot write the secret key file {path}: {exc.strerror or exc}") from None


def _warn_if_shared(path: Path) -> None:
    import logging

    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return
    if mode & 0o077:
        logging.getLogger("tiktok_oms.storage").warning(
            "the secret key file %s decrypts your stores' tokens and other users can access it (mode %o): "
            "run 'chmod 600 %s'", path, mode, path)


class TokenCipher:
    """Encrypts tokens under the current key, decrypts them under any configured key.

    The key file is read when the cipher is made; a missing one is created (one new key) only
    when a token is first encrypted. Reading a stored token while the key file is missing raises
    `SecretKeySettingError` (`missing_key_file`): a new key would never decrypt it. A key file is
    read again once when a token does not decrypt (another process may have rotated the keys
    since this one started).
    """

    def __init__(self, source: KeySource) -> None:
        self.source = source
        self._fernet = self._load()

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenCipher:
        return cls(KeySource.from_settings(settings))

    def _load(self) -> MultiFernet | None:
        keys = self.source.stored_keys()
        return None if keys is None else _multi(keys)

    def encrypt(self, token: str) -> str:
        if isinstance(token, SealedToken):
            return token.ciphertext  # never re-encrypt the empty placeholder: keep what was stored
        if self._fernet is None:
            self._fernet = self._load() or _multi(self.source.create())
        return self._fernet.encrypt(token.encode("utf-8")).decode("ascii")

    def decrypt(self, stored: str) -> str:
        """The token, or a `SealedToken` when no configured key decrypts `stored`.

        Raises `SecretKeySettingError` when the key file is missing (restore it, or `keys new`).
        """
        from cryptography.fernet import InvalidToken

        if self._fernet is None:
            self._fernet = self._load()
            if self._fernet is None:
                raise missing_key_file(self.source.key_file)
        try:
            return self._fernet.decrypt(stored.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError):
            pass
        if not self.source.from_env:
            try:
                reloaded = self._load()
                if reloaded is not None:
                    self._fernet = reloaded
                    return reloaded.decrypt(stored.encode("ascii")).decode("utf-8")
            except (InvalidToken, UnicodeError, SecretKeyError):
                pass
        return SealedToken(stored, self.source.describe())


def _multi(keys: Sequence[str]) -> MultiFernet:
    from cryptography.fernet import Fernet, MultiFernet

    return MultiFernet([Fernet(key) for key in keys])


_default: TokenCipher | None = None


def default_cipher() -> TokenCipher:
    """The process's cipher, from the settings (environment, .env file, defaults), made once."""
    global _default
    if _default is None:
        from adapters.settings import Settings

        _default = TokenCipher.from_settings(Settings())
    return _default


def is_encrypted(stored: str) -> bool:
    return stored.startswith(_FERNET_PREFIX)


@dataclass(frozen=True)
class Rotation:
    stores: int
    tokens: int
    source: KeySource
    message: str


_COLUMNS = ("access_token", "refresh_token")


def _stored_tokens(connection: Connection) -> list[tuple[str, str, dict[str, str]]]:
    """(store id, store name, {column: token as stored}) of every store holding a token."""
    from sqlalchemy import Text, select, type_coerce

    from adapters.persistence.tables import stores

    raw = select(stores.c.id, stores.c.name,
                 *(type_coerce(stores.c[name], Text) for name in _COLUMNS))  # as stored, not decrypted
    found = []
    for store_id, name, *values in connection.execute(raw).all():
        tokens = {column: value for column, value in zip(_COLUMNS, values) if value is not None}
        if tokens:
            found.append((store_id, name, tokens))
    return found


def _file_keys(engine: Engine, source: KeySource) -> tuple[list[str], bool]:
    """The key file's keys, and whether the file was just created: a missing file is created
    (one new key) only when the database holds no token."""
    keys = source.stored_keys()
    if keys is not None:
        return keys, False
    with engine.connect() as connection:
        if _stored_tokens(connection):
            raise missing_key_file(source.key_file)
    return source.create(), True


def rotate(engine: Engine, source: KeySource) -> Rotation:
    """Re-encrypt every token this database stores under a newer key (MultiFernet.rotate).

    Key file: when it holds one key, a new key is generated and written ahead of it; the older
    keys stay in the file after the newest (other databases sharing the key file still read their
    tokens) until `forget_old`. When it already holds older keys (a rotation under way, started
    with another database), no new key is made: this database's tokens move to the newest one.
    The key file is written before the tokens are rotated in one transaction, so a crash at any
    point leaves every token decryptable. Environment: the tokens are rotated to the first key of
    `TIKTOK_OMS_SECRET_KEY`, which must hold the new key first and the old ones after it.
    Raises `SecretKeyError` (one key in the variable, unreadable file), `SecretKeySettingError`
    (key file missing while tokens are stored) or `TokensUnreadable` naming the store (a token no
    configured key decrypts: nothing is changed).
    """
    from cryptography.fernet import InvalidToken
    from sqlalchemy import Text, type_coerce, update

    from adapters.persistence.tables import stores

    made = False
    if source.from_env:
        keys = source.keys()
        if len(keys) < 2:
            raise SecretKeyError(
                f"{ENV} holds one key: put a new key first and the current one after a comma "
                f"({ENV}=NEW,CURRENT; make one with: python -c \"from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())\"), run 'tiktok-oms keys rotate' again, then drop CURRENT"
            )
    else:
        keys, made = _file_keys(engine, source)
        if len(keys) == 1 and not made:  # a key file just made holds a new key already
            keys, made = [generate_key(), *keys], True
            write_key_file(source.key_file, keys)
    fernet = _multi(keys)
    count_stores = count_tokens = 0
    with engine.begin() as connection:
        for store_id, name, tokens in _stored_tokens(connection):
            changes: dict[str, str] = {}
            for column, value in tokens.items():
                try:
                    changes[column] = fernet.rotate(value.encode("ascii")).decode("ascii")
                except (InvalidToken, UnicodeError):
                    raise TokensUnreadable(source.describe(), name) from None
            count_stores += 1
            count_tokens += len(changes)
            connection.execute(update(stores).where(stores.c.id == store_id).values(
                {column: type_coerce(text, Text) for column, text in changes.items()}))
    done = f"re-encrypted {count_tokens} token(s) of {count_stores} store(s)"
    if source.from_env:
        message = f"{done} under the first key of {ENV}; you may now remove the other keys from {ENV}"
    else:
        older = len(keys) - 1
        if not older:
            return Rotation(count_stores, count_tokens, source, f"{done}; wrote a new key to {source.key_file} "
                            "(there was no key file; back it up)")
        start = (f"{done} under a new key, written first in {source.key_file} (back it up)" if made else
                 f"{done} under the newest key of {source.key_file}, made by an earlier 'keys rotate' "
                 "(no new key: the rotation it started is not finished)")
        message = (f"{start}; the {older} older key(s) stay in the key file for any other database that uses it: "
                   "once every database using this key file has been rotated, run "
                   "'tiktok-oms keys rotate --forget-old' to drop them")
    return Rotation(count_stores, count_tokens, source, message)


def forget_old(engine: Engine, source: KeySource) -> str:
    """Drop every key but the newest from the key file, once this database's tokens are all under
    the newest one; what was done, in one line.

    Another database sharing the key file whose tokens are still under an older key can no longer
    read them afterwards (its commands fail with `TokensUnreadable`, exit 4): run `rotate` with
    every such database first. Raises `SecretKeyError` when this database still holds a token
    under an older key (nothing changed: run `rotate` first), `TokensUnreadable` naming the store
    when no key decrypts one of its tokens, `SecretKeySettingError` (missing key file, tokens stored).
    """
    from cryptography.fernet import Fernet, InvalidToken

    keys, _ = _file_keys(engine, source)
    if len(keys) == 1:
        return f"nothing to forget: {source.key_file} holds one key"
    newest, every = Fernet(keys[0]), _multi(keys)
    behind: list[str] = []
    with engine.connect() as connection:
        for _, name, tokens in _stored_tokens(connection):
            for value in tokens.values():
                try:
                    newest.decrypt(value.encode("ascii"))
                except (InvalidToken, UnicodeError):
                    try:
                        every.decrypt(value.encode("ascii"))
                    except (InvalidToken, UnicodeError):
                        raise TokensUnreadable(source.describe(), name) from None
                    behind.append(name)
                    break
    if behind:
        raise SecretKeyError(
            f"{len(behind)} store(s) of this database ({', '.join(sorted(behind))}) still have tokens under an older "
            "key: run 'tiktok-oms keys rotate' with this database first; nothing was dropped"
        )
    write_key_file(source.key_file, keys[:1])
    return (f"dropped {len(keys) - 1} older key(s) from {source.key_file}; it holds only the newest key now. "
            "A database using this key file whose tokens were still under an older key can no longer read "
            "them: its stores must be authorized again")


def new_key(engine: Engine, source: KeySource) -> str:
    """Write a key file with a new key, where none is (a lost key file, on purpose); one line.

    Raises `SecretKeySettingError` with TIKTOK_OMS_SECRET_KEY set (it wins over the file), or a
    configured key file whose folder does not exist; `SecretKeyError` when the key file exists
    (use `rotate`). The tokens stored under the lost key stay unreadable: their stores must be
    authorized again (until then a command that needs them fails with `TokensUnreadable`).
    """
    if source.from_env:
        raise SecretKeySettingError(f"{ENV} is set and wins over the key file: change {ENV} instead")
    if source.key_file.exists():
        raise SecretKeyError(
            f"the key file {source.key_file} exists: nothing was changed "
            "('tiktok-oms keys rotate' changes its key and keeps the tokens readable)"
        )
    source.create()
    with engine.connect() as connection:
        lost = sorted(name for _, name, _ in _stored_tokens(connection))
    message = f"wrote a new key to {source.key_file} (back it up)"
    if lost:
        message += (f"; {len(lost)} store(s) hold tokens under the lost key and must be authorized again: "
                    + ", ".join(f"'tiktok-oms stores authorize {name}'" for name in lost))
    return message
