"""An app for the header-safety test under gunicorn: it writes client-chosen values into
a header and a Location, and trusts one host name."""

from __future__ import annotations

from typing import Any

from camshaft import Handler, Result
from camshaft.testing import make_app


class Echo(Handler):
    resource_name = "echo"

    def read(self, key: str | None = None) -> Any:
        return Result({"id": key}, 200, {"X-Echo": self.request.args.get("v", "")})

    def create(self, data: Any) -> Any:
        return data


app = make_app([Echo], settings={"trusted_hosts": ["127.0.0.1", "localhost"]})
