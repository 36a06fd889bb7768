"""A whole exchange on this machine, each part its own process on a loopback port: the hub
(the platform app under uvicorn) and a provider (the provider SDK serving a module). Used by the
crash test and the load benchmark, so both measure what would be deployed: the hub reaches the
provider only over HTTP.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from prasan.core.settings import Settings
from prasan.exchange.client import ExchangeClient
from prasan.exchange.provider import newest_key_file

CLI = [sys.executable, "-c", "from prasan.cli import app; app()"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, timeout_s: float = 60.0) -> None:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        try:
            if httpx.get(url, timeout=1.0).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout_s} s")


@dataclass
class LocalExchange:
    data_dir: Path
    database_url: str
    provider_module: str = "prasan.exchange.sample_provider"
    provider_member: str = "TH/GOV/DGA/SAMPLE"
    hub_port: int = field(default_factory=free_port)
    provider_port: int = field(default_factory=free_port)
    hub_workers: int = 1
    # "lean": the hub alone (``prasan exchange serve-hub``); "platform": the whole web app.
    hub_app: str = "lean"
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            PRASAN_DATA_DIR=str(self.data_dir),
            PRASAN_DATABASE_URL=self.database_url,
            PRASAN_SECRET_KEY="local-exchange-" + "s" * 40,
        )
        return env

    @property
    def settings(self) -> Settings:
        return Settings(
            data_dir=self.data_dir,
            database_url=self.database_url,
            secret_key="local-exchange-" + "s" * 40,
        )

    @property
    def hub_url(self) -> str:
        return f"http://127.0.0.1:{self.hub_port}"

    @property
    def provider_url(self) -> str:
        return f"http://127.0.0.1:{self.provider_port}"

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 (our own command)
            [*CLI, *args], env=self.env, capture_output=True, text=True, check=check, timeout=300
        )

    def seed(self) -> None:
        self.cli("exchange", "seed-demo")
        self.cli("exchange", "member", "set-url", self.provider_member, self.provider_url)

    def start_hub(self) -> None:
        if self.hub_app == "lean":
            cmd = [*CLI, "exchange", "serve-hub", "--port", str(self.hub_port),
                   "--workers", str(self.hub_workers)]  # fmt: skip
        else:
            cmd = [*CLI, "serve", "--host", "127.0.0.1", "--port", str(self.hub_port),
                   "--workers", str(self.hub_workers)]  # fmt: skip
        self.procs["hub"] = self._spawn(cmd)
        wait_for(f"{self.hub_url}/x/v1/directory")

    def start_provider(self, *, accept_direct: bool = False) -> None:
        cmd = [*CLI, "exchange", "serve-provider", self.provider_module, "--port",
               str(self.provider_port), "--hub-url", self.hub_url]  # fmt: skip
        if accept_direct:
            cmd.append("--accept-direct")
        self.procs["provider"] = self._spawn(cmd)
        wait_for(f"{self.provider_url}/healthz")

    def _spawn(self, cmd: Sequence[str]) -> subprocess.Popen[bytes]:
        return subprocess.Popen(  # noqa: S603 (our own command)
            list(cmd),
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def kill(self, name: str) -> None:
        """SIGKILL a part (and its workers): no clean shutdown, as in a crash."""
        proc = self.procs.pop(name, None)
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

    def stop(self) -> None:
        for name in list(self.procs):
            proc = self.procs.pop(name)
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=10)

    def client(self, member_id: str) -> ExchangeClient:
        kid, key = newest_key_file(self.settings, member_id)
        return ExchangeClient(
            hub_url=self.hub_url,
            kid=kid,
            key=key,
            http=httpx.Client(timeout=30.0),
        )

    def __enter__(self) -> LocalExchange:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
