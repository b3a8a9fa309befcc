"""Passwords, session tokens, the signed-in user and permission decisions.

Passwords are stored only as argon2 hashes. Session tokens are random; only
their SHA-256 is stored, so a copy of the database does not let anyone sign in.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import secrets
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from procurement.core.actors import SYSTEM, Actor
from procurement.core.errors import PermissionDenied
from procurement.settings import get_settings

T = TypeVar("T")


@lru_cache
def _hasher() -> PasswordHasher:
    settings = get_settings()
    # One lane (argon2-cffi's default is four, each hash then busies four threads): the
    # attacker's cost is the memory and the passes, unchanged; a login busies one core,
    # not every core (issue 11). Hashes made with other parameters still verify and are
    # made again at the next login (needs_rehash). The defaults (19 MiB, 2 passes, 1 lane) are
    # the first of OWASP's Password Storage Cheat Sheet's argon2id settings: 64 MiB × 3 passes
    # cost a login ≈250 ms of one core, so 8 logins a second wanted two cores (issue 11).
    return PasswordHasher(time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_kib, parallelism=1)


def _hash_threads() -> int:
    """Threads that hash passwords at once: half the CPUs (one on two), so that logins
    arriving faster than they can be hashed queue for them instead of taking every core."""
    return max(1, (os.cpu_count() or 2) // 2)


def _below_the_loop() -> None:
    """Run in each hashing thread as it starts: a lower scheduling priority for that
    thread alone (Linux schedules threads as tasks), so the event loop and the other
    pages win the CPU while a login hashes; elsewhere nothing changes."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except (AttributeError, OSError):  # not Linux, or not allowed
        pass


@lru_cache
def _hashing_pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=_hash_threads(), thread_name_prefix="argon2", initializer=_below_the_loop)


async def _off_loop(function: Callable[..., T], *args: Any) -> T:
    return await asyncio.get_running_loop().run_in_executor(_hashing_pool(), function, *args)


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
    """``hash_password`` in a hashing thread: argon2 takes ~100 ms of CPU, and on the
    event loop it would stall every other request for that long (argon2-cffi
    releases the GIL while it hashes). The threads are few and run at a lower
    priority (``_hashing_pool``): a burst of logins waits for them, pages do not."""
    return await _off_loop(hash_password, password)


async def verify_password_off_loop(password_hash: str | None, password: str) -> bool:
    """``verify_password`` in a hashing thread (see ``hash_password_off_loop``)."""
    return await _off_loop(verify_password, password_hash, password)


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
