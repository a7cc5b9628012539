"""The ``syriamap`` command line (see :mod:`syriamap.cli.app`).

``main`` runs the command; ``build_parser`` gives the argparse parser (for docs
and tests).  Importing this package imports no heavy library.
"""
from __future__ import annotations

from syriamap.cli.app import build_parser, main

__all__ = ["build_parser", "main"]
