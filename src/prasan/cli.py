"""The ``prasan`` command: one sub-command group per job (``db``, ``demo``, and each part's own)."""

from __future__ import annotations

from typing import Annotated

import typer

from prasan import __version__
from prasan.exchange import cli as exchange_cli
from prasan.policy import cli as policy_cli
from prasan.registries import cli as registries_cli

app = typer.Typer(
    name="prasan",
    help="Prasan (ประสาน): Thailand's digital-government platform.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
db_app = typer.Typer(help="The database: migrations.", no_args_is_help=True)
demo_app = typer.Typer(help="Demo data.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(registries_cli.app, name="registry")
app.add_typer(exchange_cli.app, name="exchange")
app.add_typer(policy_cli.app, name="policy")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"prasan {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Prasan: policy analysis, data exchange and one-stop services for Thai government."""


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Serve the web application and API (migrations are applied first)."""
    import uvicorn

    from prasan.core import db
    from prasan.core.settings import get_settings

    settings = get_settings()
    db.upgrade(settings)
    typer.echo(f"Prasan on http://{host or settings.host}:{port or settings.port}", err=True)
    uvicorn.run(
        "prasan.web.main:app",
        host=host or settings.host,
        port=port or settings.port,
        reload=reload,
        workers=workers,
        proxy_headers=False,
    )


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "heads",
) -> None:
    """Apply pending migrations."""
    from prasan.core import db
    from prasan.core.settings import get_settings

    settings = get_settings()
    db.upgrade(settings, revision)
    heads = ", ".join(sorted(db.current_revisions(settings))) or "(empty)"
    typer.echo(f"database at {heads}")


@demo_app.command("seed")
def demo_seed() -> None:
    """Create the demo accounts (idempotent); each part adds its own demo data here."""
    from prasan.core import db
    from prasan.core.settings import get_settings
    from prasan.demo import seed

    settings = get_settings()
    db.upgrade(settings)
    with db.session_scope(settings) as session:
        for line in seed(session=session, settings=settings):
            typer.echo(line)
    from prasan.registries.population.demo import seed_demo_register

    # The population register is its own agency with its own database.
    for line in seed_demo_register(settings=settings):
        typer.echo(line)
