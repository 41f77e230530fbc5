"""The SQL tables: OAuth 2.0 clients, codes and tokens; OAuth 1.0a consumers and tokens.

Secrets the server only has to *recognise* are stored as SHA-256 hex digests and found by
that digest: OAuth 2.0 client secrets, authorization codes, access and refresh tokens.
Secrets the server must *use* cannot be hashed: OAuth 1.0a HMAC-SHA1 signs with the
consumer secret and the token secret, so both are stored as given (protect the database
accordingly, or use RSA-SHA1, whose consumers register only a public key).

Times are integer seconds since the epoch (portable across SQLite, PostgreSQL, MariaDB).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

__all__ = [
    "metadata",
    "oauth1_consumers",
    "oauth1_tokens",
    "oauth2_clients",
    "oauth2_codes",
    "oauth2_tokens",
]

metadata = MetaData()

#: SHA-256 hex digests are 64 characters.
_HASH = 64

oauth2_clients = Table(
    "camshaft_oauth2_clients",
    metadata,
    Column("client_id", String(128), primary_key=True),
    Column("secret_hash", String(_HASH), nullable=True),  # None: a public client
    Column("name", String(255), nullable=False, default=""),
    Column("redirect_uris", Text, nullable=False, default="[]"),  # a JSON list
    Column("grant_types", Text, nullable=False, default="[]"),  # a JSON list
    Column("scope", Text, nullable=False, default=""),  # space-separated
    Column("may_introspect", Boolean, nullable=False, default=False),
    Column("created_at", Integer, nullable=False),
)

oauth2_codes = Table(
    "camshaft_oauth2_codes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code_hash", String(_HASH), nullable=False, unique=True),
    Column("client_id", String(128), nullable=False),
    Column("user_id", String(255), nullable=False),
    Column("redirect_uri", Text, nullable=True),
    Column("scope", Text, nullable=False, default=""),
    Column("code_challenge", String(128), nullable=True),
    Column("code_challenge_method", String(16), nullable=True),
    Column("expires_at", Integer, nullable=False),
    # Set once, atomically, by the redemption that wins; a second redemption finds it set.
    Column("used", Boolean, nullable=False, default=False),
)

oauth2_tokens = Table(
    "camshaft_oauth2_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("access_hash", String(_HASH), nullable=False, unique=True),
    Column("refresh_hash", String(_HASH), nullable=True, unique=True),
    Column("client_id", String(128), nullable=False),
    Column("user_id", String(255), nullable=True),  # None for client credentials
    Column("scope", Text, nullable=False, default=""),
    Column("issued_at", Integer, nullable=False),
    Column("expires_at", Integer, nullable=False),
    Column("refresh_expires_at", Integer, nullable=True),
    Column("access_revoked", Boolean, nullable=False, default=False),
    Column("refresh_revoked", Boolean, nullable=False, default=False),
    # Every token descending from one grant (a code, or the first token) shares a family,
    # so a replayed code or rotated refresh token can revoke them all.
    Column("family", String(64), nullable=False, index=True),
)

oauth1_consumers = Table(
    "camshaft_oauth1_consumers",
    metadata,
    Column("consumer_key", String(128), primary_key=True),
    Column("secret", String(255), nullable=True),  # needed in clear for HMAC-SHA1
    Column("rsa_public_key", Text, nullable=True),
    Column("name", String(255), nullable=False, default=""),
    Column("callback_uri", Text, nullable=True),  # the default for "oob" requests
    Column("scope", Text, nullable=False, default=""),
    Column("created_at", Integer, nullable=False),
)

oauth1_tokens = Table(
    "camshaft_oauth1_tokens",
    metadata,
    Column("token", String(128), primary_key=True),
    Column("secret", String(255), nullable=False),  # needed in clear for HMAC-SHA1
    Column("kind", String(16), nullable=False),  # "request" or "access"
    Column("consumer_key", String(128), nullable=False),
    Column("user_id", String(255), nullable=True),
    Column("callback_uri", Text, nullable=True),
    Column("verifier_hash", String(_HASH), nullable=True),
    Column("scope", Text, nullable=False, default=""),
    Column("expires_at", Integer, nullable=True),  # None: until revoked
    Column("revoked", Boolean, nullable=False, default=False),
)
