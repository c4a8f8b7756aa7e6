"""``exitwatch serve``: the web application. Kept apart from the other commands so that starting
the server (and ``serve --help``) imports nothing heavy: ``app.front`` loads the full app
after the port is open."""

from __future__ import annotations

import click

from exitwatch.app.front import serve as serve_front
from exitwatch.cli.common import db_option

API_KEY_ENV = "EXITWATCH_API_KEY"


@click.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--api-key", envvar=API_KEY_ENV, default=None, show_envvar=True,
              help="Key that write requests must send in X-API-Key; without it writes are refused.")
def serve(db_path: str, host: str, port: int, api_key: str | None) -> None:
    """Serve the dashboard and the JSON API (OpenAPI docs at /docs) over the store.

    The port opens at once; until the forecast models and the reader are loaded, / shows the
    ranking the last server over this store kept (or says the server is starting) and other
    requests wait.

    \b
    Example:
      exitwatch serve --db demo.duckdb
      EXITWATCH_API_KEY=s3cret exitwatch serve --db risk.duckdb --port 8080
    """
    click.echo(f"exitwatch: dashboard on http://{host}:{port}/ , API docs on http://{host}:{port}/docs"
               f"{'' if api_key else ' (read-only: no API key)'}")
    serve_front(db_path, host=host, port=port, api_key=api_key)
