"""Feishu's event encryption and request signature, as its "接收事件" guide documents.

* Encrypted events arrive as ``{"encrypt": base64(iv + AES-256-CBC(event))}``, the key
  being the SHA-256 of the app's Encrypt Key and the IV the first 16 bytes of the decoded
  payload (PKCS#7 to the AES block).
* ``X-Lark-Signature`` is the hex SHA-256 of ``X-Lark-Request-Timestamp`` +
  ``X-Lark-Request-Nonce`` + the Encrypt Key (UTF-8) followed by the raw body.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os

from channels import signing


def signature(timestamp: str, nonce: str, encrypt_key: str, body: bytes) -> str:
    return hashlib.sha256((timestamp + nonce + encrypt_key).encode() + body).hexdigest()


def _key(encrypt_key: str) -> bytes:
    return hashlib.sha256(encrypt_key.encode()).digest()


def decrypt(encrypt_key: str, encrypted: str) -> bytes:
    """The plain event; ``ValueError`` when it is not base64 of IV + whole blocks, or the
    padding does not check out (a wrong key, a damaged payload)."""
    try:
        raw = base64.b64decode(encrypted, validate=True)
    except binascii.Error:
        raise ValueError("not base64") from None
    if len(raw) < 32:
        raise ValueError("too short")
    return signing.aes_cbc_decrypt(_key(encrypt_key), raw[:16], raw[16:], block=16)


def encrypt(encrypt_key: str, plain: bytes, iv: bytes | None = None) -> str:
    """What Feishu sends (the tests' deliveries use it)."""
    iv = iv or os.urandom(16)
    sealed = signing.aes_cbc_encrypt(_key(encrypt_key), iv, plain, block=16)
    return base64.b64encode(iv + sealed).decode()
