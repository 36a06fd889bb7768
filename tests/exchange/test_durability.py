"""Nothing is lost: the hub is SIGKILLed in the middle of a load of calls (hub and provider are
separate processes on loopback ports); every call that was answered is in the log, the log
verifies end to end, the restarted hub appends after it, and tampering is then detected."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from prasan.exchange.client import ExchangeError
from prasan.exchange.localrun import LocalExchange

CONSUMER = "TH/GOV/NSO/WELFARE"  # the demo consumer with a recorded legal basis
PROVIDER = "TH/GOV/DGA/SAMPLE"


@pytest.fixture
def local(tmp_path: Path, private_database_url: str) -> Iterator[LocalExchange]:
    url = private_database_url
    # Two hub worker processes append to one log: indexes must stay gap-free across processes.
    ex = LocalExchange(data_dir=tmp_path / "var", database_url=url, hub_workers=2)
    try:
        yield ex
    finally:
        ex.stop()


def _verify(ex: LocalExchange) -> dict[str, Any]:
    done = ex.cli("exchange", "verify", "--json", check=False)
    report: dict[str, Any] = json.loads(done.stdout)
    report["exit"] = done.returncode
    return report


def test_kill_the_hub_mid_load_and_the_log_still_verifies(local: LocalExchange) -> None:
    local.seed()
    local.start_provider()
    local.start_hub()
    answered: list[tuple[int, str]] = []
    failures: list[str] = []
    stop = threading.Event()

    def worker() -> None:
        client = local.client(CONSUMER)
        try:
            for _ in range(2000):  # bounded; the kill ends it much sooner
                if stop.is_set():
                    return
                try:
                    a = client.call(PROVIDER, "sample.record", citizen="1101700203450",
                                    purpose="welfare-eligibility")  # fmt: skip
                except ExchangeError as exc:
                    failures.append(exc.code)
                    continue
                except Exception as exc:  # connection dropped by the kill
                    failures.append(type(exc).__name__)
                    if stop.is_set() or len(failures) > 50:
                        return
                    continue
                assert a.log_index is not None
                answered.append((a.log_index, a.request_hash))
        finally:
            client.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 20
    while len(answered) < 150 and time.monotonic() < deadline:
        time.sleep(0.05)
    local.kill("hub")  # SIGKILL: no shutdown hooks, requests in flight are cut
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert len(answered) >= 100, (len(answered), failures[:5])

    report = _verify(local)
    assert report["exit"] == 0 and report["ok"], report
    assert report["entries"] >= len(answered)
    engine = create_engine(local.database_url)
    with engine.connect() as conn:
        rows = dict(conn.execute(text("SELECT idx, body FROM exchange_log")).all())
    for index, request_hash in answered:  # every answered call is in the log, as answered
        entry = json.loads(rows[index])
        assert entry["outcome"] == "allowed" and entry["request_hash"] == request_hash

    # The restarted hub carries on after the crash.
    local.start_hub()
    client = local.client(CONSUMER)
    after = client.call(PROVIDER, "sample.record", citizen="1101700203450",
                        purpose="welfare-eligibility")  # fmt: skip
    assert after.log_index == report["entries"]
    client.prove(after)
    client.close()
    local.cli("exchange", "sth")
    assert _verify(local)["ok"]

    # Tampering is detected: a changed entry, then a removed one.
    with engine.begin() as conn:
        body = conn.execute(text("SELECT body FROM exchange_log WHERE idx = 3")).scalar_one()
        conn.execute(
            text("UPDATE exchange_log SET body = :b WHERE idx = 3"),
            {"b": body.replace("welfare-eligibility", "tax-audit")},
        )
    changed = _verify(local)
    assert changed["exit"] == 1 and any("entry 3 was changed" in p for p in changed["problems"])
    with engine.begin() as conn:
        conn.execute(text("UPDATE exchange_log SET body = :b WHERE idx = 3"), {"b": body})
        conn.execute(text("DELETE FROM exchange_log WHERE idx = 5"))
    removed = _verify(local)
    assert removed["exit"] == 1 and any("entry 5 is missing" in p for p in removed["problems"])
    engine.dispose()


def test_a_single_use_consent_answers_exactly_one_of_many_concurrent_calls(
    local: LocalExchange,
) -> None:
    local.seed()
    local.start_provider()
    local.start_hub()
    given = local.cli("exchange", "consent", "give", "--citizen", "1101700203450", "--consumer",
                      "TH/GOV/DLT/LICENCE", "--provider", PROVIDER, "--item", "sample.record",
                      "--purpose", "driving-licence-renewal", "--single-use")  # fmt: skip
    consent = json.loads(given.stdout)["id"]
    results: list[str] = []
    start = threading.Barrier(6)

    def worker() -> None:
        client = local.client("TH/GOV/DLT/LICENCE")
        prepared = client.prepare(PROVIDER, "sample.record", citizen="1101700203450",
                                  purpose="driving-licence-renewal", consent=consent)  # fmt: skip
        start.wait(timeout=30)
        try:
            results.append(str(client.send(prepared).status))
        except ExchangeError as exc:
            results.append(exc.code)
        finally:
            client.close()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == ["200"] + ["consent-expired"] * 5, results
    assert _verify(local)["ok"]
