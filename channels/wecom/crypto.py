"""WeCom's callback encryption (the scheme of its WXBizMsgCrypt samples).

* ``msg_signature`` is the hex SHA-1 of the token, ``timestamp``, ``nonce`` and the
  encrypted text (``echostr`` of the URL handshake, ``Encrypt`` of a message), sorted
  and joined.
* The AES key is the base64 decoding of ``EncodingAESKey`` + "=" (32 bytes), the IV its
  first 16 bytes; AES-256-CBC, PKCS#7 padded to 32 bytes. The plain text is 16 random
  bytes, the message's length (4 bytes, network order), the message, and the receiver's
  id (the CorpID).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import struct

from channels import signing

BLOCK = 32


def aes_key(encoding_aes_key: str) -> bytes:
    """The AES key of a 43-character ``EncodingAESKey``; ``ValueError`` for anything else."""
    if len(encoding_aes_key) != 43:
        raise ValueError("EncodingAESKey must be 43 characters")
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except binascii.Error:
        raise ValueError("EncodingAESKey is not base64") from None
    if len(key) != 32:
        raise ValueError("EncodingAESKey does not decode to 32 bytes")
    return key


def signature(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    joined = "".join(sorted([token, timestamp, nonce, encrypted])).encode()
    # WeCom's scheme is SHA-1; what it signs is also sealed with AES and checked for our CorpID.
    return hashlib.sha1(joined, usedforsecurity=False).hexdigest()


def decrypt(key: bytes, encrypted: str) -> tuple[bytes, str]:
    """The message and the receiver id it was sealed for; ``ValueError`` when it is not
    base64 of whole blocks, the padding or the length does not check out."""
    try:
        raw = base64.b64decode(encrypted, validate=True)
    except binascii.Error:
        raise ValueError("not base64") from None
    plain = signing.aes_cbc_decrypt(key, key[:16], raw, block=BLOCK)
    if len(plain) < 20:
        raise ValueError("too short")
    (length,) = struct.unpack(">I", plain[16:20])
    if length > len(plain) - 20:
        raise ValueError("bad length")
    message, receiver = plain[20 : 20 + length], plain[20 + length :]
    try:
        return message, receiver.decode()
    except UnicodeDecodeError:
        raise ValueError("bad receiver id") from None


def encrypt(key: bytes, message: bytes, receiver: str, nonce16: bytes | None = None) -> str:
    """What WeCom sends (the tests' deliveries use it)."""
    plain = (nonce16 or os.urandom(16)) + struct.pack(">I", len(message)) + message
    sealed = signing.aes_cbc_encrypt(key, key[:16], plain + receiver.encode(), block=BLOCK)
    return base64.b64encode(sealed).decode()
