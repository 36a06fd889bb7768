"""The provider contract the exchange hub codes against, and the answers matching its OpenAPI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from prasan.cli import app as prasan_cli
from prasan.core.errors import NotFound, ValidationFailed
from prasan.core.settings import Settings, get_settings
from prasan.registries.population.generate import SeedReport
from prasan.registries.population.provider import (
    MEMBER,
    OPENAPI,
    SERVICES,
    SERVICES_BY_CODE,
)
from prasan.web.app import create_app
from tests.registries.test_population_service import (
    KONG,
    LAMDUAN,
    PRASERT,
    SOMCHAI,
    SOMYING,
    UNKNOWN,
    WICHAI,
)

CODES = ["population.id_card", "population.house_registration", "population.attributes"]


def validator(schema_name: str) -> Draft202012Validator:
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": OPENAPI["components"]}
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def test_member_and_services_are_the_published_contract() -> None:
    assert MEMBER == "TH/GOV/DOPA/population"
    assert [s.code for s in SERVICES] == CODES
    assert set(SERVICES_BY_CODE) == set(CODES)
    for spec in SERVICES:
        assert spec.personal is True
        assert spec.data_items == [spec.code]
        assert spec.title_en and spec.title_th and spec.title_th != spec.title_en


def test_openapi_describes_every_service_and_every_ref_resolves() -> None:
    assert OPENAPI["openapi"] == "3.1.0"
    assert {p.lstrip("/") for p in OPENAPI["paths"]} == set(CODES)
    text = json.dumps(OPENAPI)
    schemas = OPENAPI["components"]["schemas"]
    for ref in {part.split('"')[0] for part in text.split("#/components/schemas/")[1:]}:
        assert ref in schemas, ref
    for name in schemas:
        validator(name)  # each is a valid JSON Schema 2020-12 (what OpenAPI 3.1 uses)
    params = OPENAPI["paths"]["/population.attributes"]["get"]["parameters"]
    assert params[0]["schema"]["enum"][:2] == ["lives_in_province", "lives_in_district"]


@pytest.mark.parametrize("cid", [SOMCHAI, SOMYING, KONG, PRASERT, LAMDUAN, WICHAI])
def test_handlers_answer_in_the_documented_shape(
    session: Session, register: SeedReport, cid: str
) -> None:
    answers: dict[str, Any] = {
        "IdCard": SERVICES_BY_CODE["population.id_card"].handler(session, cid, {}),
        "HouseRegistration": SERVICES_BY_CODE["population.house_registration"].handler(
            session, cid, {}
        ),
        "AttributeAnswer": SERVICES_BY_CODE["population.attributes"].handler(
            session, cid, {"attribute": "age_at_least", "value": "60"}
        ),
    }
    for schema, answer in answers.items():
        errors = list(validator(schema).iter_errors(json.loads(json.dumps(answer))))
        assert not errors, [e.message for e in errors]
    assert answers["IdCard"]["citizen_id"] == cid


def test_schema_catches_a_wrong_answer() -> None:
    errors = list(validator("AttributeAnswer").iter_errors({"citizen_id": SOMCHAI, "result": 1}))
    assert errors  # the validation above is not vacuous


def test_attribute_handler_takes_query_params(session: Session, register: SeedReport) -> None:
    handler = SERVICES_BY_CODE["population.attributes"].handler
    assert (
        handler(session, SOMCHAI, {"attribute": "age_at_least", "value": "60"})["result"] is False
    )
    assert handler(session, WICHAI, {"attribute": "age_at_least", "value": "60"})["result"] is True
    assert handler(session, SOMCHAI, {"attribute": "is_head_of_household"})["result"] is True
    with pytest.raises(ValidationFailed, match="is_alive"):
        handler(session, SOMCHAI, {})
    with pytest.raises(NotFound):
        SERVICES_BY_CODE["population.id_card"].handler(session, UNKNOWN, {})


def test_the_register_adds_no_route_to_the_platform(settings: Settings) -> None:
    """Agencies reach the register only through the exchange, never the main web app."""
    application = create_app(settings, migrate=False)
    paths = [getattr(r, "path", "") for r in application.routes]
    assert paths
    assert not [p for p in paths if "population" in p or "registr" in p]


def test_population_database_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings(data_dir=Path("var")).population_database_url == "sqlite:///var/population.db"
    monkeypatch.setenv("PRASAN_POPULATION_DATABASE_URL", "postgresql+psycopg://r@db/population")
    configured = Settings()
    assert configured.population_database_url == "postgresql+psycopg://r@db/population"
    assert configured.database_url != configured.population_database_url


def test_cli_seeds_and_shows_a_citizen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The operator's commands, on a register database of their own (never the platform's)."""
    monkeypatch.setenv("PRASAN_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PRASAN_DATABASE_URL", raising=False)
    monkeypatch.delenv("PRASAN_POPULATION_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        seeded = runner.invoke(prasan_cli, ["registry", "population", "seed", "--count", "300"])
        assert seeded.exit_code == 0, seeded.output
        assert "added 300 people" in seeded.output
        assert "registered demo household of Somchai Jaidee" in seeded.output
        assert (tmp_path / "population.db").exists()
        assert not (tmp_path / "prasan.db").exists()

        shown = runner.invoke(prasan_cli, ["registry", "population", "show", SOMCHAI])
        assert shown.exit_code == 0, shown.output
        assert "นายสมชาย ใจดี" in shown.output
        assert "1017-000123-7" in shown.output
        assert "สำนักงานเขตห้วยขวาง" in shown.output

        as_json = runner.invoke(prasan_cli, ["registry", "population", "show", KONG, "--json"])
        assert json.loads(as_json.output)["id_card"]["card"] is None

        missing = runner.invoke(prasan_cli, ["registry", "population", "show", UNKNOWN])
        assert missing.exit_code == 1
        assert "No person with citizen ID" in missing.output
    finally:
        get_settings.cache_clear()
