"""A minimal but real OpenID Connect provider for tests: discovery, authorize, token, JWKS.

It signs RS256 ID tokens with a fresh key and checks the code, the client, the redirect URI
and PKCE, so Prasan's side of the protocol is exercised end to end over HTTP. "Authorize"
signs in a fixed test person at once (no login screen), as a national ID app would after the
person confirmed on their phone.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from typing import Any

from fastapi import FastAPI, Form, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse
from joserfc import jwk, jwt


def make_provider(*, client_id: str, claims: dict[str, Any]) -> tuple[FastAPI, dict[str, Any]]:
    key = jwk.RSAKey.generate_key(2048, parameters={"kid": "test-key"})
    app = FastAPI()
    state: dict[str, Any] = {"codes": {}, "issuer": ""}

    @app.get("/.well-known/openid-configuration")
    def discovery(request: Request) -> JSONResponse:
        base = state["issuer"]
        return JSONResponse({
            "issuer": base,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "jwks_uri": f"{base}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
        })  # fmt: skip

    @app.get("/jwks")
    def jwks() -> JSONResponse:
        return JSONResponse(
            {
                "keys": [
                    key.as_dict(private=False) | {"kid": "test-key", "use": "sig", "alg": "RS256"}
                ]
            }
        )

    @app.get("/authorize")
    def authorize(
        client_id: str, redirect_uri: str, state: str, nonce: str, code_challenge: str = "",
        response_type: str = "code", scope: str = "", code_challenge_method: str = "",
    ) -> RedirectResponse:  # fmt: skip
        if client_id != expected_client or response_type != "code" or "openid" not in scope.split():
            raise HTTPException(400, "bad authorization request")
        code = secrets.token_urlsafe(16)
        codes[code] = {"redirect_uri": redirect_uri, "nonce": nonce, "challenge": code_challenge}
        return RedirectResponse(f"{redirect_uri}?code={code}&state={state}", status_code=302)

    @app.post("/token")
    def token(
        grant_type: str = Form(), code: str = Form(), redirect_uri: str = Form(),
        client_id: str = Form(""), code_verifier: str = Form(""),
    ) -> JSONResponse:  # fmt: skip
        grant = codes.pop(code, None)
        if (
            grant is None
            or grant_type != "authorization_code"
            or redirect_uri != grant["redirect_uri"]
        ):
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        if grant["challenge"]:
            digest = base64.urlsafe_b64encode(hashlib.sha256(code_verifier.encode()).digest())
            if digest.rstrip(b"=").decode() != grant["challenge"]:
                return JSONResponse(
                    {"error": "invalid_grant", "error_description": "PKCE"}, status_code=400
                )
        now = int(time.time())
        id_token = jwt.encode(
            {"alg": "RS256", "kid": "test-key"},
            {"iss": state_["issuer"], "aud": expected_client, "iat": now, "exp": now + 300,
             "nonce": grant["nonce"], **claims},
            key,
        )  # fmt: skip
        return JSONResponse({"access_token": secrets.token_urlsafe(16), "token_type": "Bearer",
                             "expires_in": 300, "id_token": id_token})  # fmt: skip

    expected_client = client_id
    codes: dict[str, Any] = state["codes"]
    state_ = state
    return app, state
