"""The one gate for a social worker's 居民身份证 number (个人信息保护法: sensitive
personal information).

The number is stored encrypted (AES-256-GCM through ``procurement.core.crypto``, with
a key derived from the installation's secret key and bound to the organization), a
keyed hash finds the same number again without decrypting anything, and the masked
form is what everyone may see. Decryption happens only in ``reveal``, which the
services call after ``policies.sees_id_number`` allowed it and with an audit row.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from contracts.staffing import rules
from procurement.core import crypto
from procurement.settings import get_settings


@lru_cache(maxsize=4)
def _keys(secret: str) -> tuple[bytes, bytes]:
    from cryptography.hazmat.primitives import hashes  # on first use, not at start-up (issue 11)
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    def derive(info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"procurement-personal-v1", info=info).derive(
            secret.encode("utf-8")
        )

    return derive(b"id-number-encryption"), derive(b"id-number-lookup")


def _secret() -> str:
    return get_settings().resolved_secret_key()


def _context(organization_id: int) -> bytes:
    return f"social-worker-id:{organization_id}".encode()


def lookup_hash(number: str) -> str:
    """The keyed hash of a (normalized) number: equal numbers, equal hashes; without the
    installation's secret it cannot be guessed from the 18 digits."""
    return hmac.new(_keys(_secret())[1], number.encode("ascii"), hashlib.sha256).hexdigest()


def seal(number: str, organization_id: int) -> tuple[str, str, str]:
    """(cipher, lookup hash, masked form) of a validated, normalized number."""
    cipher = crypto.encrypt_text(_keys(_secret())[0], number, _context(organization_id))
    return cipher, lookup_hash(number), rules.mask_id_number(number)


def reveal(cipher: str, organization_id: int) -> str:
    """The plain number. Callers: services, after the policy allowed it and an audit row."""
    return crypto.decrypt_text(_keys(_secret())[0], cipher, _context(organization_id))
