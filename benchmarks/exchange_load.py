"""Signed, consent-checked, logged calls through the hub versus direct calls to the provider.

Both run against the same provider process (the provider SDK serving a provider module) on a
loopback port; the hub is the platform app under uvicorn in its own process. A direct call is
signed by the consumer and verified, answered and signed by the provider (what two agencies
would do without a hub); a hub call adds the hub's checks (signature, key status, replay, access
right, consent), the hub's own signature, verification of the provider's signed answer and the
durable log append before the answer. Modes alternate (direct, hub, direct, hub, ...) so load
from other work on the machine hits both alike.

Requests are signed before the clock starts (each with its own nonce), so the load generator's
own signing does not compete with the servers for the CPU during the measurement.

    python benchmarks/exchange_load.py                # full run, writes results JSON
    python benchmarks/exchange_load.py --smoke        # a few seconds, no file written
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from prasan.exchange.client import ExchangeClient, Prepared
from prasan.exchange.localrun import LocalExchange

RESULTS = Path(__file__).resolve().parent / "results" / "exchange_load.json"
CONSUMER = "TH/GOV/DLT/LICENCE"
PURPOSE = "driving-licence-renewal"


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[k]


async def _load(prepared: list[Prepared], *, concurrency: int, duration_s: float) -> dict[str, Any]:
    """Closed loop: ``concurrency`` callers, each sending its next request when the last returns."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    queue = iter(prepared)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=30.0, limits=limits) as http:
        end = time.perf_counter() + duration_s

        async def caller() -> None:
            nonlocal errors
            while time.perf_counter() < end:
                p = next(queue, None)
                if p is None:
                    return
                t0 = time.perf_counter()
                try:
                    r = await http.request(p.method, p.url, headers=p.headers, content=p.body)
                except httpx.HTTPError:
                    errors += 1
                    continue
                latencies.append(time.perf_counter() - t0)
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1

        t_start = time.perf_counter()
        await asyncio.gather(*(caller() for _ in range(concurrency)))
        elapsed = time.perf_counter() - t_start
    ok = statuses.get(200, 0)
    return {
        "requests": len(latencies),
        "ok": ok,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "errors": errors,
        "seconds": round(elapsed, 3),
        "rps": round(ok / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(_percentile(latencies, 0.50) * 1000, 2),
        "p99_ms": round(_percentile(latencies, 0.99) * 1000, 2),
        "latencies": latencies,
    }


def _run_load(prepared: list[Prepared], *, concurrency: int, duration_s: float) -> dict[str, Any]:
    """``_load`` on a fresh event loop in its own thread, so it also runs from code that already
    has a loop in this thread (a test session with a browser open, a notebook)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(
            asyncio.run, _load(prepared, concurrency=concurrency, duration_s=duration_s)
        ).result()


def _cpu_ms(pid: int) -> float:
    """CPU time (user + system) of a process and its children so far, from /proc."""
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total * 1000 / os.sysconf("SC_CLK_TCK")


def _prepare(
    client: ExchangeClient, n: int, *, base_url: str, provider: str, service: str,
    citizen: str, consent: str | None,
) -> list[Prepared]:  # fmt: skip
    return [
        client.prepare(
            provider, service, citizen=citizen, purpose=PURPOSE, consent=consent, base_url=base_url
        )
        for _ in range(n)
    ]


def run(
    *,
    duration_s: float = 10.0,
    rounds: int = 3,
    concurrency: int = 8,
    database_url: str | None = None,
    provider_module: str = "prasan.exchange.sample_provider",
    provider_member: str = "TH/GOV/DGA/SAMPLE",
    service: str = "sample.record",
    citizen: str = "1101700203450",
    max_rps: int = 3000,
    hub_workers: int = 1,
    latency_s: float | None = None,
    population: int = 0,
) -> dict[str, Any]:
    """Run both modes ``rounds`` times each, alternating, with ``concurrency`` callers (the
    throughput figures); then each mode with one caller for ``latency_s`` (the latency the hub
    adds when nothing queues). Returns the summary."""
    latency_s = latency_s if latency_s is not None else duration_s
    with tempfile.TemporaryDirectory(prefix="prasan-bench-") as tmp:
        url = database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        with LocalExchange(
            data_dir=Path(tmp) / "var",
            database_url=url,
            provider_module=provider_module,
            provider_member=provider_member,
            hub_workers=hub_workers,
        ) as ex:
            if population:
                ex.cli("registry", "population", "seed", "--count", str(population))
            ex.seed()
            ex.start_provider(accept_direct=True)
            ex.start_hub()
            given = ex.cli("exchange", "consent", "give", "--citizen", citizen, "--consumer",
                           CONSUMER, "--provider", provider_member, "--item",
                           _items(ex, provider_member, service), "--purpose", PURPOSE)  # fmt: skip
            consent = json.loads(given.stdout)["id"]
            client = ex.client(CONSUMER)
            # Warm up both paths (connections, caches, the provider's key directory).
            for base in (ex.provider_url, ex.hub_url):
                for p in _prepare(client, 20, base_url=base, provider=provider_member,
                                  service=service, citizen=citizen, consent=consent):  # fmt: skip
                    client.send(p)
            per_round = int(max_rps * duration_s)
            modes: dict[str, list[dict[str, Any]]] = {"direct": [], "hub": []}
            for _ in range(rounds):
                for mode, base in (("direct", ex.provider_url), ("hub", ex.hub_url)):
                    prepared = _prepare(client, per_round, base_url=base,
                                        provider=provider_member, service=service,
                                        citizen=citizen, consent=consent)  # fmt: skip
                    pids = {name: proc.pid for name, proc in ex.procs.items()}
                    before = {name: _cpu_ms(pid) for name, pid in pids.items()}
                    own = time.process_time()
                    result = _run_load(prepared, concurrency=concurrency, duration_s=duration_s)
                    n = max(result["ok"], 1)
                    result["cpu_ms_per_call"] = {
                        **{name: round((_cpu_ms(pid) - before[name]) / n, 3)
                           for name, pid in pids.items()},
                        "load_generator": round((time.process_time() - own) * 1000 / n, 3),
                    }  # fmt: skip
                    modes[mode].append(result)
            # Latency without queueing: one caller at a time, each mode in turn.
            unloaded: dict[str, dict[str, Any]] = {}
            for mode, base in (("direct", ex.provider_url), ("hub", ex.hub_url)):
                prepared = _prepare(client, int(max_rps * latency_s), base_url=base,
                                    provider=provider_member, service=service,
                                    citizen=citizen, consent=consent)  # fmt: skip
                r = _run_load(prepared, concurrency=1, duration_s=latency_s)
                r.pop("latencies")
                unloaded[mode] = r
            # One verified call each way, and the log end to end, after the load.
            check = client.send(client.prepare(provider_member, service, citizen=citizen,
                                               purpose=PURPOSE, consent=consent))  # fmt: skip
            client.prove(check)
            client.close()
            ex.cli("exchange", "sth")
            verified = json.loads(ex.cli("exchange", "verify", "--json", check=False).stdout)
    summary: dict[str, Any] = {}
    for mode, runs in modes.items():
        lat = [x for r in runs for x in r.pop("latencies")]
        ok = sum(r["ok"] for r in runs)
        secs = sum(r["seconds"] for r in runs)
        cpu_keys = runs[0]["cpu_ms_per_call"].keys()
        summary[mode] = {
            "cpu_ms_per_call": {
                k: round(statistics.mean(r["cpu_ms_per_call"][k] for r in runs), 3)
                for k in cpu_keys
            },
            "rps": round(ok / secs, 1) if secs else 0.0,
            "p50_ms": round(statistics.median(lat) * 1000, 2) if lat else None,
            "p99_ms": round(_percentile(lat, 0.99) * 1000, 2) if lat else None,
            "ok": ok,
            "non_200": sum(r["requests"] - r["ok"] for r in runs),
            "errors": sum(r["errors"] for r in runs),
            "rounds": runs,
        }
    d, h = summary["direct"], summary["hub"]
    ratio = h["rps"] / d["rps"] if d["rps"] else 0.0
    added_saturated = (h["p99_ms"] or 0) - (d["p99_ms"] or 0)
    added = unloaded["hub"]["p99_ms"] - unloaded["direct"]["p99_ms"]
    added_p50 = unloaded["hub"]["p50_ms"] - unloaded["direct"]["p50_ms"]
    return {
        "benchmark": "exchange_load",
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "loadavg_after": os.getloadavg(),
        },
        "config": {
            "duration_s_per_round": duration_s,
            "rounds_per_mode": rounds,
            "concurrency": concurrency,
            "hub_workers": hub_workers,
            "hub_app": "prasan exchange serve-hub (lean hub app, uvicorn)",
            "database": url.split(":", 1)[0] if database_url else "sqlite (file, WAL)",
            "provider_module": provider_module,
            "population_seeded": population,
            "service": service,
        },
        "direct": d,
        "hub": h,
        "hub_vs_direct_throughput": round(ratio, 3),
        "one_caller": {
            "direct": unloaded["direct"],
            "hub": unloaded["hub"],
            "hub_added_p50_ms": round(added_p50, 2),
            "hub_added_p99_ms": round(added, 2),
        },
        "hub_added_p99_ms_one_caller": round(added, 2),
        "hub_added_p99_ms_saturated": round(added_saturated, 2),
        "targets": {
            "throughput_ratio_at_least_0.5": ratio >= 0.5,
            "added_p99_at_most_10_ms_one_caller": added <= 10.0,
        },
        "log_after_run": {k: verified.get(k) for k in ("ok", "entries", "tree_heads", "problems")},
    }


def _items(ex: LocalExchange, provider: str, service: str) -> str:
    data = httpx.get(f"{ex.hub_url}/x/v1/directory", timeout=10).json()
    for s in data["services"]:
        if s["provider"] == provider and s["code"] == service:
            return str(s["data_items"][0])
    raise SystemExit(f"{provider} does not publish {service}")


def _has_population() -> bool:
    import importlib.util

    return importlib.util.find_spec("prasan.registries.population.provider") is not None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--smoke", action="store_true", help="a few seconds; no results file")
    ap.add_argument("--duration", type=float, default=10.0, help="seconds per round")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    ap.add_argument(
        "--provider", choices=["population", "sample"], default=None,
        help="population: the population register with --population people (default when "
        "installed); sample: the SDK's reference provider",
    )  # fmt: skip
    ap.add_argument("--population", type=int, default=100_000, help="people to seed")
    ap.add_argument("--citizen", default="1101700203450")
    ap.add_argument("--hub-workers", type=int, default=1, help="hub processes (uvicorn workers)")
    ap.add_argument("--latency-duration", type=float, default=None, help="seconds, one caller")
    args = ap.parse_args()
    if args.smoke:
        args.duration, args.rounds, args.concurrency = 1.0, 1, 2
        args.population = min(args.population, 2000)
    provider = args.provider or ("population" if _has_population() else "sample")
    if provider == "population":
        module, member, service = ("prasan.registries.population.provider",
                                   "TH/GOV/DOPA/population", "population.id_card")  # fmt: skip
    else:
        module, member, service, args.population = (
            "prasan.exchange.sample_provider", "TH/GOV/DGA/SAMPLE", "sample.record", 0)  # fmt: skip
    result = run(
        duration_s=args.duration,
        rounds=args.rounds,
        concurrency=args.concurrency,
        database_url=args.database_url,
        provider_module=module,
        provider_member=member,
        service=service,
        population=args.population,
        citizen=args.citizen,
        hub_workers=args.hub_workers,
        latency_s=args.latency_duration,
    )
    for mode in ("direct", "hub"):
        r = result[mode]
        print(f"{mode:6s} {r['rps']:8.1f} req/s  p50 {r['p50_ms']} ms  p99 {r['p99_ms']} ms  "
              f"(ok {r['ok']}, other {r['non_200']}, errors {r['errors']}) "
              f"CPU ms/call {r['cpu_ms_per_call']}")  # fmt: skip
    one = result["one_caller"]
    print(f"one caller: direct p50 {one['direct']['p50_ms']} p99 {one['direct']['p99_ms']} ms, "
          f"hub p50 {one['hub']['p50_ms']} p99 {one['hub']['p99_ms']} ms")  # fmt: skip
    print(f"hub/direct throughput {result['hub_vs_direct_throughput']:.2f}, added p99 "
          f"{result['hub_added_p99_ms_one_caller']} ms with one caller, "
          f"{result['hub_added_p99_ms_saturated']} ms saturated; log verifies: "
          f"{result['log_after_run']['ok']}")  # fmt: skip
    if not args.smoke:
        # One file, one run per provider: a run replaces only its own provider's figures.
        runs: dict[str, Any] = {}
        if RESULTS.exists():
            runs = json.loads(RESULTS.read_text("utf-8")).get("runs", {})
        runs[provider] = result
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(
            json.dumps({"benchmark": "exchange_load", "runs": runs}, indent=2, ensure_ascii=False)
            + "\n",
            "utf-8",
        )
        print(f"wrote {RESULTS} (runs: {', '.join(sorted(runs))})")


if __name__ == "__main__":
    main()
