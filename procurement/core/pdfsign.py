"""The platform's digital signature on the PDFs it issues (PAdES, with pyHanko).

A signed PDF carries a CMS signature over every byte of the file except the
signature itself; any later change (one byte edited, a page swapped, an
incremental update appended) shows in a PDF reader's signature panel and in
``verify``. It proves *the platform issued these bytes*; the parties' own
signatures and seals are still on paper or recorded by the system.

The key and certificate come from one PKCS#12 file:

- ``PROCUREMENT_PDF_SIGNING_P12`` (+ ``PROCUREMENT_PDF_SIGNING_P12_PASSWORD``):
  a certificate issued to the bureau or the platform by a CA (the production
  case; a reader trusts it when it chains to a root it knows);
- unset: a self-signed demo certificate ("CN=政府购买服务管理平台（演示）",
  EC P-256, ten years) generated on first use and kept in
  ``<var>/pdf_signing.p12`` (mode 600, no password), created the same way as
  the audit anchor key: written to a temporary file and hard-linked into place,
  so two processes starting together end with one certificate. A reader shows
  such a signature as intact but its signer as unknown.

Signing and validation are CPU work and pyHanko runs its own event loop inside
its synchronous API, so callers on the event loop use ``sign_pdf_async`` /
``verify_async`` (``asyncio.to_thread``); the synchronous functions must not be
called from a running loop.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import hashlib
import io
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from procurement.core.errors import ConfigurationError
from procurement.core.i18n import _
from procurement.settings import get_settings

if TYPE_CHECKING:
    from pyhanko.sign.signers import SimpleSigner

log = logging.getLogger("procurement.pdfsign")

DEMO_CERT_FILE = "pdf_signing.p12"
DEMO_COMMON_NAME = "政府购买服务管理平台（演示）"  # i18n: data (a certificate's subject, fixed once issued)
DEMO_ORGANIZATION = "政府购买服务管理平台"  # i18n: data
DEMO_VALID_DAYS = 3650
SIGNATURE_FIELD = "PlatformSignature"


@dataclass(frozen=True)
class PlatformSigner:
    """The loaded key material: the pyHanko signer and the certificate's facts."""

    signer: SimpleSigner
    certificate_der: bytes
    subject: str
    cert_sha256: str
    self_signed: bool


_lock = threading.Lock()
_cache: dict[str, PlatformSigner] = {}


def demo_cert_path() -> Path:
    return get_settings().var_dir / DEMO_CERT_FILE


def _configured() -> tuple[Path, bytes | None] | None:
    settings = get_settings()
    if not settings.pdf_signing_p12:
        return None
    password = settings.pdf_signing_p12_password.get_secret_value()
    return Path(settings.pdf_signing_p12), (password.encode() if password else None)


def _make_demo_p12() -> bytes:
    # Imported here: certificates are only built or read when a PDF is signed (issue 11, cold start).
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, DEMO_ORGANIZATION),
            x509.NameAttribute(NameOID.COMMON_NAME, DEMO_COMMON_NAME),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=DEMO_VALID_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return pkcs12.serialize_key_and_certificates(b"platform", key, cert, None, serialization.NoEncryption())


def _ensure_demo_file(path: Path) -> None:
    """Create the demo certificate once (mode 600); a concurrent creator's file wins."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_bytes(_make_demo_p12())
    tmp.chmod(0o600)
    try:
        os.link(tmp, path)  # fails if another process made it first: keep theirs
        log.warning("generated a self-signed demo PDF signing certificate in %s", path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)


def platform_signer() -> PlatformSigner:
    """The configured certificate, or the demo one (generated on first use)."""
    configured = _configured()
    if configured is None:
        path, password = demo_cert_path(), None
        with _lock:
            _ensure_demo_file(path)
    else:
        path, password = configured
    cache_key = f"{path}:{hashlib.sha256(password or b'').hexdigest()}"
    cached = _cache.get(cache_key)
    if cached is not None:
        return cached
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        data = path.read_bytes()
        key, cert, _others = pkcs12.load_key_and_certificates(data, password)
    except (OSError, ValueError) as exc:
        raise ConfigurationError(
            _("无法读取 PDF 签名证书 {path}：{error}。请检查 PROCUREMENT_PDF_SIGNING_P12 及其密码。").format(
                path=path, error=exc
            )
        ) from exc
    if key is None or cert is None:
        raise ConfigurationError(_("PDF 签名证书文件 {path} 中没有私钥或证书。").format(path=path))

    from pyhanko.sign.signers import SimpleSigner

    signer = SimpleSigner.load_pkcs12_data(data, other_certs=[], passphrase=password)
    der = cert.public_bytes(serialization.Encoding.DER)
    loaded = PlatformSigner(
        signer=signer,
        certificate_der=der,
        subject=cert.subject.rfc4514_string(),
        cert_sha256=hashlib.sha256(der).hexdigest(),
        self_signed=cert.subject == cert.issuer,
    )
    _cache[cache_key] = loaded
    return loaded


def reset_cache() -> None:
    """Forget loaded certificates (tests that change the settings or the var dir)."""
    _cache.clear()


def sign_pdf(pdf_bytes: bytes, *, reason: str | None = None, location: str | None = None) -> bytes:
    """Return ``pdf_bytes`` with the platform's PAdES signature appended (an
    incremental update, so the unsigned revision stays byte-for-byte inside).
    Synchronous and CPU-bound: from the event loop use ``sign_pdf_async``."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    platform = platform_signer()
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason or _("政府购买服务管理平台签发；签发后任何改动都会使本签名失效。"),
        location=location,
    )
    out = signers.sign_pdf(writer, meta, signer=platform.signer)
    return out.getvalue()


async def sign_pdf_async(pdf_bytes: bytes, *, reason: str | None = None, location: str | None = None) -> bytes:
    return await asyncio.to_thread(sign_pdf, pdf_bytes, reason=reason, location=location)


class Integrity(enum.StrEnum):
    INTACT = "intact"  # the signature's hash matches and it covers the whole file
    MODIFIED = "modified"  # the signed bytes changed, or something was appended after signing
    UNSIGNED = "unsigned"  # a readable PDF without any signature
    UNREADABLE = "unreadable"  # not a PDF pyHanko can parse (often: a damaged or edited file)


@dataclass(frozen=True)
class SignatureCheck:
    """What ``verify`` found. ``integrity`` is the answer; the rest explains it.

    Trust is reported apart from integrity: a self-signed demo certificate gives
    ``intact`` with ``by_platform=True`` (the certificate is this platform's own)
    though no reader trusts it."""

    integrity: Integrity
    intact: bool = False
    covers_whole_file: bool = False
    by_platform: bool = False
    signer: str | None = None
    cert_sha256: str | None = None
    signed_at: dt.datetime | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.integrity is Integrity.INTACT


def verify(pdf_bytes: bytes) -> SignatureCheck:
    """Check the last signature of a PDF: are the signed bytes unchanged and do
    they cover the whole file? Offline (no revocation fetching); the platform's
    own certificate is the only trust root given. Synchronous: see ``verify_async``."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        signatures = reader.embedded_signatures
    except (PdfError, ValueError, KeyError, IndexError, TypeError) as exc:
        return SignatureCheck(Integrity.UNREADABLE, detail=str(exc))
    if not signatures:
        return SignatureCheck(Integrity.UNSIGNED)
    embedded = signatures[-1]
    platform = platform_signer()
    context = ValidationContext(
        trust_roots=[platform.signer.signing_cert],
        allow_fetching=False,
        revocation_mode="soft-fail",
    )
    try:
        status = validate_pdf_signature(embedded, context, skip_diff=True)
    except Exception as exc:  # pyHanko raises many kinds of error on a tampered file
        return SignatureCheck(Integrity.MODIFIED, detail=f"{type(exc).__name__}: {exc}")
    cert_der = status.signing_cert.dump()
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    intact = bool(status.intact and status.valid)
    return SignatureCheck(
        integrity=Integrity.INTACT if intact and whole else Integrity.MODIFIED,
        intact=intact,
        covers_whole_file=whole,
        by_platform=hashlib.sha256(cert_der).hexdigest() == platform.cert_sha256,
        signer=status.signing_cert.subject.human_friendly,
        cert_sha256=hashlib.sha256(cert_der).hexdigest(),
        signed_at=status.signer_reported_dt,
    )


async def verify_async(pdf_bytes: bytes) -> SignatureCheck:
    return await asyncio.to_thread(verify, pdf_bytes)
