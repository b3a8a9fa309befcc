"""The platform's PAdES signature: a signed PDF validates, any change shows,
the demo certificate is made once (mode 600) and a configured one is used."""

from __future__ import annotations

import datetime as dt
import io
import stat
import subprocess

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pypdf import PdfReader

from procurement.core import pdfsign
from procurement.core.errors import ConfigurationError
from procurement.core.pdf import render_template_pdf
from procurement.core.pdfsign import Integrity
from procurement.settings import reset_settings_cache


@pytest.fixture
def own_var_dir(tmp_path, monkeypatch):
    """A fresh var dir, so the demo certificate is generated in the test."""
    monkeypatch.setenv("PROCUREMENT_VAR_DIR", str(tmp_path))
    reset_settings_cache()
    pdfsign.reset_cache()
    yield tmp_path
    reset_settings_cache()
    pdfsign.reset_cache()


@pytest.fixture(scope="module")
def unsigned_pdf() -> bytes:
    return render_template_pdf("pdf/sample.html", {})


@pytest.fixture(scope="module")
def signed_pdf(unsigned_pdf) -> bytes:
    return pdfsign.sign_pdf(unsigned_pdf)


def flip_byte(data: bytes, index: int) -> bytes:
    changed = bytearray(data)
    changed[index] ^= 0x01
    return bytes(changed)


def test_a_signed_pdf_validates_as_intact_and_covers_the_whole_file(signed_pdf):
    check = pdfsign.verify(signed_pdf)

    assert check.integrity is Integrity.INTACT
    assert check.ok and check.intact and check.covers_whole_file
    assert check.by_platform
    assert check.signer is not None and "政府购买服务管理平台" in check.signer


def test_the_signature_is_pades(signed_pdf):
    reader = PdfReader(io.BytesIO(signed_pdf))
    fields = reader.get_fields() or {}
    signature = fields[pdfsign.SIGNATURE_FIELD]["/V"]

    assert signature["/SubFilter"] == "/ETSI.CAdES.detached"


def test_signing_keeps_the_unsigned_revision_byte_for_byte(unsigned_pdf, signed_pdf):
    assert signed_pdf.startswith(unsigned_pdf)


def test_one_changed_byte_inside_the_signed_range_is_reported_as_modified(unsigned_pdf, signed_pdf):
    # The middle of the original revision: page content, inside the signed range.
    check = pdfsign.verify(flip_byte(signed_pdf, len(unsigned_pdf) // 2))

    assert check.integrity in (Integrity.MODIFIED, Integrity.UNREADABLE)
    assert not check.ok and not check.intact


@pytest.mark.parametrize("where", [0.1, 0.3, 0.7, 0.95])
def test_changes_anywhere_in_the_document_never_validate(unsigned_pdf, signed_pdf, where):
    check = pdfsign.verify(flip_byte(signed_pdf, int(len(unsigned_pdf) * where)))

    assert not check.ok


def test_bytes_appended_after_signing_are_reported(signed_pdf):
    check = pdfsign.verify(signed_pdf + b"\n%% appended later\n")

    assert check.integrity is Integrity.MODIFIED
    assert check.intact and not check.covers_whole_file


def test_an_unsigned_pdf_and_garbage_are_told_apart(unsigned_pdf):
    assert pdfsign.verify(unsigned_pdf).integrity is Integrity.UNSIGNED
    assert pdfsign.verify(b"not a pdf at all").integrity is Integrity.UNREADABLE


def test_the_demo_certificate_is_made_once_with_mode_600_and_reused(own_var_dir, unsigned_pdf):
    first = pdfsign.platform_signer()
    path = own_var_dir / pdfsign.DEMO_CERT_FILE
    made = path.read_bytes()
    pdfsign.reset_cache()  # as a new process would
    second = pdfsign.platform_signer()

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes() == made
    assert first.cert_sha256 == second.cert_sha256
    assert first.self_signed
    assert "CN=政府购买服务管理平台（演示）" in first.subject
    assert pdfsign.verify(pdfsign.sign_pdf(unsigned_pdf)).by_platform


def test_a_pdf_signed_by_another_certificate_is_intact_but_not_the_platforms(own_var_dir, unsigned_pdf, signed_pdf):
    # own_var_dir made a new demo certificate: signed_pdf was signed with the suite's one.
    check = pdfsign.verify(signed_pdf)

    assert check.intact and check.covers_whole_file
    assert not check.by_platform


def make_p12(password: bytes | None) -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Shangcheng Civil Affairs Bureau")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    return pkcs12.serialize_key_and_certificates(b"bureau", key, cert, None, encryption)


def test_a_configured_p12_with_its_password_signs_instead_of_the_demo_one(own_var_dir, monkeypatch, unsigned_pdf):
    p12 = own_var_dir / "bureau.p12"
    p12.write_bytes(make_p12(b"s3cret"))
    monkeypatch.setenv("PROCUREMENT_PDF_SIGNING_P12", str(p12))
    monkeypatch.setenv("PROCUREMENT_PDF_SIGNING_P12_PASSWORD", "s3cret")
    reset_settings_cache()

    check = pdfsign.verify(pdfsign.sign_pdf(unsigned_pdf))

    assert check.ok and check.by_platform
    assert check.signer is not None and "Shangcheng Civil Affairs Bureau" in check.signer
    assert not (own_var_dir / pdfsign.DEMO_CERT_FILE).exists()


def test_a_wrong_password_is_a_configuration_error_that_names_the_setting(own_var_dir, monkeypatch):
    p12 = own_var_dir / "bureau.p12"
    p12.write_bytes(make_p12(b"s3cret"))
    monkeypatch.setenv("PROCUREMENT_PDF_SIGNING_P12", str(p12))
    monkeypatch.setenv("PROCUREMENT_PDF_SIGNING_P12_PASSWORD", "wrong")
    reset_settings_cache()

    with pytest.raises(ConfigurationError, match="PROCUREMENT_PDF_SIGNING_P12"):
        pdfsign.platform_signer()


async def test_signing_and_verifying_run_off_the_event_loop(unsigned_pdf):
    signed = await pdfsign.sign_pdf_async(unsigned_pdf)

    assert (await pdfsign.verify_async(signed)).ok


def test_an_independent_reader_poppler_finds_the_signature_valid_and_covering_the_document(signed_pdf, tmp_path):
    # poppler-utils is installed by scripts/setup (pdftoppm, pdffonts); pdfsig is an outside opinion.
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed_pdf)
    result = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60, check=False)

    assert "Signature is Valid" in result.stdout, result.stdout + result.stderr
    assert "Total document signed" in result.stdout

    path.write_bytes(flip_byte(signed_pdf, len(signed_pdf) // 3))
    tampered = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60, check=False)
    assert "Signature is Valid" not in tampered.stdout
