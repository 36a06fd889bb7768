"""How long seeding the population register takes, on SQLite and PostgreSQL.

Each run starts from an empty, freshly migrated database (a temporary SQLite file; a new
PostgreSQL database created and dropped around the run), then times ``seed_population`` for
``--count`` people including loading the 8,457 places and the commit. After seeding it also
times the register's three answers on random citizens, since that is what the exchange will call.

    .venv/bin/python benchmarks/population_seed.py                 # 100,000 people, 3 runs each
    .venv/bin/python benchmarks/population_seed.py --smoke         # 2,000 people, SQLite only, no file

Writes ``benchmarks/results/population_seed.json`` (not in ``--smoke`` mode).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from prasan.core import db
from prasan.core.settings import Settings
from prasan.registries.population import service
from prasan.registries.population.generate import seed_population
from prasan.registries.population.models import Person

RESULTS = Path(__file__).resolve().parent / "results" / "population_seed.json"
DEFAULT_PG = os.environ.get(
    "PRASAN_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(url: str, *, count: int, seed: int, lookups: int) -> dict[str, Any]:
    """Migrate ``url``, seed ``count`` people, commit, then time ``lookups`` answers of each kind."""
    started = time.perf_counter()
    db.upgrade(Settings(database_url=url))
    migrate_s = time.perf_counter() - started
    engine = db.make_engine(url)
    try:
        with Session(engine) as session:
            started = time.perf_counter()
            report = seed_population(session=session, count=count, seed=seed)
            session.commit()
            seed_s = time.perf_counter() - started
        latencies: dict[str, list[float]] = {
            "id_card": [],
            "house_registration": [],
            "attribute": [],
        }
        with Session(engine) as session:
            ids = list(session.scalars(select(Person.citizen_id)))
            rng = random.Random(seed)
            for cid in rng.sample(ids, min(lookups, len(ids))):
                for name, call in (
                    ("id_card", lambda c=cid: service.id_card(session=session, citizen_id=c)),
                    (
                        "house_registration",
                        lambda c=cid: service.house_registration(session=session, citizen_id=c),
                    ),
                    (
                        "attribute",
                        lambda c=cid: service.check_attribute(
                            session=session, citizen_id=c, attribute="age_at_least", value="60"
                        ),
                    ),
                ):
                    t0 = time.perf_counter()
                    call()
                    latencies[name].append((time.perf_counter() - t0) * 1000)
    finally:
        engine.dispose()
    return {
        "persons": report.persons,
        "households": report.households,
        "id_cards": report.id_cards,
        "deceased": report.deceased,
        "migrate_s": round(migrate_s, 3),
        "seed_s": round(seed_s, 3),
        "persons_per_s": round(report.persons / seed_s),
        "lookup_ms": {
            name: {
                "n": len(values),
                "p50": round(statistics.median(values), 3),
                "p99": round(_percentile(values, 0.99), 3),
            }
            for name, values in latencies.items()
            if values
        },
    }


def _sqlite_run(count: int, seed: int, lookups: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="prasan-bench-") as tmp:
        return measure(
            f"sqlite:///{Path(tmp) / 'population.db'}", count=count, seed=seed, lookups=lookups
        )


def _pg_run(admin_url: str, count: int, seed: int, lookups: int) -> dict[str, Any]:
    name = f"prasan_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(make_url(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        return measure(url, count=count, seed=seed, lookups=lookups)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run(
    *, count: int, repeats: int = 1, seed: int = 2561, lookups: int = 200, pg_url: str | None = None
) -> dict[str, Any]:
    """Seed ``count`` people ``repeats`` times per database; PostgreSQL only if ``pg_url``."""
    targets: dict[str, Any] = {"sqlite": lambda: _sqlite_run(count, seed, lookups)}
    if pg_url:
        targets["postgresql"] = lambda: _pg_run(pg_url, count, seed, lookups)
    results: dict[str, Any] = {}
    for name, target in targets.items():
        try:
            runs = [target() for _ in range(repeats)]
        except Exception as exc:  # an unreachable server is reported, not hidden
            results[name] = {"skipped": f"{type(exc).__name__}: {exc}"}
            continue
        seconds = [r["seed_s"] for r in runs]
        results[name] = {
            "runs": runs,
            "seed_s_median": round(statistics.median(seconds), 3),
            "seed_s_min": min(seconds),
            "seed_s_max": max(seconds),
        }
    return {
        "benchmark": "population_seed",
        "what": f"seed_population(count={count}) into an empty migrated database, incl. places and commit",
        "count": count,
        "repeats": repeats,
        "seed": seed,
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "results": results,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--lookups", type=int, default=200)
    parser.add_argument("--pg-url", default=DEFAULT_PG, help="admin URL; '' to skip PostgreSQL")
    parser.add_argument("--smoke", action="store_true", help="2,000 people, SQLite, no file")
    args = parser.parse_args(argv)
    if args.smoke:
        result = run(count=2_000, repeats=1, lookups=20, pg_url=None)
    else:
        result = run(
            count=args.count, repeats=args.repeats, lookups=args.lookups, pg_url=args.pg_url or None
        )
    given = sys.argv[1:] if argv is None else argv
    result["command"] = " ".join([".venv/bin/python benchmarks/population_seed.py", *given])
    if not args.smoke:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(
            json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    print(json.dumps(result["results"], indent=2))
    return result


if __name__ == "__main__":
    main()
