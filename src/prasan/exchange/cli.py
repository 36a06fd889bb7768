"""``prasan exchange ...``: members, keys, services, rights, consent, the log, and running the
hub and providers for the demo."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from prasan.core import db
from prasan.core.settings import get_settings

app = typer.Typer(help="The data exchange: members, keys, services, rights, consent, log.",
                  no_args_is_help=True)  # fmt: skip
member_app = typer.Typer(help="Members (agency systems).", no_args_is_help=True)
key_app = typer.Typer(help="Members' Ed25519 keys.", no_args_is_help=True)
service_app = typer.Typer(help="Services published by providers.", no_args_is_help=True)
right_app = typer.Typer(help="Access rights (consumer x service x purposes).", no_args_is_help=True)
consent_app = typer.Typer(help="Consent records.", no_args_is_help=True)
ca_app = typer.Typer(
    help="The platform CA: X.509 certificates for mutual TLS.", no_args_is_help=True
)
app.add_typer(member_app, name="member")
app.add_typer(key_app, name="key")
app.add_typer(service_app, name="service")
app.add_typer(right_app, name="right")
app.add_typer(consent_app, name="consent")
app.add_typer(ca_app, name="ca")


def _out(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _session() -> Any:
    settings = get_settings()
    db.upgrade(settings)
    return db.session_scope(settings)


@member_app.command("add")
def member_add(
    member_id: str,
    name_en: Annotated[str, typer.Option(help="English name.")],
    name_th: Annotated[str, typer.Option(help="Thai name.")],
    base_url: Annotated[str | None, typer.Option(help="Provider's base URL.")] = None,
) -> None:
    """Register a member system, e.g. TH/GOV/DLT/LICENCE."""
    from prasan.exchange import service
    from prasan.exchange.schemas import MemberCreate

    with _session() as s:
        m = service.create_member(
            session=s,
            data=MemberCreate(member_id=member_id, name_en=name_en, name_th=name_th,
                              base_url=base_url),
        )  # fmt: skip
        typer.echo(f"registered {m.member_id}")


@member_app.command("set-url")
def member_set_url(member_id: str, base_url: str) -> None:
    """Set where the hub forwards calls for a provider."""
    from prasan.exchange import service

    with _session() as s:
        service.set_base_url(session=s, member_id=member_id, base_url=base_url)
        typer.echo(f"{member_id} -> {base_url}")


@member_app.command("list")
def member_list() -> None:
    from prasan.exchange import service

    with _session() as s:
        _out(service.directory(session=s)["members"])


@key_app.command("new")
def key_new(member_id: str) -> None:
    """Generate a key pair; the private key is written under the key directory."""
    from prasan.exchange import service

    with _session() as s:
        k = service.generate_key(session=s, settings=get_settings(), member_id=member_id)
        typer.echo(k.kid)


@key_app.command("add")
def key_add(member_id: str, public_key_b64: str) -> None:
    """Register a public key the member made itself (base64 of the 32 raw bytes)."""
    from prasan.exchange import service
    from prasan.exchange.signing import public_from_b64

    with _session() as s:
        typer.echo(service.add_key(session=s, member_id=member_id,
                                   public_key=public_from_b64(public_key_b64)).kid)  # fmt: skip


@key_app.command("rotate")
def key_rotate(
    member_id: str,
    grace_hours: Annotated[float, typer.Option(help="How long the old keys stay valid.")] = 24.0,
) -> None:
    """A new key; the old ones retire after the grace period."""
    from prasan.exchange import service

    with _session() as s:
        k = service.rotate_key(session=s, settings=get_settings(), member_id=member_id,
                               grace=dt.timedelta(hours=grace_hours))  # fmt: skip
        typer.echo(k.kid)


@key_app.command("revoke")
def key_revoke(kid: str) -> None:
    """Revoke a key at once: the next call signed with it is refused."""
    from prasan.exchange import service

    with _session() as s:
        service.revoke_key(session=s, kid=kid)
        typer.echo(f"revoked {kid}")


@service_app.command("add")
def service_add(
    provider: str,
    code: str,
    title_en: Annotated[str, typer.Option()],
    title_th: Annotated[str, typer.Option()],
    item: Annotated[list[str], typer.Option(help="A data item (repeat).")],
    personal: Annotated[
        bool, typer.Option(help="Personal data (needs consent or legal basis).")
    ] = True,
    openapi: Annotated[Path | None, typer.Option(help="OpenAPI JSON file.")] = None,
) -> None:
    """Publish a provider's service."""
    from prasan.exchange import service
    from prasan.exchange.schemas import ServiceCreate

    spec = json.loads(openapi.read_text(encoding="utf-8")) if openapi else None
    with _session() as s:
        _out(service.publish_service(session=s, data=ServiceCreate(
            provider=provider, code=code, title_en=title_en, title_th=title_th,
            data_items=item, personal=personal, openapi=spec)).model_dump())  # fmt: skip


@service_app.command("list")
def service_list() -> None:
    from prasan.exchange import service

    with _session() as s:
        _out([x.model_dump(exclude={"openapi"}) for x in service.list_services(session=s)])


@right_app.command("grant")
def right_grant(
    consumer: str,
    provider: str,
    service_code: str,
    purpose: Annotated[list[str], typer.Option(help="An allowed purpose (repeat).")],
    legal_basis: Annotated[
        str | None, typer.Option(help="Recorded legal basis (no consent needed).")
    ] = None,
) -> None:
    """Allow a consumer system to call a service for these purposes."""
    from prasan.exchange import service
    from prasan.exchange.schemas import RightCreate

    with _session() as s:
        _out(service.grant_right(session=s, data=RightCreate(
            consumer=consumer, provider=provider, service=service_code, purposes=purpose,
            legal_basis=legal_basis)).model_dump())  # fmt: skip


@right_app.command("revoke")
def right_revoke(right_id: int) -> None:
    from prasan.exchange import service

    with _session() as s:
        _out(service.revoke_right(session=s, right_id=right_id).model_dump())


@right_app.command("list")
def right_list() -> None:
    from prasan.exchange import service

    with _session() as s:
        _out([r.model_dump() for r in service.list_rights(session=s)])


@consent_app.command("give")
def consent_give(
    citizen: Annotated[str, typer.Option()],
    consumer: Annotated[str, typer.Option()],
    provider: Annotated[str, typer.Option()],
    item: Annotated[list[str], typer.Option(help="A data item (repeat).")],
    purpose: Annotated[str, typer.Option()],
    days: Annotated[float, typer.Option(help="Valid for this many days.")] = 30.0,
    single_use: Annotated[bool, typer.Option()] = False,
) -> None:
    """Record a consent as given by the citizen (demo and support desks); prints its receipt."""
    from prasan.core.db import utcnow
    from prasan.exchange import consent, keystore
    from prasan.exchange.schemas import ConsentCreate

    now = utcnow()
    with _session() as s:
        c = consent.create(session=s, data=ConsentCreate(
            citizen_id=citizen, consumer=consumer, provider=provider, data_items=item,
            purpose=purpose, valid_from=now, valid_until=now + dt.timedelta(days=days),
            single_use=single_use), active=True, hub=keystore.hub_key(get_settings()))  # fmt: skip
        _out({"id": c.id, "status": c.status, "receipt": c.receipt})


@consent_app.command("revoke")
def consent_revoke(consent_id: str, citizen: Annotated[str, typer.Option()]) -> None:
    from prasan.exchange import consent

    with _session() as s:
        c = consent.revoke(session=s, consent_id=consent_id, citizen_id=citizen)
        typer.echo(f"{c.id}: {c.status}")


@app.command("verify")
def verify(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Check the transparency log end to end; exit 1 if anything does not hold."""
    from prasan.exchange import service, translog

    with _session() as s:
        report = translog.verify_log(s, keys=service.public_keys(session=s))
    if as_json:
        _out({"ok": report.ok, "entries": report.entries, "tree_heads": report.tree_heads,
              "unsigned_tail": report.unsigned_tail, "problems": report.problems})  # fmt: skip
    else:
        typer.echo(f"{report.entries} entries, {report.tree_heads} signed tree heads, "
                   f"{report.unsigned_tail} entries after the newest tree head")  # fmt: skip
        for p in report.problems or []:
            typer.echo(f"PROBLEM: {p}", err=True)
        typer.echo("log verifies" if report.ok else "LOG DOES NOT VERIFY")
    raise typer.Exit(0 if report.ok else 1)


@app.command("sth")
def sth() -> None:
    """Sign a tree head over the log as it is now, and print it."""
    from prasan.exchange import keystore, translog

    with _session() as s:
        _out(translog.sth_dict(translog.sign_now(s, sth_key=keystore.hub_key(get_settings()))))


@app.command("seed-demo")
def seed_demo() -> None:
    """Demo members, keys (under the key directory), services and rights (idempotent)."""
    from prasan.exchange import demo

    with _session() as s:
        for line in demo.seed(session=s, settings=get_settings()):
            typer.echo(line)


@app.command("serve-provider")
def serve_provider(
    module: Annotated[str, typer.Argument(help="Module with MEMBER and SERVICES.")],
    port: Annotated[int, typer.Option()] = 8101,
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    hub_url: Annotated[
        str, typer.Option(help="Hub whose directory lists the keys.")
    ] = "http://127.0.0.1:8000",
    accept_direct: Annotated[
        bool, typer.Option(help="Benchmark only: accept consumer-signed calls without the hub.")
    ] = False,
    tls: Annotated[
        bool, typer.Option(help="HTTPS with client certificates from the platform CA (mTLS).")
    ] = False,
) -> None:
    """Run a provider module as its own HTTP service."""
    import importlib
    import ssl

    import uvicorn

    from prasan.exchange import keystore, pki
    from prasan.exchange.provider import app_for_module, newest_key_file

    settings = get_settings()
    application = app_for_module(module, settings=settings, hub_url=hub_url,
                                 accept_direct=accept_direct)  # fmt: skip
    options: dict[str, Any] = {}
    if tls:
        kid, _ = newest_key_file(settings, str(importlib.import_module(module).MEMBER))
        options = {
            "ssl_keyfile": str(keystore.key_path(settings, kid)),
            "ssl_certfile": str(pki.cert_path(settings, kid)),
            "ssl_ca_certs": str(pki.ca_paths(settings)[1]),
            "ssl_cert_reqs": ssl.CERT_REQUIRED,
        }
    uvicorn.run(application, host=host, port=port, log_level="warning", access_log=False,
                **options)  # fmt: skip


@app.command("up")
def up(
    port: Annotated[int, typer.Option()] = 8000,
) -> None:
    """Seed the demo exchange, then run the hub and every provider as separate processes."""
    from prasan.exchange import demo

    settings = get_settings()
    with _session() as s:
        for line in demo.seed(session=s, settings=settings):
            typer.echo(line)
    demo.up(settings=settings, port=port)


@app.command("call")
def call(
    provider: str,
    service_code: str,
    as_member: Annotated[str, typer.Option("--as", help="Consumer member id (its key is used).")],
    citizen: Annotated[str, typer.Option()],
    purpose: Annotated[str, typer.Option()],
    consent: Annotated[str | None, typer.Option()] = None,
    param: Annotated[list[str] | None, typer.Option(help="key=value (repeat).")] = None,
    hub_url: Annotated[str, typer.Option()] = "http://127.0.0.1:8000",
) -> None:
    """Make a signed call through the hub and print the verified answer."""
    from prasan.exchange.client import ExchangeClient, ExchangeError
    from prasan.exchange.provider import newest_key_file

    kid, key = newest_key_file(get_settings(), as_member)
    params = dict(p.split("=", 1) for p in (param or []))
    client = ExchangeClient(hub_url=hub_url, kid=kid, key=key)
    try:
        answer = client.call(provider, service_code, citizen=citizen, purpose=purpose,
                             consent=consent, params=params)  # fmt: skip
    except ExchangeError as exc:
        _out({"status": exc.status, "problem": exc.problem, "signed_by": exc.signed_by,
              "bound_to_request": exc.bound_to_request,
              **({"signature_problem": exc.signature_problem} if exc.signature_problem else {})})  # fmt: skip
        raise typer.Exit(1) from None
    _out({"status": answer.status, "log_index": answer.log_index,
          "signed_by": answer.provider_kid, "body": answer.json()})  # fmt: skip


@app.command("serve-hub")
def serve_hub(
    port: Annotated[int, typer.Option()] = 8001,
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Run the hub alone (/x/v1/...) as its own lean process; the web app serves it too."""
    import uvicorn

    settings = get_settings()
    db.upgrade(settings)
    uvicorn.run("prasan.exchange.routes:create_hub_app", factory=True, host=host, port=port,
                workers=workers, log_level="warning", access_log=False)  # fmt: skip


@ca_app.command("init")
def ca_init() -> None:
    """Create the platform CA (idempotent) and print its certificate."""
    from prasan.exchange import pki

    typer.echo(pki.pem(pki.init_ca(get_settings())))


@ca_app.command("issue")
def ca_issue(
    kid: str,
    dns: Annotated[list[str] | None, typer.Option(help="DNS name for TLS (repeat).")] = None,
    ip: Annotated[list[str] | None, typer.Option(help="IP address for TLS (repeat).")] = None,
) -> None:
    """Issue a certificate for a registered key (the hub's too) and print it."""
    from prasan.exchange import service

    with _session() as s:
        key = service.issue_certificate(session=s, settings=get_settings(), kid=kid,
                                        dns_names=dns, ip_addresses=ip)  # fmt: skip
        typer.echo(key.certificate)


@app.command("hub-key")
def hub_key_command() -> None:
    """Create the hub's signing key if there is none (also in production) and register it."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from prasan.exchange import keystore, service
    from prasan.exchange.signing import b64, public_raw, save_private_key

    settings = get_settings()
    path = keystore.key_dir(settings) / "hub.pem"
    if not path.exists():
        save_private_key(Ed25519PrivateKey.generate(), path)
        typer.echo(f"created {path}")
    with _session() as s:
        kid = service.ensure_hub(session=s, settings=settings)
    typer.echo(f"{kid} {b64(public_raw(keystore.hub_key(settings)[1].public_key()))}")
