import json
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import DateTime, Dialect, String, Text
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out, on SQLite too (which keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the OMS stores timezone-aware UTC only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class EnumValue(TypeDecorator[Enum]):
    """An enum stored as its `.value`, so the column reads the same as the JSON output."""

    impl = String(32)
    cache_ok = True

    def __init__(self, enum: type[Enum]) -> None:
        super().__init__()
        self.enum = enum

    def process_bind_param(self, value: Enum | str | None, dialect: Dialect) -> str | None:
        # A plain string is a filter value: one that names no member simply matches nothing.
        return value.value if isinstance(value, Enum) else value

    def process_result_value(self, value: str | None, dialect: Dialect) -> Enum | None:
        return None if value is None else self.enum(value)


class DecimalText(TypeDecorator[Decimal]):
    # Exact on every dialect: SQLite has no decimal type, and "19.90" must not come back "19.9".
    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> str | None:
        return None if value is None else str(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value)


class StringTuple(TypeDecorator[tuple[str, ...]]):
    """A tuple of strings as a JSON array."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else json.dumps(list(value))

    def process_result_value(self, value: str | None, dialect: Dialect) -> tuple[str, ...] | None:
        return None if value is None else tuple(json.loads(value))


CIPHER_ATTRIBUTE = "tiktok_oms_token_cipher"  # set on an engine's dialect by make_engine(cipher=...)


def token_cipher(dialect: Dialect) -> Any:
    """The engine's `adapters.secret_key.TokenCipher`, else the process's default one."""
    cipher = getattr(dialect, CIPHER_ATTRIBUTE, None)
    if cipher is None:
        from adapters.secret_key import default_cipher

        cipher = default_cipher()
    return cipher


class EncryptedToken(TypeDecorator[str]):
    """A TikTok token, Fernet-encrypted in the column (S-6); see adapters/secret_key.py.

    Reading a value no configured key decrypts gives a `SealedToken` (empty, keeps the
    ciphertext, written back unchanged, never sent to TikTok) rather than an error, so the
    stores can still be listed and re-authorized.
    """

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else token_cipher(dialect).encrypt(value)  # type: ignore[no-any-return]

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else token_cipher(dialect).decrypt(value)  # type: ignore[no-any-return]
