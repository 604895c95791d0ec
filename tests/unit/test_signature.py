import base64
import hashlib
import hmac

import pytest

from carebird.errors import SignatureError
from carebird.x.signature import crc_response, sign, verify


def test_crc_response_is_base64_hmac_sha256_of_the_token_keyed_by_the_consumer_secret():
    expected = base64.b64encode(hmac.new(b"secret", b"token-123", hashlib.sha256).digest()).decode()

    assert crc_response("secret", "token-123") == {"response_token": "sha256=" + expected}


def test_a_body_signed_with_the_consumer_secret_verifies():
    body = b'{"for_user_id": "1"}'

    verify("secret", body, sign("secret", body))


@pytest.mark.parametrize("header", [None, "", "sha256=", "sha256=AAAA", "garbage", "sha256=é"])
def test_missing_or_wrong_signatures_are_rejected(header):
    with pytest.raises(SignatureError):
        verify("secret", b"{}", header)


def test_a_signature_of_another_body_is_rejected():
    with pytest.raises(SignatureError):
        verify("secret", b'{"a": 2}', sign("secret", b'{"a": 1}'))


def test_a_signature_made_with_another_secret_is_rejected():
    with pytest.raises(SignatureError):
        verify("secret", b"{}", sign("other", b"{}"))
