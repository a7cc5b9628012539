"""The ``syriamap`` command: the parser, ``main``, and the one error handler.

Each command group lives in its own module (``resolve``, ``gazetteer``,
``events``, ``map``, ``extract``, ``evaluate``, ``online_cache``, ``demo``) with a
``register(subparsers)`` function.  Registering imports only the standard
library and :mod:`syriamap.cli.options`; a command imports pandas, folium or the
gazetteer inside its handler, so ``syriamap --help`` and ``syriamap resolve X``
do not pay for what they do not use.

Exit codes: 0 success (for lookups: everything found), 1 a data error (or, for
lookups, a name not found), 2 a usage error (argparse's own errors included).
Every error is one line on stderr, ``syriamap: error: <file>:<line>:<col>: message``
where the place in a file is known, never a traceback (``-vv`` logs it).
"""
from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from importlib import import_module

logger = logging.getLogger("syriamap")

#: Command modules, in the order their commands are listed by ``--help``.
COMMAND_MODULES = ("resolve", "extract", "map", "events", "gazetteer", "evaluate", "online_cache", "demo")

#: Exit codes.
EXIT_OK, EXIT_DATA, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, with every command (imports no heavy library)."""
    from syriamap import __version__

    parser = argparse.ArgumentParser(
        prog="syriamap",
        description="Turn news about the war in Syria and its region into mapped, analysable events.",
        epilog="example:\n  syriamap demo            # news dispatches -> events -> an offline HTML map\n"
               "  syriamap resolve Homs 'Deir ez-Zor'\n\n"
               "exit codes: 0 success, 1 data error (or a name not found), 2 usage error",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"syriamap {__version__}")
    loud = parser.add_mutually_exclusive_group()
    loud.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    loud.add_argument("-q", "--quiet", action="store_true", help="errors only: no warnings, no progress bars")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        import_module(f"syriamap.cli.{name}").register(sub)
    return parser


def _configure_logging(verbose: int, quiet: bool) -> None:
    """Log to stderr: warnings by default, info with -v, debug with -vv, errors only with -q."""
    level = logging.ERROR if quiet else logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    if quiet:
        from syriamap import config

        config.disable_progress_bars()


def describe_error(exc: BaseException) -> str:
    """One line for an error: ``file:line:col: message`` when the error knows where, else its text."""
    from syriamap.errors import where

    path = getattr(exc, "path", None)
    message = getattr(exc, "message", None)
    if path is not None and isinstance(message, str):
        return f"{where(path, getattr(exc, 'line', None), getattr(exc, 'column', None))}: {message}"
    if isinstance(exc, OSError) and exc.strerror:
        name = exc.filename if exc.filename is not None else ""
        return f"{name}: {exc.strerror}" if name != "" else exc.strerror
    if isinstance(exc, UnicodeError):
        return f"text that is not in a readable encoding ({exc})"
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def run(func: Callable[[argparse.Namespace], int | None], args: argparse.Namespace) -> int:
    """Run a command's handler; turn every error into one line on stderr and an exit code."""
    from syriamap.errors import SyriamapError, UsageError

    def fail(code: int, message: str) -> int:
        print(f"syriamap: error: {message}", file=sys.stderr)
        return code

    try:
        return int(func(args) or 0)
    except UsageError as exc:
        return fail(EXIT_USAGE, describe_error(exc))
    except SyriamapError as exc:
        return fail(exc.exit_code, describe_error(exc))
    except BrokenPipeError:  # stdout closed early (`| head`): not an error of ours
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return EXIT_OK
    except KeyboardInterrupt:
        return fail(EXIT_INTERRUPTED, "interrupted")
    except (OSError, ValueError, UnicodeError) as exc:  # missing/unwritable files, values the data holds
        logger.debug("error", exc_info=True)
        return fail(EXIT_DATA, describe_error(exc))
    except ImportError as exc:
        logger.debug("error", exc_info=True)
        return fail(EXIT_DATA, f"{exc} (is the optional dependency installed? see the README's extras)")
    except (RecursionError, MemoryError) as exc:
        return fail(EXIT_DATA, f"the input is too large or too deeply nested to process ({type(exc).__name__})")
    except Exception as exc:  # noqa: BLE001 - last resort: a message, not a traceback
        logger.debug("unexpected error", exc_info=True)
        return fail(EXIT_DATA, f"unexpected {type(exc).__name__}: {describe_error(exc)}"
                               " (run with -vv for details; please report it)")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``syriamap`` command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    _configure_logging(args.verbose, args.quiet)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    return run(func, args)


if __name__ == "__main__":
    sys.exit(main())
