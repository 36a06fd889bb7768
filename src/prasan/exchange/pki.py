"""The platform's own certificate authority, for mutual TLS between the hub and providers.

A member's certificate binds its member id (subject CN, and the SAN URI
``urn:prasan:member:<member id>``) to one of its registered Ed25519 keys, so a TLS peer can be
tied to a directory entry. TLS protects the channel; who asked and who answered is still proved
by the message signatures, which survive proxies and are what the log records.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from collections.abc import Sequence
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from prasan.core.errors import ConfigurationError
from prasan.core.settings import Settings
from prasan.exchange import keystore
from prasan.exchange.signing import load_private_key, save_private_key

URI_PREFIX = "urn:prasan:member:"


def ca_paths(settings: Settings) -> tuple[Path, Path]:
    d = keystore.key_dir(settings)
    return d / "ca.pem", d / "ca.crt"


def init_ca(settings: Settings, *, years: int = 10) -> x509.Certificate:
    """The CA certificate, created (with its key) on first use."""
    key_path, cert_path = ca_paths(settings)
    if cert_path.exists():
        return x509.load_pem_x509_certificate(cert_path.read_bytes())
    key = Ed25519PrivateKey.generate()
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "TH"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Prasan data exchange"),
            x509.NameAttribute(NameOID.COMMON_NAME, "Prasan exchange CA"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, algorithm=None)
    )
    save_private_key(key, key_path)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert


def issue(
    settings: Settings,
    *,
    member_id: str,
    public_key: Ed25519PublicKey,
    dns_names: Sequence[str] = (),
    ip_addresses: Sequence[str] = (),
    days: int = 365,
) -> x509.Certificate:
    """A certificate for one member key, for TLS client and server use."""
    ca_cert = init_ca(settings)
    ca_key = load_private_key(ca_paths(settings)[0])
    agency = member_id.split("/")[2] if member_id.count("/") >= 3 else member_id
    san: list[x509.GeneralName] = [x509.UniformResourceIdentifier(URI_PREFIX + member_id)]
    san += [x509.DNSName(d) for d in dns_names]
    san += [x509.IPAddress(ipaddress.ip_address(a)) for a in ip_addresses]
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.COUNTRY_NAME, "TH"),
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, agency),
                    x509.NameAttribute(NameOID.COMMON_NAME, member_id),
                ]
            )
        )
        .issuer_name(ca_cert.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName(san), critical=False)
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.SERVER_AUTH]
            ),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca_cert.public_key()  # type: ignore[arg-type]
            ),
            critical=False,
        )
        .sign(ca_key, algorithm=None)
    )


def member_of(cert: x509.Certificate) -> str:
    """The member id a certificate names (from its SAN URI)."""
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    for uri in san.get_values_for_type(x509.UniformResourceIdentifier):
        if uri.startswith(URI_PREFIX):
            return uri[len(URI_PREFIX) :]
    raise ValueError("the certificate names no exchange member")


def check(
    cert: x509.Certificate, ca_cert: x509.Certificate, *, now: dt.datetime | None = None
) -> str:
    """The member id of a certificate the CA issued and that is valid now; raises otherwise."""
    now = now or dt.datetime.now(dt.UTC)
    try:
        cert.verify_directly_issued_by(ca_cert)
    except (InvalidSignature, TypeError) as exc:
        raise ValueError("the certificate was not issued by the platform CA") from exc
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        raise ValueError("the certificate is not valid at this time")
    return member_of(cert)


def pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def client_context(settings: Settings, *, cert_file: Path, key_file: Path) -> ssl.SSLContext:
    """TLS for the hub's calls to providers: trust only the platform CA, present the hub's
    certificate."""
    _, ca_cert = ca_paths(settings)
    if not ca_cert.exists():
        raise ConfigurationError(
            "No exchange CA: run `prasan exchange ca init` and issue certificates first",
            detail_th="ยังไม่มีผู้ออกใบรับรองของระบบแลกเปลี่ยนข้อมูล",
        )
    ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=str(ca_cert))
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.load_cert_chain(str(cert_file), str(key_file))
    return ctx


def cert_path(settings: Settings, kid: str) -> Path:
    return keystore.key_path(settings, kid).with_suffix(".crt")
