"""One exception root for syriamap: catch :class:`SyriamapError` to catch them all.

Every error the package raises on purpose is either a :class:`DataError` (an
input that cannot be used: a malformed file, a missing gazetteer, a failed
download; the command line exits with 1) or a :class:`UsageError` (a call or an
option that cannot work: a bad layer name, an unparseable date argument; exit
code 2).  The concrete classes live beside the code that raises them and keep
their historical bases too (``ValueError`` or ``RuntimeError``), so callers that
catch those keep working::

    SyriamapError
    ├── DataError            exit 1
    │   ├── EventFileError           (ValueError)    syriamap.io
    │   ├── GazetteerFileError       (RuntimeError)  syriamap.gazetteer.store
    │   │   └── EmptyLayerError
    │   ├── GazetteerImportError     (ValueError)    syriamap.gazetteer.importers
    │   ├── CuratedDataError         (ValueError)    syriamap.gazetteer.sources
    │   ├── GeocodeCacheError        (RuntimeError)  syriamap.gazetteer.online
    │   ├── OnlineAnswerError        (GeopyError)    syriamap.gazetteer.online_http
    │   ├── FetchError               (RuntimeError)  syriamap.gazetteer.fetch
    │   ├── GoldFileError            (ValueError)    syriamap.gazetteer.evaluate
    │   └── ActorTableError          (ValueError)    syriamap.text.actors
    └── UsageError           exit 2
        └── DocumentError            (ValueError)    syriamap.text.document

All of them survive pickling with their attributes (Dask and multiprocessing
send errors between processes): the default ``BaseException`` pickling rebuilds
``cls(*args)`` and restores ``__dict__``, and the classes whose constructor takes
other arguments than their message define ``__reduce__``.

This module imports nothing, so any module can import it cheaply.
"""
from __future__ import annotations

__all__ = ["SyriamapError", "DataError", "UsageError", "where"]


class SyriamapError(Exception):
    """The root of every error syriamap raises on purpose."""

    #: Exit code of the ``syriamap`` command when this error ends it.
    exit_code = 1


class DataError(SyriamapError):
    """An input (file, table, answer, download) that cannot be used as it is; exit code 1."""

    exit_code = 1


class UsageError(SyriamapError):
    """A call, argument or option that cannot work whatever the data; exit code 2."""

    exit_code = 2


def where(path: object, line: int | None = None, column: str | int | None = None) -> str:
    """``path:line:column`` in the compiler style, leaving out the parts not known.

    A numeric column is appended as ``:N``; a named one as `` column 'name'``,
    so ``where("a.csv", 3, "latitude")`` is ``a.csv:3: column 'latitude'``.
    """
    text = str(path)
    if line is not None:
        text += f":{line}"
    if isinstance(column, int) and not isinstance(column, bool):
        text += f":{column}"
    elif column is not None:
        text += f": column {column!r}"
    return text
