"""Digital signatures of issued documents (电子印章 any reader can check): a portal CA, one
signing key and certificate per issuing agency, a PAdES signature on every issued PDF and its
validation against the CA.

Keys live as PEM files in ``settings.DOCUMENT_SIGNING_DIR`` (never in the database or the
repository)::

    ca.key.pem, ca.cert.pem                  the portal CA (ECDSA P-256, 20 years)
    agencies/<agency id>.key.pem, .cert.pem  each agency's key (ECDSA P-256, 10 years)

``documents_keys`` (and ``seed_demo``) create what is missing; an agency added later gets its
key from the CA at its first issue. The signature is invisible: the seal stays the SVG printed
by the template in every page's footer, where the layout places it (a visible signature
widget would sit on one page only and fight the running footer).

pyHanko's import is heavy; it happens inside the functions that need it.
"""

import asyncio
import concurrent.futures
import contextlib
import datetime
import fcntl
import functools
import io
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

CA_KEY = "ca.key.pem"
CA_CERT = "ca.cert.pem"
CA_NAME = "社会保险关系转移接续平台文书签章根证书"
ORGANIZATION = "社会保险关系转移接续平台"
SIGNATURE_FIELD = "Seal"
SIGNATURE_BYTES_RESERVED = 4096
_lock = threading.Lock()


@contextlib.contextmanager
def _keys_locked(directory: Path):
    """One writer or loader of key files at a time, across threads and processes (web and
    worker share the directory): a key is never read beside another generation's cert."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    with _lock, open(directory / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def signing_dir() -> Path:
    return Path(settings.DOCUMENT_SIGNING_DIR)


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _name(common_name: str, unit: str = ""):
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION),
    ]
    if unit:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


def _pem_key(key) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _pem_cert(cert) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return cert.public_bytes(serialization.Encoding.PEM)


def _key_usage(**allowed):
    from cryptography import x509

    flags = dict.fromkeys(
        ["digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
         "key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only"],
        False,
    )  # fmt: skip
    return x509.KeyUsage(**(flags | allowed))


def ensure_ca(directory: Path | None = None) -> bool:
    """Create the portal CA in ``directory`` unless it exists. True when created."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    directory = directory or signing_dir()
    if (directory / CA_KEY).exists() and (directory / CA_CERT).exists():
        return False
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    name = _name(CA_NAME)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365 * 20))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            _key_usage(key_cert_sign=True, crl_sign=True),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    _write_private(directory / CA_KEY, _pem_key(key))
    (directory / CA_CERT).write_bytes(_pem_cert(cert))
    logger.info("Created the document signing CA in %s", directory)
    return True


def _agency_paths(directory: Path, agency_id: int) -> tuple[Path, Path]:
    base = directory / "agencies"
    return base / f"{agency_id}.key.pem", base / f"{agency_id}.cert.pem"


def _load_cert(path: Path):
    from cryptography import x509

    return x509.load_pem_x509_certificate(path.read_bytes())


def _common_name(cert) -> str:
    from cryptography.x509.oid import NameOID

    return cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value


def ensure_agency_key(agency, directory: Path | None = None) -> bool:
    """Create ``agency``'s key and certificate (issued by the CA) unless a certificate for its
    current name exists. True when created. The CA must exist."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    directory = directory or signing_dir()
    key_path, cert_path = _agency_paths(directory, agency.pk)
    if (
        key_path.exists()
        and cert_path.exists()
        and _common_name(_load_cert(cert_path)) == agency.name
    ):
        return False
    if not (directory / CA_KEY).exists():
        raise ImproperlyConfigured(
            f"No document signing CA in {directory}: run `manage.py documents_keys`."
        )
    ca_key = serialization.load_pem_private_key((directory / CA_KEY).read_bytes(), None)
    ca_cert = _load_cert(directory / CA_CERT)
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(agency.name, unit=agency.region_id))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365 * 10))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            _key_usage(digital_signature=True, content_commitment=True),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    _write_private(key_path, _pem_key(key))
    cert_path.write_bytes(_pem_cert(cert))
    _signer.cache_clear()
    logger.info("Created the document signing key of agency %s (%s)", agency.pk, agency.name)
    return True


def ensure_keys(agencies, directory: Path | None = None) -> tuple[bool, int]:
    """The CA and every agency's key: (CA created, agency keys created). Idempotent."""
    directory = directory or signing_dir()
    with _keys_locked(directory):
        created_ca = ensure_ca(directory)
        created = sum(ensure_agency_key(agency, directory) for agency in agencies)
    return created_ca, created


@functools.cache
def _signer(directory: str, agency_id: int, mtime_ns: int):
    from pyhanko.sign import signers

    key_path, cert_path = _agency_paths(Path(directory), agency_id)
    return signers.SimpleSigner.load(
        str(key_path), str(cert_path), ca_chain_files=(str(Path(directory) / CA_CERT),)
    )


def ensure_signer(agency) -> None:
    """Make sure ``agency`` can sign (its key is created from the CA if needed); raises
    ImproperlyConfigured when there is no CA. Called before a number is taken."""
    directory = signing_dir()
    with _keys_locked(directory):
        ensure_agency_key(agency, directory)


def _outside_any_event_loop(function, *args, **kwargs):
    """Call ``function`` (pyHanko's synchronous API, which runs ``asyncio.run`` inside) in a
    thread of its own when this thread already runs an event loop (an ASGI server, a test
    driving a browser); directly otherwise."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def sign_pdf(pdf: bytes, *, agency) -> bytes:
    """``pdf`` with an invisible PAdES signature (B-B, SHA-256) by ``agency``'s key."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    directory = signing_dir()
    with _keys_locked(directory):
        ensure_agency_key(agency, directory)
        _key_path, cert_path = _agency_paths(directory, agency.pk)
        signer = _signer(str(directory), agency.pk, cert_path.stat().st_mtime_ns)
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        name=agency.name,
        reason="电子印章",
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    # A fixed reservation (the CMS with two P-256 certificates is about 1.5 KB) saves the dummy
    # signature pyHanko otherwise makes to estimate it: half the signing time.
    output = _outside_any_event_loop(
        signers.PdfSigner(metadata, signer=signer).sign_pdf,
        writer,
        bytes_reserved=SIGNATURE_BYTES_RESERVED,
    )
    return output.getvalue()


@functools.cache
def _trust_root(path: str, mtime: float):
    from asn1crypto import pem, x509

    data = Path(path).read_bytes()
    _type, _headers, der = pem.unarmor(data)
    return x509.Certificate.load(der)


@dataclass(frozen=True)
class SignatureCheck:
    """The outcome of validating the signatures of an uploaded PDF."""

    signed: bool  # it carries at least one signature
    valid: bool  # a signature by a portal agency, intact, trusted, covering the whole file
    signer: str = ""  # the agency named in the certificate
    intact: bool = False  # the signed bytes are unchanged
    trusted: bool = False  # the certificate chains to the portal CA
    whole_file: bool = False  # nothing was added after signing
    signed_at: datetime.datetime | None = None


def check_signature(data: bytes) -> SignatureCheck:
    """Validate the last signature of ``data`` with pyHanko against the portal CA.

    Never raises on a damaged or foreign file: that is an unsigned or invalid result."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    ca_path = signing_dir() / CA_CERT
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception as error:  # untrusted bytes: any parser failure means "no signature"
        logger.info("Uploaded PDF unreadable for signatures: %r", error)
        return SignatureCheck(signed=False, valid=False)
    if not signatures:
        return SignatureCheck(signed=False, valid=False)
    if not ca_path.exists():
        logger.warning("No signing CA in %s: signatures cannot be checked", ca_path.parent)
        return SignatureCheck(signed=True, valid=False)
    context = ValidationContext(
        trust_roots=[_trust_root(str(ca_path), ca_path.stat().st_mtime)],
        allow_fetching=False,
        revocation_mode="soft-fail",
    )
    embedded = signatures[-1]
    try:
        status = _outside_any_event_loop(validate_pdf_signature, embedded, context)
    except Exception as error:  # a malformed signature is an invalid one, never a 500
        logger.info("Signature validation failed: %r", error)
        return SignatureCheck(signed=True, valid=False)
    signer = ""
    with contextlib.suppress(AttributeError, ValueError):
        signer = status.signing_cert.subject.native.get("common_name", "")
    whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    return SignatureCheck(
        signed=True,
        valid=bool(status.bottom_line and whole_file and len(signatures) == 1),
        signer=signer,
        intact=bool(status.intact),
        trusted=bool(status.trusted),
        whole_file=whole_file,
        signed_at=status.signer_reported_dt,
    )
