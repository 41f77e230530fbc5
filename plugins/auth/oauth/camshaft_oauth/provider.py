"""One app's OAuth state: its database, its authorization server, its consent signer."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from camshaft.plugin import AuthScheme, StashKey

from .consent import ConsentSigner, load_consent
from .oauth2_server import OAuth2Server
from .repository import OAuthRepository, make_engine
from .schemes import BearerScheme, OAuth1Scheme

if TYPE_CHECKING:
    from camshaft import App

__all__ = ["OAuthProvider", "Registered", "is_ours", "provider_for", "register", "registered_key"]


class OAuthProvider:
    """Everything the ``[oauth]`` settings section configures, for one app.

    :ivar repository: the tables (:class:`~camshaft_oauth.repository.OAuthRepository`);
        register clients and consumers with ``provider.repository.add_client(...)`` and
        ``add_consumer(...)``.
    :ivar oauth2: the authlib authorization server.
    :ivar clock: seconds since the epoch; replace it to move time in tests.
    :raises ConfigurationError: the database URL is unusable, or ``authorize.consent``
        names nothing callable. (The tables are created on first use.)
    """

    def __init__(self, section: Mapping[str, Any], clock: Callable[[], float] = time.time) -> None:
        self.settings = section
        self.realm: str = section["realm"]
        self.oauth2_settings: Mapping[str, Any] = section["oauth2"]
        self.oauth1_settings: Mapping[str, Any] = section["oauth1"]
        self.authorize_settings: Mapping[str, Any] = section["authorize"]
        self.clock = clock
        self.repository = OAuthRepository(
            make_engine(section["url"]), self.now, create_tables=section["create_tables"]
        )
        # Without a configured secret, consent tokens are per process: a prompt shown
        # by one worker cannot be answered on another. Set oauth.secret for several.
        secret = section["secret"].encode("utf-8") or secrets.token_bytes(32)
        self.consent_signer = ConsentSigner(secret, self.now)
        self.consent = load_consent(section["authorize"]["consent"])
        self.oauth2 = OAuth2Server(self)

    def now(self) -> float:
        return self.clock()


@dataclass(frozen=True, slots=True)
class Registered:
    """What camshaft-oauth registered in one app: its provider and scheme descriptors."""

    provider: OAuthProvider
    schemes: tuple[AuthScheme, ...]


#: camshaft-oauth's state in ``app.stash``.
registered_key = StashKey[Registered]()


def register(app: App, section: Mapping[str, Any]) -> list[AuthScheme]:
    """Make ``app``'s provider and its ``oauth2`` / ``oauth1`` descriptors, kept in
    ``app.stash`` so routes, OpenAPI and tests find them without asking a scheme."""
    provider = OAuthProvider(section)
    schemes = (BearerScheme(provider).descriptor(), OAuth1Scheme(provider).descriptor())
    app.stash[registered_key] = Registered(provider, schemes)
    return list(schemes)


def is_ours(app: App, name: str) -> bool:
    """Whether the scheme ``app`` uses under ``name`` is camshaft-oauth's."""
    found = app.stash.get(registered_key, None)
    scheme = app.auth_schemes.get(name)
    return found is not None and any(scheme is s for s in found.schemes)


def provider_for(app: App) -> OAuthProvider:
    """The provider behind ``app``'s ``oauth2`` / ``oauth1`` schemes.

    :raises LookupError: camshaft-oauth is not active in ``app``.
    """
    found = app.stash.get(registered_key, None)
    if found is None or not (is_ours(app, "oauth2") or is_ours(app, "oauth1")):
        raise LookupError("camshaft-oauth provides no scheme in this app")
    return found.provider
