"""The README stays true: its column table is the schema's, its quick start is what CI runs."""
from __future__ import annotations

import doctest
import re
from pathlib import Path

from syriamap.schema import columns_markdown

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_column_table_matches_the_schema():
    block = re.search(r"<!-- columns:start[^>]*-->\n(.*?)\n<!-- columns:end -->", README, re.S)
    assert block, "README lost its generated column table"
    assert block.group(1).strip() == columns_markdown().strip()


def test_ci_runs_the_readme_test_command():
    commands = re.findall(r"```bash\n(python3 -m venv .*?)\n```", README)
    assert len(commands) == 2, "the quick start is two commands"
    demo_command, test_command = commands
    assert demo_command.endswith("syriamap demo"), "the first command ends with a map of our example events"
    assert "pytest" in test_command
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert demo_command in ci and test_command in ci
    assert ci.index(demo_command) < ci.index(test_command)


def test_readme_examples_print_what_they_say():
    """The ``>>>`` examples in the README run against the embedded gazetteer as written."""
    result = doctest.testfile(str(ROOT / "README.md"), module_relative=False,
                              optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 5
    assert result.failed == 0
