"""``prasan policy``: analyse a corpus, compare two texts, add documents to the stored analysis."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(help="Policy relationships and overlaps (issue 3).", no_args_is_help=True)

EmbedderOpt = Annotated[
    str,
    typer.Option(
        "--embedder",
        help="Sentence encoder: 'use' (bundled USE v3), 'none', or a local sentence-transformers model path.",
    ),
]


def _err(msg: str) -> None:
    typer.echo(msg, err=True)


def _progress_factory() -> tuple[Any, Any]:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    bar = Progress(
        TextColumn("{task.description:<9}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
        disable=not console.is_terminal and False,
    )
    tasks: dict[str, Any] = {}

    def progress(stage: str, advance: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(stage, total=max(total, 1))
        bar.advance(tasks[stage], advance)

    return bar, progress


def _print_problems(problems: list[Any]) -> None:
    for p in problems:
        _err(f"warning: {p}")


def _summary_table(summary: dict[str, Any], out: Path | None) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title="Policy analysis" + (f" → {out}" if out else ""))
    t.add_column("measure")
    t.add_column("value", justify="right")
    rows = [
        ("documents", summary.get("documents")),
        ("policy items", summary.get("items")),
        ("candidate pairs", summary.get("candidates", "-")),
        ("duplicate pairs", summary["pairs"]["duplicate"]),
        ("overlap pairs", summary["pairs"]["overlap"]),
        ("related pairs", summary["pairs"]["related"]),
        ("redundancy clusters", summary.get("redundancy_clusters")),
        ("… with >1 ministry", summary.get("fragmented_clusters")),
        ("communities", summary.get("communities")),
        ("input problems", len(summary.get("problems", []))),
        ("time (s)", summary.get("total_s")),
        ("items/s", summary.get("items_per_s")),
        ("peak memory (MB)", summary.get("peak_memory", {}).get("total_mb")),
    ]
    for k, v in rows:
        t.add_row(k, str(v))
    Console(stderr=False).print(t)


@app.command()
def analyze(
    inputs: Annotated[
        list[Path], typer.Argument(help="JSONL(.gz), text, HTML, PDF or DOCX files or folders.")
    ],
    out: Annotated[
        Path, typer.Option("--out", help="Directory for items/pairs/clusters/graph/summary.")
    ],
    embedder: EmbedderOpt = "use",
    workers: Annotated[int, typer.Option(help="Segmentation processes (default: 2).")] = 0,
    store: Annotated[
        bool, typer.Option("--store/--no-store", help="Save the analysis in the platform database.")
    ] = True,
    limit: Annotated[int, typer.Option(help="Analyse only the first N documents (0 = all).")] = 0,
) -> None:
    """Analyse documents: split into policy items, find duplicate/overlap/related pairs."""
    from prasan.policy import pipeline
    from prasan.policy.embed import get_embedder

    emb = get_embedder(embedder)
    bar, progress = _progress_factory()
    with bar:
        result = pipeline.run(
            inputs, embedder=emb, workers=workers or None, progress=progress, limit=limit or None
        )
        pipeline.write_outputs(result, out)
    _print_problems(result.problems)
    if not result.analyzer.items:
        _err("error: nothing to analyse: every input was empty or unreadable (see warnings above)")
        raise typer.Exit(2)
    if store:
        from prasan.core import db
        from prasan.core.settings import get_settings
        from prasan.policy import service

        settings = get_settings()
        db.upgrade(settings)
        with db.session_scope(settings) as session:
            service.save_analysis(session=session, result=result, settings=settings)
        _err(f"stored in {settings.database_url}")
    _summary_table(result.summary, out)


def _read_arg(arg: str) -> tuple[str, str]:
    """A file path (any supported format) or the text itself."""
    p = Path(arg)
    try:
        is_file = p.is_file()
    except OSError:
        is_file = False
    if is_file:
        from prasan.policy.ingest import InputProblem, read_documents

        problems: list[InputProblem] = []
        docs = list(read_documents([p], problems))
        _print_problems(problems)
        if not docs:
            _err(f"error: {arg}: no readable text")
            raise typer.Exit(2)
        return "\n".join(d.text for d in docs), docs[0].title
    return arg, ""


@app.command()
def compare(
    a: Annotated[str, typer.Argument(help="A file, or the text itself.")],
    b: Annotated[str, typer.Argument(help="A file, or the text itself.")],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    embedder: EmbedderOpt = "use",
    in_corpus: Annotated[
        bool,
        typer.Option(
            "--in-corpus",
            help="Relate them as the stored analysis would: with their neighbourhoods in the "
            "stored corpus and its topic prior (needs `prasan policy analyze` first; the more "
            "accurate model, about 1 s more to load).",
        ),
    ] = False,
) -> None:
    """Compare two policy texts: label, score, facets and evidence."""
    import copy

    from prasan.policy import default_analyzer
    from prasan.policy.embed import get_embedder

    text_a, title_a = _read_arg(a)
    text_b, title_b = _read_arg(b)
    if in_corpus:
        from prasan.core.errors import PrasanError
        from prasan.core.settings import get_settings
        from prasan.policy import store

        try:
            an = store.load_analyzer(store.state_path(get_settings().data_dir))
        except PrasanError as exc:
            _err(f"error: {exc.detail}")
            raise typer.Exit(2) from exc
    else:
        # a copy: the process's shared default analyser keeps its own encoder (``compare_texts``
        # callers in the same process must not inherit this command's ``--embedder``)
        an = copy.copy(default_analyzer())
    an.embedder = get_embedder(embedder)
    # two texts from outside the corpus: document ids no stored item has
    docs = ("compare:a", "compare:b") if in_corpus else None
    r = an.compare(text_a, text_b, title_a, title_b, in_corpus=docs)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "label": r.label,
                    "score": r.score,
                    "facets": r.facets,
                    "evidence": r.evidence,
                    "signals": r.signals,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    typer.echo(f"label:    {r.label}")
    typer.echo(f"score:    {r.score:.3f}")
    typer.echo(f"facets:   {', '.join(r.facets) or '-'}")
    typer.echo(
        f"agencies: A {', '.join(r.agencies[0]) or '-'} | B {', '.join(r.agencies[1]) or '-'}"
    )
    if r.signals.get("memory") is not None:
        typer.echo(
            f"memory:   {r.signals['memory']:.2f} (the readers' share of redundant among the "
            "labelled pairs nearest to these two, or the base rate when none is near)"
        )
    for k, e in enumerate(r.evidence, 1):
        typer.echo(f"evidence {k} ({e['score']:.2f}):\n  A: {e['a']}\n  B: {e['b']}")


@app.command()
def add(
    files: Annotated[list[Path], typer.Argument(help="Documents to add to the stored analysis.")],
    embedder: EmbedderOpt = "use",
    restate: Annotated[
        bool,
        typer.Option(
            "--restate/--no-restate",
            help="Also decide again the stored pairs of the items whose corpus neighbourhoods "
            "the new documents join (exact as a batch, but slower: about 0.6-2 s more on the "
            "full corpus).",
        ),
    ] = False,
) -> None:
    """Add documents to the stored analysis; only what they touch is analysed."""
    import atexit
    import gc
    import time

    # The interpreter's last garbage collections, at exit, walk every object this command
    # made (SQLAlchemy, pydantic, the analyser): ~0.2-0.3 s of a ~1.5 s command, to free
    # memory the process is about to give back anyway. Freezing them first skips that.
    atexit.register(gc.freeze)

    from prasan.core import db
    from prasan.core.errors import PrasanError
    from prasan.core.settings import get_settings
    from prasan.policy import service
    from prasan.policy.embed import get_embedder

    settings = get_settings()
    db.upgrade_if_behind(settings)
    t0 = time.perf_counter()
    try:
        with db.session_scope(settings) as session:
            report = service.add_documents(
                session=session,
                settings=settings,
                inputs=files,
                embedder=get_embedder(embedder),
                restate=restate,
            )
    except PrasanError as exc:
        _err(f"error: {exc.detail}")
        raise typer.Exit(2) from exc
    _print_problems(report.problems)
    for line in report.lines():
        typer.echo(line)
    _err(f"done in {time.perf_counter() - t0:.2f} s")
    if not report.items and report.problems:
        sys.exit(2)
