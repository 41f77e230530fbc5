"""How camshaft-oauth describes itself in the app's OpenAPI document
(``camshaft_openapi``).

* ``components.securitySchemes.oauth2``: an ``oauth2`` scheme with the flows this server
  really runs (``authorizationCode`` with its refresh URL when the authorize endpoint is
  mounted, ``clientCredentials``), and every scope it knows: ``oauth2.scopes_supported``
  and every handler's ``scopes``.
* ``components.securitySchemes.oauth1``: the ``OAuth`` HTTP scheme (RFC 5849), described
  in words and in an ``x-oauth1`` extension (OpenAPI has no OAuth 1.0 flow object).
* Each operation a token may call lists the scopes it needs (``{"oauth2": ["notes:read"]}``);
  an operation no token scope grants does not offer the token schemes.
* The endpoints (token, revoke, introspect, authorize, OAuth 1.0a's) get their real
  request bodies and responses: form-encoded parameters, the RFC 6749 token response,
  RFC 7662 introspection, and errors as the problem documents they are, with the OAuth
  members ``error`` and ``error_description``.

Nothing here touches the database: the document is built from settings and handlers.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .provider import is_ours
from .repository import GRANT_TYPES
from .scopes import TOKEN_SCHEMES, required_scopes

if TYPE_CHECKING:
    from camshaft import App

__all__ = ["describe"]

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
_METHODS = ("get", "post", "put", "patch", "delete")
#: Statuses this module documents itself on the endpoints; the kernel's others stay.
_OWN_STATUSES = ("200", "201", "204", "302", "400", "401", "403")

_STRING = {"type": "string"}
_NO_STORE = {
    "Cache-Control": {"schema": {"type": "string", "const": "no-store"}},
}

SCHEMAS: dict[str, Any] = {
    "OAuthError": {
        "description": "An OAuth error (RFC 6749 §5.2, RFC 6750 §3.1, RFC 5849 §3.2) as "
        "RFC 9457 problem details: OAuth clients read `error` and `error_description`.",
        "allOf": [
            {"$ref": "#/components/schemas/Problem"},
            {
                "type": "object",
                "properties": {
                    "error": {
                        "type": "string",
                        "description": "The OAuth error code.",
                        "examples": ["invalid_request", "invalid_grant", "invalid_client"],
                    },
                    "error_description": _STRING,
                },
            },
        ],
    },
    "OAuthTokenRequest": {
        "type": "object",
        "description": "Token request (RFC 6749 §4.1.3, §4.4.2, §6). A confidential client "
        "authenticates with HTTP Basic or `client_id` and `client_secret` here.",
        "properties": {
            "grant_type": {"type": "string", "enum": list(GRANT_TYPES)},
            "code": _STRING,
            "redirect_uri": _STRING,
            "code_verifier": {
                "type": "string",
                "description": "PKCE (RFC 7636), for the code grant: S256 only.",
            },
            "refresh_token": _STRING,
            "scope": {"type": "string", "description": "Space-separated scope names."},
            "client_id": _STRING,
            "client_secret": _STRING,
        },
        "required": ["grant_type"],
    },
    "OAuthToken": {
        "type": "object",
        "description": "Successful token response (RFC 6749 §5.1).",
        "properties": {
            "access_token": _STRING,
            "token_type": {"type": "string", "enum": ["Bearer"]},
            "expires_in": {"type": "integer", "minimum": 0},
            "refresh_token": {
                "type": "string",
                "description": "A new one on every refresh; the old one is retired.",
            },
            "scope": {"type": "string", "description": "Space-separated scope names."},
        },
        "required": ["access_token", "token_type", "expires_in"],
    },
    "OAuthTokenParameter": {
        "type": "object",
        "description": "Revocation (RFC 7009 §2.1) or introspection (RFC 7662 §2.1) request.",
        "properties": {
            "token": _STRING,
            "token_type_hint": {"type": "string", "enum": ["access_token", "refresh_token"]},
            "client_id": _STRING,
            "client_secret": _STRING,
        },
        "required": ["token"],
    },
    "OAuthIntrospection": {
        "type": "object",
        "description": "Introspection response (RFC 7662 §2.2); only `active` when the "
        "token is unknown, expired, revoked or another client's.",
        "properties": {
            "active": {"type": "boolean"},
            "scope": _STRING,
            "client_id": _STRING,
            "token_type": {"type": "string", "enum": ["Bearer", "refresh_token"]},
            "iat": {"type": "integer"},
            "exp": {"type": "integer"},
            "sub": _STRING,
            "username": _STRING,
        },
        "required": ["active"],
    },
    "OAuthConsent": {
        "type": "object",
        "description": "What the client asks, for the resource owner to decide: POST the "
        "same URL with `consent_token` and `decision` as a form.",
        "properties": {
            "client_id": _STRING,
            "client_name": _STRING,
            "consumer_key": _STRING,
            "consumer_name": _STRING,
            "scope": {"type": "array", "items": _STRING},
            "redirect_uri": _STRING,
            "consent_token": _STRING,
            "decision": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["scope", "consent_token", "decision"],
    },
    "OAuth1Credentials": {
        "type": "object",
        "description": "Temporary or token credentials (RFC 5849 §2.1, §2.3).",
        "properties": {
            "oauth_token": _STRING,
            "oauth_token_secret": _STRING,
            "oauth_callback_confirmed": {"type": "string", "enum": ["true"]},
        },
        "required": ["oauth_token", "oauth_token_secret"],
    },
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _endpoint_paths(app: App, document: Mapping[str, Any]) -> Iterable[tuple[type, str]]:
    """(handler class, documented path) for every route version in the document."""
    for group in app.groups():
        for version, endpoint in group.versions.items():
            path = endpoint.path if endpoint is group.default else f"/v{version}{endpoint.path}"
            if path in document.get("paths", {}):
                yield endpoint.handler, path


def _scope_requirements(app: App, document: dict[str, Any]) -> dict[str, list[str]]:
    """Put each operation's needed scopes in its token requirements; return which
    operations each declared scope grants (scope -> ["GET /notes/{key}", ...])."""
    grants: dict[str, list[str]] = {}
    for handler, path in _endpoint_paths(app, document):
        for method, op in document["paths"][path].items():
            if method not in _METHODS or not isinstance(op, dict) or "security" not in op:
                continue
            security = op["security"]
            if not any(TOKEN_SCHEMES & set(req) for req in security):
                continue
            needed = required_scopes(handler, method.upper())
            if needed is None:
                # No token scope grants this verb: only the other schemes can call it.
                others = [req for req in security if not TOKEN_SCHEMES & set(req)]
                if others:
                    op["security"] = others
                continue
            op["security"] = [
                {
                    name: list(needed) if name in TOKEN_SCHEMES else roles
                    for name, roles in req.items()
                }
                for req in security
            ]
            for scope in needed:
                grants.setdefault(scope, []).append(f"{method.upper()} {path}")
    return grants


def _scopes(supported: Iterable[str], grants: Mapping[str, list[str]]) -> dict[str, str]:
    out = {}
    for scope in sorted({*supported, *grants}):
        used = grants.get(scope)
        out[scope] = "Needed for " + ", ".join(used) + "." if used else "Known to this server."
    return out


def _oauth2_scheme(section: Mapping[str, Any], scopes: dict[str, str]) -> dict[str, Any] | None:
    oauth2 = section["oauth2"]
    token = oauth2["token_path"]
    if not token:
        return None  # no flow a client could follow: the kernel's bearer description stays
    flows: dict[str, Any] = {}
    if section["authorize"]["authentication"] and oauth2["authorize_path"]:
        flows["authorizationCode"] = {
            "authorizationUrl": oauth2["authorize_path"],
            "tokenUrl": token,
            "refreshUrl": token,
            "scopes": scopes,
        }
    flows["clientCredentials"] = {"tokenUrl": token, "scopes": scopes}
    return {
        "type": "oauth2",
        "description": "OAuth 2.0 (RFC 6749) access tokens, sent only as 'Authorization: "
        "Bearer <token>' (RFC 6750; never in the query string or a form). Authorization "
        "code requires PKCE with S256; refresh tokens rotate. A token lacking a scope is "
        "answered 403 insufficient_scope; an invalid one 401 invalid_token.",
        "flows": flows,
    }


def _oauth1_scheme(section: Mapping[str, Any]) -> dict[str, Any]:
    oauth1 = section["oauth1"]
    # The authorize endpoint is mounted only when resource owners can sign in to it.
    authorize = oauth1["authorize_path"] if section["authorize"]["authentication"] else ""
    urls = {
        "requestTokenUrl": oauth1["request_token_path"],
        "authorizationUrl": authorize,
        "accessTokenUrl": oauth1["access_token_path"],
    }
    methods = list(oauth1["signature_methods"])
    return {
        "type": "http",
        "scheme": "OAuth",
        "description": "OAuth 1.0a (RFC 5849): each request signed with the consumer's and "
        "the token's credentials in an 'Authorization: OAuth ...' header (never the query "
        f"string or body); signature methods {', '.join(methods)}. Timestamps more than "
        f"{oauth1['timestamp_window']} s from the server's clock and replayed nonces are "
        "refused (401). OpenAPI has no OAuth 1.0 flow object: the endpoints are in "
        "x-oauth1 and under paths.",
        "x-oauth1": {
            **{k: v for k, v in urls.items() if v},
            "signatureMethods": methods,
            "timestampWindow": oauth1["timestamp_window"],
        },
    }


def _problem(document: Mapping[str, Any], text: str, headers: Any = None) -> dict[str, Any]:
    """A problem response in every media type the kernel renders problems in."""
    generic = document["components"]["responses"]["BadRequest"]["content"]
    out: dict[str, Any] = {
        "description": text,
        "content": {media: {"schema": _ref("OAuthError")} for media in generic},
    }
    if headers:
        out["headers"] = headers
    return out


def _responses(document: Mapping[str, Any], kind: str, emitted: Iterable[str]) -> dict[str, Any]:
    """The responses of one kind of endpoint (without the kernel's shared ones).

    :param emitted: the media types the app's emitters render a handler's result in.
    """
    json_body: dict[str, Any] = {"content": {JSON: {"schema": {}}}, "headers": _NO_STORE}
    bad = _problem(document, "An OAuth error: invalid_request, invalid_grant, ...")
    client = _problem(
        document,
        "invalid_client: the client's credentials are wrong (with a Basic challenge when "
        "it sent them in Authorization).",
        {"WWW-Authenticate": {"schema": _STRING}},
    )
    redirect = {
        "description": "To the client's redirect URI, with the result (or the error) in the query.",
        "headers": {"Location": {"schema": _STRING}},
    }
    owner = {"$ref": "#/components/responses/Unauthorized"}
    if kind in ("token", "revoke", "introspect"):
        # RFC 6749 §5.2 (and RFC 7009, 7662 after it): errors are application/json.
        bad = {**bad, "content": {JSON: {"schema": _ref("OAuthError")}}, "headers": _NO_STORE}
        client = {
            **client,
            "content": {JSON: {"schema": _ref("OAuthError")}},
            "headers": {**client["headers"], **_NO_STORE},
        }
    if kind == "token":
        ok = copy.deepcopy(json_body)
        ok["content"][JSON]["schema"] = _ref("OAuthToken")
        return {"200": {"description": "The tokens.", **ok}, "400": bad, "401": client}
    if kind == "revoke":
        ok = copy.deepcopy(json_body)
        ok["content"][JSON]["schema"] = {"type": "object", "maxProperties": 0}
        return {"200": {"description": "Revoked, or unknown.", **ok}, "400": bad, "401": client}
    if kind == "introspect":
        ok = copy.deepcopy(json_body)
        ok["content"][JSON]["schema"] = _ref("OAuthIntrospection")
        return {"200": {"description": "What the token is.", **ok}, "400": bad, "401": client}
    if kind == "oauth1_token":
        body = {FORM: {"schema": _ref("OAuth1Credentials")}}
        return {
            "200": {"description": "The credentials.", "content": body, "headers": _NO_STORE},
            "400": bad,
            "401": _problem(
                document,
                "Unknown consumer or token, bad signature, timestamp "
                "outside the window, or a replayed nonce.",
            ),
        }
    # authorize (OAuth 2.0 and 1.0a): a prompt, a redirect, or (OAuth 1.0a, oob) the
    # verifier as JSON.
    prompt: dict[str, Any] = {
        "content": {media: {"schema": _ref("OAuthConsent")} for media in emitted}
    }
    if kind == "oauth1_authorize":
        prompt["content"].setdefault(JSON, {"schema": {}})["schema"] = {
            "oneOf": [
                _ref("OAuthConsent"),
                {
                    "type": "object",
                    "properties": {"oauth_token": _STRING, "oauth_verifier": _STRING},
                    "required": ["oauth_token", "oauth_verifier"],
                },
            ]
        }
    forbidden = {"$ref": "#/components/responses/Forbidden"}
    return {
        "200": {"description": "The consent prompt (consent = 'prompt').", **prompt},
        "302": redirect,
        "400": bad,
        "401": owner,
        "403": forbidden,
    }


_ENDPOINTS: dict[tuple[str, str], tuple[str, str, str | None]] = {
    # (settings section, path key): (kind, summary, request body schema)
    ("oauth2", "token_path"): ("token", "Issue tokens (RFC 6749 §3.2)", "OAuthTokenRequest"),
    ("oauth2", "revoke_path"): ("revoke", "Revoke a token (RFC 7009)", "OAuthTokenParameter"),
    ("oauth2", "introspect_path"): (
        "introspect",
        "Introspect a token (RFC 7662)",
        "OAuthTokenParameter",
    ),
    ("oauth2", "authorize_path"): (
        "authorize",
        "The resource owner authorizes a client (RFC 6749 §4.1.1)",
        None,
    ),
    ("oauth1", "request_token_path"): (
        "oauth1_token",
        "Temporary credentials (RFC 5849 §2.1); signed",
        None,
    ),
    ("oauth1", "access_token_path"): (
        "oauth1_token",
        "Token credentials (RFC 5849 §2.3); signed",
        None,
    ),
    ("oauth1", "authorize_path"): (
        "oauth1_authorize",
        "The resource owner authorizes a request token (RFC 5849 §2.2)",
        None,
    ),
}


def _query(name: str, text: str, *, required: bool = False, **schema: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "schema": {"type": "string", **schema},
        "description": text,
    }


#: The authorize endpoints read their parameters from the query string (a POST too: it
#: repeats the GET's query and adds the decision as a form).
_QUERY = {
    "authorize": [
        _query("response_type", "Always 'code'.", required=True, enum=["code"]),
        _query("client_id", "The client asking.", required=True),
        _query("redirect_uri", "One of the client's registered redirect URIs."),
        _query("scope", "Space-separated scope names; default: all the client may have."),
        _query("state", "Returned unchanged with the result."),
        _query("code_challenge", "PKCE (RFC 7636): BASE64URL(SHA-256(code_verifier))."),
        _query("code_challenge_method", "Only S256.", enum=["S256"]),
    ],
    "oauth1_authorize": [
        _query("oauth_token", "The request token to authorize.", required=True),
    ],
}


def _describe_endpoints(section: Mapping[str, Any], document: dict[str, Any]) -> None:
    paths = document.get("paths", {})
    for (part, key), (kind, summary, body) in _ENDPOINTS.items():
        item = paths.get(section[part][key]) if section[part][key] else None
        if not isinstance(item, dict):
            continue
        for method, op in item.items():
            if method not in _METHODS or not isinstance(op, dict):
                continue
            op["summary"] = summary
            extra = _QUERY.get(kind, [])
            names = {p["name"] for p in extra}
            kept = [p for p in op.get("parameters", []) if p.get("name") not in names]
            op["parameters"] = [*copy.deepcopy(extra), *kept]
            generated = op.get("responses", {})
            emitted = list(generated.get("200", {}).get("content", {})) or [JSON]
            shared = {k: v for k, v in generated.items() if k not in _OWN_STATUSES}
            op["responses"] = {**_responses(document, kind, emitted), **shared}
            if method == "post":
                # Consent decisions and OAuth 1.0a bodies are forms too; parameters are
                # never read from anything else.
                schema = _ref(body) if body else {"type": "object"}
                op["requestBody"] = {
                    "required": body is not None,
                    "content": {FORM: {"schema": schema}},
                }


def describe(app: App, document: dict[str, Any]) -> None:
    """Complete ``document`` (in place) with what camshaft-oauth knows: its security
    schemes, each operation's scopes, and its endpoints' bodies and responses.

    A scheme name another plugin provides (``oauth2`` or ``oauth1`` not ours) is left as
    that plugin described it.
    """
    section = app.settings.plugin("oauth")
    components = document.setdefault("components", {})
    components.setdefault("schemas", {}).update(copy.deepcopy(SCHEMAS))
    grants = _scope_requirements(app, document)
    schemes = components.setdefault("securitySchemes", {})
    if is_ours(app, "oauth2"):
        supported = section["oauth2"]["scopes_supported"]
        described = _oauth2_scheme(section, _scopes(supported, grants))
        if described is not None:
            schemes["oauth2"] = described
    if is_ours(app, "oauth1"):
        schemes["oauth1"] = _oauth1_scheme(section)
    _describe_endpoints(section, document)
