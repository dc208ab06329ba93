"""The key that encrypts the stores' TikTok tokens at rest (STACK.md S-6), and its rotation.

Keys are Fernet keys (cryptography: AES-128-CBC + HMAC-SHA256, 32 url-safe base64 bytes each).
They come from `TIKTOK_OMS_SECRET_KEY` (one key, or several separated by commas, the first one
current) or else from a key file, one key per line, first current: `TIKTOK_OMS_SECRET_KEY_FILE`,
by default `secret.key` in the data folder (platformdirs), created 0600 in a 0700 folder on first
use. A token is encrypted under the current key and decrypted under any of them (MultiFernet).

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

from application.errors import ApplicationError

if TYPE_CHECKING:
    from cryptography.fernet import MultiFernet
    from sqlalchemy import Engine

    from adapters.settings import Settings

ENV = "TIKTOK_OMS_SECRET_KEY"
KEY_FILE_ENV = "TIKTOK_OMS_SECRET_KEY_FILE"
KEY_FILE_NAME = "secret.key"
PRIVATE_FOLDER, PRIVATE_FILE = 0o700, 0o600
_FERNET_PREFIX = "gAAAAA"  # every Fernet token: version byte 0x80 and a 64-bit timestamp, base64


class SecretKeyError(ApplicationError):
    """The secret key is malformed, or its file cannot be read or written."""


class TokensUnreadable(ApplicationError):
    """A store's stored tokens cannot be decrypted with the configured key: nothing was sent to TikTok."""

    def __init__(self, source: str) -> None:
        super().__init__(
            f"this store's saved TikTok tokens cannot be decrypted with the secret key from {source}: "
            "re-authorize the store ('tiktok-oms stores authorize NAME') or restore the key"
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
        return cls(value if value and value.strip() else None, settings.secret_key_file or default_key_file())

    @property
    def from_env(self) -> bool:
        return self.env_value is not None

    def describe(self) -> str:
        return ENV if self.from_env else str(self.key_file)

    def keys(self, *, create: bool = True) -> list[str]:
        """The keys, current first. A missing key file is created (one new key) when `create`."""
        if self.env_value is not None:
            return _parse(self.env_value.split(","), ENV)
        try:
            text = self.key_file.read_text(encoding="ascii")
        except FileNotFoundError:
            if not create:
                raise SecretKeyError(f"no secret key: {self.key_file} does not exist and {ENV} is not set") from None
            write_key_file(self.key_file, [generate_key()], exclusive=True)
            text = self.key_file.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            raise SecretKeyError(f"cannot read the secret key file {self.key_file}: {exc}") from None
        _warn_if_shared(self.key_file)
        return _parse(text.splitlines(), str(self.key_file))


def _parse(parts: Sequence[str], where: str) -> list[str]:
    from cryptography.fernet import Fernet

    keys = [part.strip() for part in parts if part.strip()]
    if not keys:
        raise SecretKeyError(f"{where} holds no key")
    for number, key in enumerate(keys, 1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise SecretKeyError(
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

    A key file is read again once when a token does not decrypt (another process may have
    rotated the keys since this one started).
    """

    def __init__(self, source: KeySource) -> None:
        self.source = source
        self._fernet = self._load()

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenCipher:
        return cls(KeySource.from_settings(settings))

    def _load(self) -> MultiFernet:
        from cryptography.fernet import Fernet, MultiFernet

        return MultiFernet([Fernet(key) for key in self.source.keys()])

    def encrypt(self, token: str) -> str:
        if isinstance(token, SealedToken):
            return token.ciphertext  # never re-encrypt the empty placeholder: keep what was stored
        return self._fernet.encrypt(token.encode("utf-8")).decode("ascii")

    def decrypt(self, stored: str) -> str:
        """The token, or a `SealedToken` when no configured key decrypts `stored`."""
        from cryptography.fernet import InvalidToken

        try:
            return self._fernet.decrypt(stored.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError):
            pass
        if not self.source.from_env:
            try:
                self._fernet = self._load()
                return self._fernet.decrypt(stored.encode("ascii")).decode("utf-8")
            except (InvalidToken, UnicodeError, SecretKeyError):
                pass
        return SealedToken(stored, self.source.describe())


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


def rotate(engine: Engine, source: KeySource) -> Rotation:
    """Re-encrypt every stored token under a new current key (MultiFernet.rotate).

    Key file: a new key is generated and written first, ahead of the old ones (so a crash at any
    point leaves every token decryptable), the tokens are rotated in one transaction, then the
    old keys are dropped from the file. Environment: the tokens are rotated to the first key of
    `TIKTOK_OMS_SECRET_KEY`, which must hold the new key first and the old ones after it.
    Raises `SecretKeyError` (one key in the variable, unreadable file) or `TokensUnreadable`
    (a token no configured key decrypts: nothing is changed).
    """
    from cryptography.fernet import Fernet, InvalidToken, MultiFernet
    from sqlalchemy import Text, select, type_coerce, update

    from adapters.persistence.tables import stores

    old = source.keys()
    if source.from_env:
        if len(old) < 2:
            raise SecretKeyError(
                f"{ENV} holds one key: put a new key first and the current one after a comma "
                f"({ENV}=NEW,CURRENT; make one with: python -c \"from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())\"), run 'tiktok-oms keys rotate' again, then drop CURRENT"
            )
        keys = old
    else:
        keys = [generate_key(), *old]
        write_key_file(source.key_file, keys)
    fernet = MultiFernet([Fernet(key) for key in keys])
    columns = (stores.c.access_token, stores.c.refresh_token)
    raw = select(stores.c.id, *(type_coerce(c, Text) for c in columns))  # as stored, not decrypted
    count_stores = count_tokens = 0
    with engine.begin() as connection:
        for store_id, *values in connection.execute(raw).all():
            changes: dict[str, str] = {}
            for column, value in zip(columns, values):
                if value is None:
                    continue
                try:
                    changes[column.name] = fernet.rotate(value.encode("ascii")).decode("ascii")
                except (InvalidToken, UnicodeError):
                    raise TokensUnreadable(source.describe()) from None
            if changes:
                count_stores += 1
                count_tokens += len(changes)
                connection.execute(update(stores).where(stores.c.id == store_id).values(
                    {name: type_coerce(text, Text) for name, text in changes.items()}))
    if source.from_env:
        message = (f"re-encrypted {count_tokens} token(s) of {count_stores} store(s) under the first key of {ENV}; "
                   f"you may now remove the other keys from {ENV}")
    else:
        write_key_file(source.key_file, keys[:1])
        message = (f"re-encrypted {count_tokens} token(s) of {count_stores} store(s) under a new key, "
                   f"written to {source.key_file} (the old key is gone: back the new one up)")
    return Rotation(count_stores, count_tokens, source, message)

