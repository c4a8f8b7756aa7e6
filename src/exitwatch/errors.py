"""Exception classes.

Every error that a user can cause is one of these. Messages say what failed, why, and what the
valid choices are; the CLI prints ``str(error)`` as one line and exits non-zero, and the API turns
it into its one JSON error shape (see ``exitwatch.app.server``).
"""

from __future__ import annotations


class ExitwatchError(Exception):
    """Base class of every error exitwatch raises on purpose."""

    #: HTTP status the API answers with for this kind of error.
    http_status = 400
    #: Short machine-readable kind, used in the API's error JSON.
    code = "error"


class InputError(ExitwatchError):
    """An input (file, text, record) cannot be read; the message names the input and the problem."""

    code = "bad_input"

    def __init__(self, source: str, problem: str):
        self.source = source
        self.problem = problem
        super().__init__(f"{source}: {problem}")


class DataFileError(InputError):
    """A public dataset file (Archigos, REIGN, ...) is missing or lacks columns."""

    code = "bad_data_file"


class ConfigError(ExitwatchError):
    """A configuration value or option is invalid."""

    code = "bad_config"


class UnknownCountryError(ExitwatchError):
    """A country name or code does not resolve to a known country."""

    code = "unknown_country"
    http_status = 404

    def __init__(self, query: str, hint: str = ""):
        self.query = query
        message = f"unknown country {query!r}: use an ISO3 code (IRN), a name (Iran) or a Gleditsch-Ward number (630)"
        super().__init__(message + (f"; {hint}" if hint else ""))


class NotFoundError(ExitwatchError):
    """A requested record (document, leader, ...) does not exist."""

    code = "not_found"
    http_status = 404


class StoreError(ExitwatchError):
    """The store file cannot be opened, migrated or written."""

    code = "store_error"
    http_status = 500


class ModelError(ExitwatchError):
    """A model file is missing, incompatible, or was not fitted."""

    code = "model_error"
    http_status = 500


class AuthError(ExitwatchError):
    """A write request came without the API key or with a wrong one."""

    code = "unauthorized"
    http_status = 401


class UploadTooLargeError(InputError):
    """An uploaded file or document is larger than the server accepts."""

    code = "too_large"
    http_status = 413


class UnsupportedUploadError(InputError):
    """An uploaded file is not text, HTML, JSON, JSONL, CSV or an RSS/Atom feed."""

    code = "unsupported_media"
    http_status = 415


class WritesDisabledError(AuthError):
    """A write request reached a server started without an API key."""

    code = "forbidden"
    http_status = 403


class FetchError(ExitwatchError):
    """A web request failed (network, HTTP status, robots.txt, size limit); the message names
    the URL and why. ``status`` is the last HTTP status, or None when no answer came; ``retry_after`` the server's
    Retry-After header."""

    code = "fetch_failed"
    http_status = 502

    def __init__(self, url: str, problem: str, status: int | None = None, retry_after: str | None = None):
        self.url = url
        self.problem = problem
        self.status = status
        self.retry_after = retry_after
        super().__init__(f"{url}: {problem}")
