"""The stores' TikTok tokens are encrypted at rest (S-6): existing plaintext tokens are encrypted.

The key is resolved as the OMS resolves it (TIKTOK_OMS_SECRET_KEY, else the key file, created
0600 in the data folder): see adapters/secret_key.py. The columns stay TEXT. Downgrading decrypts
them back to plaintext (it needs the same key).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_stores = sa.table("stores", sa.column("id", sa.String), sa.column("access_token", sa.Text),
                   sa.column("refresh_token", sa.Text))
_TOKENS = ("access_token", "refresh_token")


def _cipher(bind: sa.Connection):  # type: ignore[no-untyped-def]
    from adapters.persistence.types import token_cipher

    return token_cipher(bind.dialect)


def _convert(encrypting: bool) -> None:
    from adapters.secret_key import SealedToken, TokensUnreadable, is_encrypted

    bind = op.get_bind()
    rows = bind.execute(sa.select(_stores.c.id, *(_stores.c[name] for name in _TOKENS))).all()
    if not any(value for row in rows for value in row[1:]):
        return  # no token stored: the key is not even needed
    cipher = _cipher(bind)
    for store_id, *values in rows:
        changes: dict[str, str] = {}
        for name, value in zip(_TOKENS, values):
            if value is None:
                continue
            if encrypting and not is_encrypted(value):
                changes[name] = cipher.encrypt(value)
            elif not encrypting and is_encrypted(value):
                plain = cipher.decrypt(value)
                if isinstance(plain, SealedToken):
                    raise TokensUnreadable(plain.source)
                changes[name] = plain
        if changes:
            bind.execute(sa.update(_stores).where(_stores.c.id == store_id).values(changes))


def upgrade() -> None:
    _convert(encrypting=True)


def downgrade() -> None:
    _convert(encrypting=False)
