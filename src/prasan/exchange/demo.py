"""Demo set-up of the exchange: members, keys (private keys under ``settings.key_dir``),
services and access rights, and ``up``, which runs the hub and every provider as separate
processes on loopback ports so the hub reaches providers only over HTTP, as deployed.
"""

from __future__ import annotations

import importlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import httpx
from sqlalchemy.orm import Session

from prasan.core.errors import ConfigurationError
from prasan.core.settings import Settings
from prasan.exchange import service as members
from prasan.exchange.models import Member
from prasan.exchange.schemas import MemberCreate, RightCreate, ServiceCreate


@dataclass(frozen=True)
class DemoProvider:
    module: str
    port: int
    name_en: str
    name_th: str


DEMO_PROVIDERS = [
    DemoProvider(
        "prasan.registries.population.provider",
        8101,
        "Population register (DOPA)",
        "ทะเบียนราษฎร กรมการปกครอง",
    ),
    DemoProvider(
        "prasan.exchange.sample_provider",
        8109,
        "Sample register (reference provider)",
        "ทะเบียนตัวอย่าง (ผู้ให้บริการอ้างอิง)",
    ),
]

# Consumers and what they may do: (member id, English, Thai, purposes, legal basis or None).
DEMO_CONSUMERS = [
    ("TH/GOV/DLT/LICENCE", "Department of Land Transport: driving licences",
     "กรมการขนส่งทางบก: ระบบใบอนุญาตขับรถ", ["driving-licence-renewal"], None),
    ("TH/GOV/DGA/PORTAL", "Prasan one-stop service portal", "พอร์ทัลบริการประชาชนประสาน",
     ["one-stop-application"], None),
    ("TH/GOV/NSO/WELFARE", "Welfare card registration", "ระบบลงทะเบียนบัตรสวัสดิการแห่งรัฐ",
     ["welfare-eligibility"], "State Welfare Act B.E. 2562 s.10 (recorded legal basis)"),
]  # fmt: skip


def load_provider_module(name: str) -> ModuleType | None:
    try:
        module = importlib.import_module(name)
    except ImportError:
        return None
    return module if hasattr(module, "SERVICES") and hasattr(module, "MEMBER") else None


def _ensure_member(
    session: Session, settings: Settings, member_id: str, en: str, th: str, url: str | None
) -> tuple[Member, bool]:
    from sqlalchemy import select

    member = session.scalar(select(Member).where(Member.member_id == member_id))
    created = member is None
    if member is None:
        member = members.create_member(
            session=session,
            data=MemberCreate(member_id=member_id, name_en=en, name_th=th, base_url=url),
        )
    elif url:
        member.base_url = url
    if not member.keys:
        members.generate_key(session=session, settings=settings, member_id=member_id)
        session.refresh(member)
    return member, created


def seed(*, session: Session, settings: Settings) -> Iterator[str]:
    """Idempotent demo members, keys, services and rights."""
    if settings.mode == "production":
        raise ConfigurationError(
            "Refusing to seed demo exchange members in production mode",
            detail_th="ไม่สร้างข้อมูลตัวอย่างในโหมดใช้งานจริง",
        )
    members.ensure_hub(session=session, settings=settings)
    services: list[tuple[str, str]] = []
    for p in DEMO_PROVIDERS:
        module = load_provider_module(p.module)
        if module is None:
            yield f"provider module {p.module} is not installed: skipped"
            continue
        member_id = str(module.MEMBER)
        _, created = _ensure_member(
            session, settings, member_id, p.name_en, p.name_th, f"http://127.0.0.1:{p.port}"
        )
        yield f"{'created' if created else 'updated'} provider {member_id} on port {p.port}"
        openapi: dict[str, Any] | None = getattr(module, "OPENAPI", None)
        for spec in module.SERVICES:
            members.publish_service(
                session=session,
                data=ServiceCreate(
                    provider=member_id,
                    code=spec.code,
                    title_en=spec.title_en,
                    title_th=spec.title_th,
                    data_items=list(spec.data_items),
                    personal=spec.personal,
                    openapi=openapi,
                ),
            )
            services.append((member_id, spec.code))
    for member_id, en, th, purposes, basis in DEMO_CONSUMERS:
        _, created = _ensure_member(session, settings, member_id, en, th, None)
        for provider_id, code in services:
            members.grant_right(
                session=session,
                data=RightCreate(
                    consumer=member_id,
                    provider=provider_id,
                    service=code,
                    purposes=purposes,
                    legal_basis=basis,
                ),
            )
        yield (
            f"{'created' if created else 'updated'} consumer {member_id}: "
            f"{len(services)} services for {', '.join(purposes)}"
            + (" (legal basis recorded)" if basis else " (consent required)")
        )


def _wait(url: str, deadline_s: float) -> bool:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        try:
            if httpx.get(url, timeout=1.0).status_code < 500:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    return False


def up(*, settings: Settings, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the hub and each installed demo provider as its own process until interrupted."""
    exe = [sys.executable, "-c", "from prasan.cli import app; app()"]
    env = dict(os.environ)
    procs: list[tuple[str, subprocess.Popen[bytes]]] = []
    hub_url = f"http://{host}:{port}"

    def _stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)  # so `kill <pid>` also stops the children
    try:
        procs.append(
            ("hub", subprocess.Popen([*exe, "serve", "--host", host, "--port", str(port)], env=env))  # noqa: S603 (our own command)
        )
        if not _wait(f"{hub_url}/x/v1/directory", 60):
            raise ConfigurationError(f"The hub did not start on {hub_url}")
        for p in DEMO_PROVIDERS:
            if load_provider_module(p.module) is None:
                continue
            cmd = [*exe, "exchange", "serve-provider", p.module, "--port", str(p.port),
                   "--hub-url", hub_url]  # fmt: skip
            procs.append((p.module, subprocess.Popen(cmd, env=env)))  # noqa: S603 (our own command)
            if _wait(f"http://127.0.0.1:{p.port}/healthz", 60):
                print(f"provider {p.module} on http://127.0.0.1:{p.port}", flush=True)
        print(f"Prasan hub on {hub_url} (Ctrl-C stops everything)", flush=True)
        while all(proc.poll() is None for _, proc in procs):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for _, proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for _, proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
