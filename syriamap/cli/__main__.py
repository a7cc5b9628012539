"""``python -m syriamap.cli``: the ``syriamap`` command."""
import sys

from syriamap.cli.app import main

sys.exit(main())
