"""The ``anonymous`` scheme: accepts every request as nobody in particular.

Naming it last in a resource's ``authentication`` lets clients without credentials in,
as :data:`camshaft.ANONYMOUS`; a resource that names no scheme at all is open anyway.
"""

from __future__ import annotations

from camshaft.plugin import ANONYMOUS, AuthScheme, Identity, Request, hookimpl


def authenticate(request: Request) -> Identity:
    return ANONYMOUS


@hookimpl(trylast=True)
def camshaft_auth_schemes() -> list[AuthScheme]:
    return [AuthScheme("anonymous", authenticate)]
