"""One app's OAuth state: its database, its authorization server, its consent signer."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from .consent import ConsentSigner, load_consent
from .oauth2_server import OAuth2Server
from .repository import OAuthRepository, make_engine
from .schemes import BearerScheme, OAuth1Scheme

if TYPE_CHECKING:
    from camshaft import App

__all__ = ["OAuthProvider", "provider_for"]


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


def provider_for(app: App) -> OAuthProvider:
    """The provider behind ``app``'s ``oauth2`` / ``oauth1`` schemes.

    :raises LookupError: camshaft-oauth is not active in ``app``.
    """
    for scheme in app.auth_schemes.values():
        owner = getattr(scheme.authenticate, "__self__", None)
        if isinstance(owner, BearerScheme | OAuth1Scheme):
            return owner.provider
    raise LookupError("camshaft-oauth provides no scheme in this app")
