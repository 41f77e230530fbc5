"""A Digest (RFC 7616) client for the tests: parse a challenge, answer it."""

from __future__ import annotations

import hashlib

from werkzeug.http import parse_dict_header


def digest_challenge(header: str) -> dict[str, str]:
    """The first challenge of a ``Digest ..., Digest ...`` header field."""
    first = header.split(", Digest ")[0].removeprefix("Digest ")
    return parse_dict_header(first)


def digest_header(
    challenge: dict[str, str],
    method: str,
    uri: str,
    user: str = "alice",
    password: str = "wonderland",
    nc: int = 1,
    algorithm: str | None = None,
    cnonce: str = "0a4f113b",
) -> dict[str, str]:
    """An RFC 7616 ``Authorization: Digest`` header answering ``challenge``
    (qop=auth, §3.4.1)."""
    algorithm = algorithm or challenge["algorithm"]
    h = {"SHA-256": hashlib.sha256, "MD5": hashlib.md5}[algorithm]

    def hx(text: str) -> str:
        return h(text.encode()).hexdigest()

    ha1 = hx(f"{user}:{challenge['realm']}:{password}")
    ha2 = hx(f"{method}:{uri}")
    ncs = f"{nc:08x}"
    response = hx(f"{ha1}:{challenge['nonce']}:{ncs}:{cnonce}:auth:{ha2}")
    value = (
        f'Digest username="{user}", realm="{challenge["realm"]}", nonce="{challenge["nonce"]}", '
        f'uri="{uri}", algorithm={algorithm}, qop=auth, nc={ncs}, cnonce="{cnonce}", '
        f'response="{response}", opaque="{challenge["opaque"]}"'
    )
    return {"Authorization": value}
