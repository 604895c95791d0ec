"""X webhook security: the CRC challenge answer and the POST signature check."""

from __future__ import annotations

import base64
import hashlib
import hmac

from carebird.errors import SignatureError

SIGNATURE_HEADER = "x-twitter-webhooks-signature"
_PREFIX = "sha256="


def sign(secret: str, payload: bytes) -> str:
    """The value X puts in the signature header for `payload` (and in a CRC response_token)."""
    digest = hmac.new(secret.encode("utf-8"), payload, hashlib.sha256).digest()
    return _PREFIX + base64.b64encode(digest).decode("ascii")


def crc_response(secret: str, crc_token: str) -> dict[str, str]:
    """The body that proves to X we hold the consumer secret."""
    return {"response_token": sign(secret, crc_token.encode("utf-8"))}


def verify(secret: str, body: bytes, header_value: str | None) -> None:
    """Raise SignatureError unless `header_value` signs `body`; compared in constant time."""
    if not header_value:
        raise SignatureError("missing x-twitter-webhooks-signature header")
    expected = sign(secret, body).encode("ascii")
    if not hmac.compare_digest(expected, header_value.strip().encode("utf-8", "replace")):
        raise SignatureError("signature does not match the request body")
