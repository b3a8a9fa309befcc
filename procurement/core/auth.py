"""Passwords, session tokens, the signed-in user and permission decisions.

Passwords are stored only as argon2 hashes. Session tokens are random; only
their SHA-256 is stored, so a copy of the database does not let anyone sign in.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from dataclasses import dataclass
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from procurement.core.actors import SYSTEM, Actor
from procurement.core.errors import PermissionDenied
from procurement.settings import get_settings


@lru_cache
def _hasher() -> PasswordHasher:
    settings = get_settings()
    return PasswordHasher(time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_kib)


@lru_cache
def _dummy_hash() -> str:
    # Verifying against this when the user does not exist keeps the timing alike.
    return _hasher().hash("not-a-real-password-0")


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher().verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def hash_password_off_loop(password: str) -> str:
    """``hash_password`` in a worker thread: argon2 takes ~100 ms of CPU, and on the
    event loop it would stall every other request for that long (argon2-cffi
    releases the GIL while it hashes)."""
    return await asyncio.to_thread(hash_password, password)


async def verify_password_off_loop(password_hash: str | None, password: str) -> bool:
    """``verify_password`` in a worker thread (see ``hash_password_off_loop``)."""
    return await asyncio.to_thread(verify_password, password_hash, password)


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CurrentUser:
    """The signed-in user as the web layer sees it (never a table row)."""

    id: int
    username: str
    display_name: str
    role: str
    organization_id: int | None
    organization_name: str
    organization_kind: str | None
    session_id: int
    csrf_token: str
    via: str  # "cookie" or "bearer"
    ip: str = ""
    unread: int = 0  # unread inbox items when the session was read (the navigation's count)

    def has_role(self, *roles: str) -> bool:
        return self.role in roles


def actor_of(user: CurrentUser | None) -> Actor:
    """The actor of a change made by ``user`` (the system when nobody is signed in),
    with the account role and no relation: relations come from policies."""
    if user is None:
        return SYSTEM
    return Actor(user.id, f"{user.display_name}（{user.username}）", user.ip, role=user.role)


@dataclass(frozen=True)
class Decision:
    """A permission answer that says why: ``if not decision: show decision.reason``.

    A policy that establishes a relation to the data (the buyer's officer of
    this tender, the chair of this panel) names it in ``relation``; the
    service then acts with :meth:`acting`, so no caller asserts a relation.
    """

    allowed: bool
    reason: str = ""
    relation: str | None = None

    def __bool__(self) -> bool:
        return self.allowed

    def require(self) -> None:
        if not self.allowed:
            raise PermissionDenied(self.reason or None)

    def acting(self, user: CurrentUser) -> Actor:
        """The actor for a change this decision allows: PermissionDenied with the
        reason if it does not; the user with the relation the policy found if it does."""
        self.require()
        actor = actor_of(user)
        return actor.granted(self.relation) if self.relation else actor


def allow(relation: str | None = None) -> Decision:
    return Decision(True, relation=None if relation is None else str(relation))


def deny(reason: str) -> Decision:
    return Decision(False, reason)
