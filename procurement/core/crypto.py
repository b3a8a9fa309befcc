"""Sealing: authenticated encryption (AES-256-GCM) with keys per tender.

Each tender gets a random data key; it is stored wrapped (encrypted) with a
master key derived from the installation's secret key, bound to the tender's
id. What this protects and what it cannot is explained in the README
("Sealed bids"): the services decide when a key may be used; this module only
encrypts and decrypts. ``cryptography`` is imported where it is used: it loads on the
first sealing, not at start-up (issue 11, cold start).
"""

from __future__ import annotations

import base64
import hashlib
import os

from procurement.core.errors import Conflict
from procurement.core.i18n import N_, _

NONCE = 12


class SealBroken(Conflict):
    """Ciphertext that does not decrypt: tampered with, or the wrong key."""

    code = "seal-broken"
    title = N_("加密数据已损坏")


def master_key(secret: str) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"procurement-seal-v1", info=b"tender-keys").derive(
        secret.encode("utf-8")
    )


def new_key() -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM.generate_key(bit_length=256)


def encrypt(key: bytes, plaintext: bytes, context: bytes) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(NONCE)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, context)


TAG = 16


def sealed_size(plaintext_size: int) -> int:
    """The length of :func:`encrypt`'s result for a plaintext of this many bytes."""
    return NONCE + plaintext_size + TAG


def encrypt_into(key: bytes, plaintext: bytes, context: bytes, out: memoryview) -> None:
    """:func:`encrypt` written into ``out`` (exactly :func:`sealed_size` bytes), the same
    bytes: nonce, then ciphertext and tag. For a large file in a worker thread (issue 11): no
    new megabytes to allocate and fault in, and no second copy to put the nonce in front."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(NONCE)
    out[:NONCE] = nonce
    AESGCM(key).encrypt_into(nonce, plaintext, context, out[NONCE:])


def decrypt(key: bytes, blob: bytes, context: bytes) -> bytes:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        return AESGCM(key).decrypt(blob[:NONCE], blob[NONCE:], context)
    except (InvalidTag, ValueError) as exc:
        raise SealBroken(_("加密数据无法解密：数据在服务器上已损坏或被改动。请联系系统管理员从备份恢复。")) from exc


def wrap_key(master: bytes, key: bytes, context: bytes) -> str:
    return base64.b64encode(encrypt(master, key, context)).decode("ascii")


def unwrap_key(master: bytes, wrapped: str, context: bytes) -> bytes:
    return decrypt(master, base64.b64decode(wrapped), context)


def encrypt_text(key: bytes, text: str, context: bytes) -> str:
    return base64.b64encode(encrypt(key, text.encode("utf-8"), context)).decode("ascii")


def decrypt_text(key: bytes, blob: str, context: bytes) -> str:
    return decrypt(key, base64.b64decode(blob), context).decode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
