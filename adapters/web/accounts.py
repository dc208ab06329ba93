"""Seller accounts of the web app: an e-mail and a password hashed with argon2id (argon2-cffi).

The hash string carries its own algorithm, parameters and salt, so stronger parameters later only
need `check_needs_rehash` at the next sign-in. Passwords and hashes never appear in errors or logs.
"""

import re
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from adapters.persistence import tables as t
from application.errors import AlreadyExists, ApplicationError

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024  # hashing is deliberately slow: refuse megabyte "passwords"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHasher()  # argon2id, the library's RFC 9106 "low memory" profile


@cache
def _dummy_hash() -> str:
    """Verified when the e-mail is unknown, so a wrong e-mail takes as long as a wrong password."""
    return _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True, slots=True)
class User:
    id: str
    email: str


def normalize_email(email: str) -> str:
    """Lower-case and trimmed; raises ApplicationError when it is not an e-mail address."""
    value = email.strip().lower()
    if not _EMAIL.match(value) or len(value) > 255:
        raise ApplicationError(f"not an e-mail address: {email.strip()!r}")
    return value


def check_password(password: str) -> None:
    """Raises ApplicationError naming the rule a new password breaks."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ApplicationError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ApplicationError(f"the password may have at most {MAX_PASSWORD_LENGTH} characters")


class Accounts:
    """Create and check seller accounts. Subclasses keep them (SQL table `users`, or memory)."""

    def create(self, email: str, password: str) -> User:
        """Adds an account; raises ApplicationError for a bad e-mail/password, AlreadyExists for a taken e-mail."""
        address = normalize_email(email)
        check_password(password)
        user = User(id=f"usr_{secrets.token_hex(8)}", email=address)
        self._add(user, _hasher.hash(password))
        return user

    def verify(self, email: str, password: str) -> User | None:
        """The account when the password is right, else None (same work either way)."""
        try:
            address = normalize_email(email)
        except ApplicationError:
            address = ""
        found = self._by_email(address) if address and len(password) <= MAX_PASSWORD_LENGTH else None
        stored = found[1] if found else _dummy_hash()
        try:
            _hasher.verify(stored, password[:MAX_PASSWORD_LENGTH])
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        if found is None:
            return None
        user = found[0]
        if _hasher.check_needs_rehash(stored):
            self._set_hash(user.id, _hasher.hash(password))
        return user

    def get(self, user_id: str) -> User | None:
        raise NotImplementedError

    def _add(self, user: User, password_hash: str) -> None:
        raise NotImplementedError

    def _by_email(self, email: str) -> tuple[User, str] | None:
        raise NotImplementedError

    def _set_hash(self, user_id: str, password_hash: str) -> None:
        raise NotImplementedError


class SqlAccounts(Accounts):
    """Accounts in the `users` table of the OMS database."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._sessions = session_factory

    def _add(self, user: User, password_hash: str) -> None:
        try:
            with self._sessions.begin() as session:
                session.execute(insert(t.users).values(id=user.id, email=user.email, password_hash=password_hash,
                                                       created_at=datetime.now(UTC)))
        except IntegrityError:
            raise AlreadyExists("user", user.email) from None

    def _by_email(self, email: str) -> tuple[User, str] | None:
        with self._sessions() as session:
            row = session.execute(select(t.users.c.id, t.users.c.email, t.users.c.password_hash)
                                  .where(t.users.c.email == email)).first()
        return None if row is None else (User(row[0], row[1]), row[2])

    def get(self, user_id: str) -> User | None:
        with self._sessions() as session:
            row = session.execute(select(t.users.c.id, t.users.c.email).where(t.users.c.id == user_id)).first()
        return None if row is None else User(row[0], row[1])

    def _set_hash(self, user_id: str, password_hash: str) -> None:
        with self._sessions.begin() as session:
            session.execute(update(t.users).where(t.users.c.id == user_id).values(password_hash=password_hash))


class MemoryAccounts(Accounts):
    """Accounts kept in this process (`--in-memory`)."""

    def __init__(self) -> None:
        self._users: dict[str, tuple[User, str]] = {}
        self._lock = threading.Lock()

    def _add(self, user: User, password_hash: str) -> None:
        with self._lock:
            if user.email in self._users:
                raise AlreadyExists("user", user.email)
            self._users[user.email] = (user, password_hash)

    def _by_email(self, email: str) -> tuple[User, str] | None:
        return self._users.get(email)

    def get(self, user_id: str) -> User | None:
        return next((u for u, _ in self._users.values() if u.id == user_id), None)

    def _set_hash(self, user_id: str, password_hash: str) -> None:
        with self._lock:
            for email, (user, _) in list(self._users.items()):
                if user.id == user_id:
                    self._users[email] = (user, password_hash)
