"""The population register as a provider, end to end: its own process and database, reached
by the hub only over HTTP, answering signed ID-card, house-registration and attribute calls."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from prasan.exchange.client import ExchangeError
from prasan.exchange.localrun import LocalExchange

pytest.importorskip("prasan.registries.population.provider", reason="population register absent")

POPULATION = "TH/GOV/DOPA/population"
SOMCHAI = "1101700203450"  # the demo citizen the register always seeds


@pytest.fixture
def local(tmp_path: Path, private_database_url: str) -> Iterator[LocalExchange]:
    url = private_database_url
    ex = LocalExchange(
        data_dir=tmp_path / "var",
        database_url=url,
        provider_module="prasan.registries.population.provider",
        provider_member=POPULATION,
    )
    try:
        yield ex
    finally:
        ex.stop()


def test_population_register_answers_through_the_hub(local: LocalExchange) -> None:
    local.cli("registry", "population", "seed", "--count", "200")
    local.seed()
    local.start_provider()
    local.start_hub()
    given = local.cli("exchange", "consent", "give", "--citizen", SOMCHAI, "--consumer",
                      "TH/GOV/DLT/LICENCE", "--provider", POPULATION, "--item",
                      "population.id_card", "--purpose", "driving-licence-renewal")  # fmt: skip
    consent = json.loads(given.stdout)["id"]
    dlt = local.client("TH/GOV/DLT/LICENCE")
    card = dlt.call(POPULATION, "population.id_card", citizen=SOMCHAI,
                    purpose="driving-licence-renewal", consent=consent)  # fmt: skip
    assert card.json()["citizen_id"] == SOMCHAI
    assert card.provider_kid.startswith(POPULATION + "#")
    dlt.prove(card)
    with pytest.raises(ExchangeError) as info:  # the consent covers the ID card only
        dlt.call(POPULATION, "population.house_registration", citizen=SOMCHAI,
                 purpose="driving-licence-renewal", consent=consent)  # fmt: skip
    assert info.value.code == "consent-invalid"

    welfare = local.client("TH/GOV/NSO/WELFARE")  # recorded legal basis, attribute answers
    old = welfare.call(POPULATION, "population.attributes", citizen=SOMCHAI,
                       purpose="welfare-eligibility",
                       params={"attribute": "age_at_least", "value": "18"})  # fmt: skip
    assert old.json()["result"] is True
    with pytest.raises(ExchangeError) as info:
        welfare.call(POPULATION, "population.id_card", citizen="1234567890121",
                     purpose="welfare-eligibility")  # fmt: skip
    assert (info.value.status, info.value.code) == (404, "citizen-not-found")
    dlt.close()
    welfare.close()
    report = json.loads(local.cli("exchange", "verify", "--json", check=False).stdout)
    assert report["ok"] and report["entries"] == 4
