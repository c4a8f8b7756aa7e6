"""The README's main job: ingest the bundled sample corpus into a store and brief on Iran.

The bundled corpus is our own short sample texts (``exitwatch/ingest/samples`` and
``exitwatch/indicators/samples``); when the example article that ships beside the repository
(``../shared/examples``) is present it is ingested too, so the brief shows the example scenario.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from exitwatch.app.ingest_pipeline import IngestReport, ingest
from exitwatch.indicators.samples import samples_path
from exitwatch.ingest import sample_corpus_path
from exitwatch.report.brief import build_brief
from exitwatch.store import Store

#: Where the example article lives relative to a source checkout (absent in a wheel install).
EXAMPLE_ARTICLE = (
    Path(__file__).resolve().parents[4] / "shared" / "examples" / "khamenei_plan_b_article.txt"
)


@dataclass(frozen=True)
class DemoResult:
    """What the demo did.

    Fields: ``db_path``; ``inputs`` (paths ingested); ``ingest`` (the IngestReport);
    ``tables`` (rows per table afterwards); ``brief`` (Markdown brief for ``country``);
    ``country``.
    """

    db_path: str
    inputs: tuple[str, ...]
    ingest: IngestReport
    tables: dict
    brief: str
    country: str


#: The example article is a plain-text copy of a Hot Air opinion piece: the file itself does not
#: name its outlet, so the demo says it (as a user would with ``ingest --outlet``).
EXAMPLE_OUTLET = "Hot Air"


def demo_inputs(example_article: Path = EXAMPLE_ARTICLE) -> list[Path]:
    """The sample corpora that ship with the package, plus the example article if present."""
    inputs = [sample_corpus_path(), samples_path()]
    if example_article.is_file():
        inputs.append(example_article)
    return inputs


def run_demo(
    *,
    db_path: str,
    country: str = "IRN",
    example_article: Path = EXAMPLE_ARTICLE,
    progress: Callable[[int, int | None], None] | None = None,
) -> DemoResult:
    """Ingest (and read) the demo inputs into ``db_path`` and build the brief for ``country``."""
    inputs = demo_inputs(example_article)
    with Store(db_path) as store:
        reports: list[IngestReport] = []
        for path in inputs:
            counted = sum(r.added + r.duplicates + r.near_duplicates for r in reports)
            reports.append(ingest(
                [path], store=store, outlet=EXAMPLE_OUTLET if path == example_article else None,
                progress=None if progress is None else lambda done, total, counted=counted: progress(counted + done, total),
            ))
        tables = store.table_counts()
        brief = build_brief(store, country, fmt="md")
    report = IngestReport.merge(reports)
    return DemoResult(
        db_path=db_path,
        inputs=tuple(str(p) for p in inputs),
        ingest=report,
        tables=tables,
        brief=brief,
        country=country,
    )
