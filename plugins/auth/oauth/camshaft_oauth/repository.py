"""Persistence of clients, consumers, codes and tokens, through SQLAlchemy Core.

:class:`OAuthRepository` is the only place that speaks SQL. Every state change that must
happen once (redeeming a code, rotating a refresh token) is a single conditional
``UPDATE ... WHERE <still unused>`` whose row count says who won, so two workers racing
on the same code or refresh token cannot both succeed.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, delete, insert, or_, select, update
from sqlalchemy.engine import Row
from sqlalchemy.pool import StaticPool

from camshaft.errors import ConfigurationError
from camshaft_sqlalchemy.schema import create_tables

from .models import AuthorizationCode, Client, Consumer, OAuth1Token, Token, sha256_hex
from .secrets_hash import hash_secret
from .tables import (
    metadata,
    oauth1_consumers,
    oauth1_tokens,
    oauth2_clients,
    oauth2_codes,
    oauth2_tokens,
)

__all__ = ["OAuthRepository", "make_engine"]

GRANT_TYPES = ("authorization_code", "client_credentials", "refresh_token")


def make_engine(url: str) -> Engine:
    """An engine for ``url``; an in-memory SQLite database is one shared connection
    (StaticPool), so every thread sees the same tables.

    :raises ConfigurationError: the URL is malformed or names a driver not installed.
    """
    if not url:
        raise ConfigurationError(
            "camshaft-oauth needs its database: set oauth.url (e.g. "
            "'postgresql+psycopg://...', 'sqlite:////var/lib/app/oauth.sqlite3', or "
            "'sqlite://' in tests); there is no implicit database file"
        )
    try:
        if url in ("sqlite://", "sqlite:///:memory:"):
            return create_engine(
                url, poolclass=StaticPool, connect_args={"check_same_thread": False}
            )
        if url.startswith("sqlite"):
            return create_engine(url, connect_args={"check_same_thread": False})
        return create_engine(url, pool_pre_ping=True)
    except Exception as exc:  # the driver's import error or the URL parser's
        raise ConfigurationError(f"oauth.url {url!r} cannot be used: {exc}") from exc


def _create_private(database: str | None) -> None:
    """Create a SQLite database file readable by its owner only (0600) before SQLite
    creates it with the umask's mode; an existing file is left as it is."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    try:
        os.close(os.open(database, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass
    except OSError as exc:
        raise ConfigurationError(f"oauth.url: cannot create {database!r}: {exc}") from exc


def _scope(value: str | Iterable[str]) -> str:
    words = value.split() if isinstance(value, str) else list(value)
    return " ".join(dict.fromkeys(words))


class OAuthRepository:
    """Reads and writes the OAuth tables.

    :param engine: where the tables live.
    :param clock: seconds since the epoch (injectable, so tests can move time).
    """

    __slots__ = ("_lock", "_ready", "clock", "engine")

    def __init__(
        self, engine: Engine, clock: Callable[[], float], *, create_tables: bool = True
    ) -> None:
        self.engine = engine
        self.clock = clock
        # Tables are created on first use, not when the app starts: an app that never
        # touches OAuth (a CLI listing plugins) leaves no database file behind.
        self._ready = not create_tables
        self._lock = threading.Lock()

    def now(self) -> int:
        return int(self.clock())

    def create_tables(self) -> None:
        """Create the tables that do not exist yet (idempotent, and safe when several
        workers do it at once: see :func:`camshaft_sqlalchemy.schema.create_tables`); a
        SQLite file is created readable by its owner only."""
        if self.engine.dialect.name == "sqlite":
            _create_private(self.engine.url.database)
        create_tables(self.engine, metadata.sorted_tables)

    def _ensure_tables(self) -> None:
        if self._ready:
            return
        with self._lock:
            if not self._ready:
                self.create_tables()
                self._ready = True

    def _connect(self) -> Connection:
        self._ensure_tables()
        return self.engine.connect()

    def _begin(self) -> AbstractContextManager[Connection]:
        self._ensure_tables()
        return self.engine.begin()

    # ------------------------------------------------------------ OAuth 2.0 clients

    def add_client(
        self,
        client_id: str,
        *,
        secret: str | None = None,
        redirect_uris: Iterable[str] = (),
        grant_types: Iterable[str] = ("authorization_code", "refresh_token"),
        scope: str | Iterable[str] = "",
        name: str = "",
        may_introspect: bool = False,
    ) -> Client:
        """Register an OAuth 2.0 client. ``secret`` None registers a public client (it
        must use PKCE and cannot use client credentials). A secret is stored with a
        salted scrypt hash; make one with :func:`~camshaft_oauth.make_client_secret`.

        :raises ValueError: an unknown grant type, a redirect URI with a fragment, or a
            secret shorter than 32 characters.
        """
        secret_hash = None if secret is None else hash_secret(secret)
        grants = tuple(grant_types)
        unknown = set(grants) - set(GRANT_TYPES)
        if unknown:
            raise ValueError(f"unknown grant types {sorted(unknown)}; use {GRANT_TYPES}")
        uris = tuple(redirect_uris)
        if any("#" in uri for uri in uris):
            raise ValueError("a redirect URI must not contain a fragment (RFC 6749 §3.1.2)")
        with self._begin() as conn:
            conn.execute(
                insert(oauth2_clients).values(
                    client_id=client_id,
                    secret_hash=secret_hash,
                    name=name,
                    redirect_uris=json.dumps(list(uris)),
                    grant_types=json.dumps(list(grants)),
                    scope=_scope(scope),
                    may_introspect=may_introspect,
                    created_at=self.now(),
                )
            )
        client = self.get_client(client_id)
        assert client is not None
        return client

    def get_client(self, client_id: str) -> Client | None:
        with self._connect() as conn:
            row = conn.execute(
                select(oauth2_clients).where(oauth2_clients.c.client_id == client_id)
            ).first()
        if row is None:
            return None
        return Client(
            client_id=row.client_id,
            secret_hash=row.secret_hash,
            name=row.name,
            redirect_uris=tuple(json.loads(row.redirect_uris)),
            grant_types=tuple(json.loads(row.grant_types)),
            scope=row.scope,
            may_introspect=bool(row.may_introspect),
        )

    # -------------------------------------------------------------- OAuth 2.0 codes

    def add_code(
        self,
        code: str,
        *,
        client_id: str,
        user_id: str,
        redirect_uri: str | None,
        scope: str,
        code_challenge: str | None,
        code_challenge_method: str | None,
        ttl: int,
    ) -> None:
        with self._begin() as conn:
            conn.execute(
                insert(oauth2_codes).values(
                    code_hash=sha256_hex(code),
                    client_id=client_id,
                    user_id=user_id,
                    redirect_uri=redirect_uri,
                    scope=scope,
                    code_challenge=code_challenge,
                    code_challenge_method=code_challenge_method,
                    expires_at=self.now() + ttl,
                    used=False,
                )
            )

    def get_code(self, code: str) -> AuthorizationCode | None:
        """The code's record (used or not, expired or not), or None."""
        with self._connect() as conn:
            row = conn.execute(
                select(oauth2_codes).where(oauth2_codes.c.code_hash == sha256_hex(code))
            ).first()
        if row is None:
            return None
        return AuthorizationCode(
            id=row.id,
            client_id=row.client_id,
            user_id=row.user_id,
            redirect_uri=row.redirect_uri,
            scope=row.scope,
            code_challenge=row.code_challenge,
            code_challenge_method=row.code_challenge_method,
            expires_at=row.expires_at,
            used=bool(row.used),
        )

    def consume_code(self, code_id: int) -> bool:
        """Mark a code used; True only for the one caller that did so."""
        with self._begin() as conn:
            result = conn.execute(
                update(oauth2_codes)
                .where(oauth2_codes.c.id == code_id, oauth2_codes.c.used.is_(False))
                .values(used=True)
            )
        return result.rowcount == 1

    # ------------------------------------------------------------- OAuth 2.0 tokens

    def add_token(
        self,
        *,
        access_token: str,
        refresh_token: str | None,
        client_id: str,
        user_id: str | None,
        scope: str,
        expires_in: int,
        refresh_ttl: int | None,
        family: str | None,
    ) -> None:
        now = self.now()
        with self._begin() as conn:
            conn.execute(
                insert(oauth2_tokens).values(
                    access_hash=sha256_hex(access_token),
                    refresh_hash=sha256_hex(refresh_token) if refresh_token else None,
                    client_id=client_id,
                    user_id=user_id,
                    scope=scope,
                    issued_at=now,
                    expires_at=now + expires_in,
                    refresh_expires_at=(
                        now + refresh_ttl if refresh_token and refresh_ttl else None
                    ),
                    access_revoked=False,
                    refresh_revoked=False,
                    family=family or secrets.token_hex(16),
                )
            )

    def _token(self, row: Row[Any] | None) -> Token | None:
        if row is None:
            return None
        return Token(
            id=row.id,
            client_id=row.client_id,
            user_id=row.user_id,
            scope=row.scope,
            issued_at=row.issued_at,
            expires_at=row.expires_at,
            refresh_expires_at=row.refresh_expires_at,
            access_revoked=bool(row.access_revoked),
            refresh_revoked=bool(row.refresh_revoked),
            family=row.family,
            has_refresh=row.refresh_hash is not None,
            clock=self.clock,
        )

    def token_by_access(self, access_token: str) -> Token | None:
        with self._connect() as conn:
            row = conn.execute(
                select(oauth2_tokens).where(oauth2_tokens.c.access_hash == sha256_hex(access_token))
            ).first()
        return self._token(row)

    def token_by_refresh(self, refresh_token: str) -> Token | None:
        with self._connect() as conn:
            row = conn.execute(
                select(oauth2_tokens).where(
                    oauth2_tokens.c.refresh_hash == sha256_hex(refresh_token)
                )
            ).first()
        return self._token(row)

    def rotate_refresh(self, token_id: int) -> bool:
        """Retire a refresh token that is being exchanged; True only for the one caller
        that did so."""
        with self._begin() as conn:
            result = conn.execute(
                update(oauth2_tokens)
                .where(oauth2_tokens.c.id == token_id, oauth2_tokens.c.refresh_revoked.is_(False))
                .values(refresh_revoked=True)
            )
        return result.rowcount == 1

    def revoke_token(self, token_id: int) -> None:
        """Revoke an access token and its refresh token (RFC 7009 §2.1)."""
        with self._begin() as conn:
            conn.execute(
                update(oauth2_tokens)
                .where(oauth2_tokens.c.id == token_id)
                .values(access_revoked=True, refresh_revoked=True)
            )

    def revoke_family(self, family: str) -> int:
        """Revoke every token descending from one grant; the number of rows touched."""
        with self._begin() as conn:
            result = conn.execute(
                update(oauth2_tokens)
                .where(oauth2_tokens.c.family == family)
                .values(access_revoked=True, refresh_revoked=True)
            )
        return int(result.rowcount)

    def purge_expired(self) -> None:
        """Delete codes and tokens that can no longer be used (housekeeping)."""
        now = self.now()
        with self._begin() as conn:
            conn.execute(delete(oauth2_codes).where(oauth2_codes.c.expires_at < now))
            conn.execute(
                delete(oauth2_tokens).where(
                    oauth2_tokens.c.expires_at < now,
                    or_(
                        oauth2_tokens.c.refresh_hash.is_(None),
                        oauth2_tokens.c.refresh_revoked.is_(True),
                        oauth2_tokens.c.refresh_expires_at < now,
                    ),
                )
            )
            conn.execute(delete(oauth1_tokens).where(oauth1_tokens.c.expires_at < now))

    # --------------------------------------------------------- OAuth 1.0a consumers

    def add_consumer(
        self,
        consumer_key: str,
        *,
        secret: str | None = None,
        rsa_public_key: str | None = None,
        callback_uri: str | Iterable[str] | None = None,
        scope: str | Iterable[str] = "",
        name: str = "",
    ) -> Consumer:
        """Register an OAuth 1.0a consumer: a shared ``secret`` (HMAC-SHA1, PLAINTEXT)
        and/or an ``rsa_public_key`` in PEM (RSA-SHA1). ``callback_uri`` is the callback,
        or a list of them, its request tokens may name (else only ``oob``).

        :raises ValueError: neither a secret nor a key was given, or a callback holds
            whitespace.
        """
        if not secret and not rsa_public_key:
            raise ValueError("a consumer needs a secret or an RSA public key")
        callbacks = [callback_uri] if isinstance(callback_uri, str) else list(callback_uri or ())
        if any(not uri or any(c.isspace() for c in uri) for uri in callbacks):
            raise ValueError("a callback URI must be non-empty and hold no whitespace")
        callback_uri = " ".join(callbacks) or None
        with self._begin() as conn:
            conn.execute(
                insert(oauth1_consumers).values(
                    consumer_key=consumer_key,
                    secret=secret,
                    rsa_public_key=rsa_public_key,
                    name=name,
                    callback_uri=callback_uri,
                    scope=_scope(scope),
                    created_at=self.now(),
                )
            )
        consumer = self.get_consumer(consumer_key)
        assert consumer is not None
        return consumer

    def get_consumer(self, consumer_key: str) -> Consumer | None:
        with self._connect() as conn:
            row = conn.execute(
                select(oauth1_consumers).where(oauth1_consumers.c.consumer_key == consumer_key)
            ).first()
        if row is None:
            return None
        return Consumer(
            consumer_key=row.consumer_key,
            secret=row.secret,
            rsa_public_key=row.rsa_public_key,
            name=row.name,
            callback_uri=row.callback_uri,
            scope=row.scope,
        )

    # ----------------------------------------------------------- OAuth 1.0a tokens

    def add_oauth1_token(
        self,
        *,
        kind: str,
        consumer_key: str,
        user_id: str | None = None,
        callback_uri: str | None = None,
        scope: str = "",
        ttl: int | None = None,
    ) -> OAuth1Token:
        """A new request (``kind="request"``) or access (``"access"``) token."""
        values: Mapping[str, Any] = {
            "token": secrets.token_urlsafe(24),
            "secret": secrets.token_urlsafe(32),
            "kind": kind,
            "consumer_key": consumer_key,
            "user_id": user_id,
            "callback_uri": callback_uri,
            "verifier_hash": None,
            "scope": scope,
            "expires_at": None if ttl is None else self.now() + ttl,
            "revoked": False,
        }
        with self._begin() as conn:
            conn.execute(insert(oauth1_tokens).values(**values))
        return OAuth1Token(**values)

    def get_oauth1_token(self, token: str, kind: str) -> OAuth1Token | None:
        """A usable token of ``kind``: neither revoked nor expired."""
        with self._connect() as conn:
            row = conn.execute(
                select(oauth1_tokens).where(
                    oauth1_tokens.c.token == token,
                    oauth1_tokens.c.kind == kind,
                    oauth1_tokens.c.revoked.is_(False),
                )
            ).first()
        if row is None or (row.expires_at is not None and row.expires_at <= self.now()):
            return None
        return OAuth1Token(**row._mapping)

    def authorize_request_token(self, token: str, user_id: str, verifier: str) -> bool:
        """Bind a request token to the resource owner who approved it, once."""
        with self._begin() as conn:
            result = conn.execute(
                update(oauth1_tokens)
                .where(
                    oauth1_tokens.c.token == token,
                    oauth1_tokens.c.kind == "request",
                    oauth1_tokens.c.user_id.is_(None),
                    oauth1_tokens.c.revoked.is_(False),
                )
                .values(user_id=user_id, verifier_hash=sha256_hex(verifier))
            )
        return result.rowcount == 1

    def retire_oauth1_token(self, token: str) -> bool:
        """Revoke a token; True only for the one caller that did so (a request token is
        exchanged for an access token exactly once)."""
        with self._begin() as conn:
            result = conn.execute(
                update(oauth1_tokens)
                .where(oauth1_tokens.c.token == token, oauth1_tokens.c.revoked.is_(False))
                .values(revoked=True)
            )
        return result.rowcount == 1
