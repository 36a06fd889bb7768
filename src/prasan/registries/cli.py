"""``prasan registry ...``: operate the registries (seed the population register, look a person up).

These commands work on the register's own database (``PRASAN_POPULATION_DATABASE_URL``), as an
operator at the owning agency would; other agencies reach the register only through the
exchange.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

app = typer.Typer(help="The registries that own citizens' records.", no_args_is_help=True)
population_app = typer.Typer(
    help="The population register (ทะเบียนราษฎร, DOPA).", no_args_is_help=True
)
app.add_typer(population_app, name="population")


@population_app.command("seed")
def population_seed(
    count: Annotated[int, typer.Option(min=0, help="How many synthetic people to add.")] = 100_000,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same people).")] = 2561,
    demo_citizens: Annotated[
        bool, typer.Option(help="Also register the fixed demo citizens (idempotent).")
    ] = True,
) -> None:
    """Add a synthetic population (valid IDs, real places) to the register's database."""
    from prasan.core.errors import ConfigurationError
    from prasan.core.settings import get_settings
    from prasan.registries.population.database import register_session, upgrade
    from prasan.registries.population.demo import seed_fixed_citizens
    from prasan.registries.population.generate import seed_population

    settings = get_settings()
    if settings.mode == "production":
        raise ConfigurationError(
            "Refusing to add synthetic people to the population register in production mode"
        )
    upgrade(settings)
    with register_session(settings) as session:
        if demo_citizens:
            for line in seed_fixed_citizens(session=session):
                typer.echo(line)
        report = seed_population(session=session, count=count, seed=seed)
    typer.echo(
        f"added {report.persons:,} people in {report.households:,} households, "
        f"{report.id_cards:,} ID cards, {report.deceased:,} deceased, "
        f"in {report.seconds:.1f} s"
    )


@population_app.command("show")
def population_show(
    citizen_id: Annotated[str, typer.Argument(help="13-digit citizen ID.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the raw JSON answers.")] = False,
) -> None:
    """Show what the register holds on one person (ID card and house registration)."""
    from prasan.core.errors import PrasanError
    from prasan.core.settings import get_settings
    from prasan.registries.population.database import register_session, upgrade
    from prasan.registries.population.service import person_record

    settings = get_settings()
    upgrade(settings)
    try:
        with register_session(settings) as session:
            record = person_record(session=session, citizen_id=citizen_id)
    except PrasanError as exc:
        typer.echo(f"{exc.detail}\n{exc.detail_th}", err=True)
        raise typer.Exit(1) from exc
    if as_json:
        typer.echo(json.dumps(record, ensure_ascii=False, indent=2))
        return
    typer.echo(render_record(record))


def render_record(record: dict[str, object]) -> str:
    """A person's record as an operator reads it: Thai first, English beside it."""
    card = record["id_card"]
    house = record["house_registration"]
    assert isinstance(card, dict)
    lines = [
        f"{card['full_name']['th']}  ({card['full_name']['en']})",
        f"  citizen ID   {card['citizen_id_formatted']}",
        f"  sex          {card['sex']['th']} ({card['sex']['en']})",
        f"  born         {card['birth_date_th']} ({card['birth_date']})",
    ]
    if not card["alive"]:
        lines.append(f"  died         {card['death_date_th']} ({card['death_date']})")
    c = card["card"]
    if c is None:
        lines.append("  ID card      none issued")
    else:
        expiry = (
            "lifelong ตลอดชีพ" if c["lifelong"] else f"{c['expiry_date_th']} ({c['expiry_date']})"
        )
        state = "valid" if c["valid"] else "NOT valid"
        lines += [
            f"  ID card      {c['card_number']}, {state}",
            f"    issued     {c['issue_date_th']} by {c['issuing_office']['th']}",
            f"    expires    {expiry}",
        ]
    if isinstance(house, dict):
        lines += [
            f"  house code   {house['house_code_formatted']}",
            f"  address      {house['address']['text']['th']}",
            f"               {house['address']['text']['en']}",
            f"  household    {house['member_count']} people",
        ]
        for m in house["members"]:
            rel = m["relation"]["th"] if m["relation"] else "-"
            lines.append(f"    {m['citizen_id']}  {m['full_name']['th']:<28} {rel}")
    return "\n".join(lines)
