"""The README stays true: its column table is the schema's, its quick start is what CI runs."""
from __future__ import annotations

import argparse
import contextlib
import doctest
import importlib
import inspect
import io
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


def _cli_parser() -> argparse.ArgumentParser:
    """The ``syriamap`` command's parser, whichever shape ``syriamap.cli`` has (a module or a package).

    Takes the function of ``syriamap.cli`` that builds it: ``build_parser`` or any
    other function whose name mentions a parser and that returns an ``ArgumentParser``.
    """
    cli = importlib.import_module("syriamap.cli")
    names = ["build_parser", *sorted(n for n in dir(cli) if "parser" in n.lower() and n != "build_parser")]
    for name in names:
        factory = getattr(cli, name, None)
        if inspect.isfunction(factory) and not any(
                p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                for p in inspect.signature(factory).parameters.values()):
            parser = factory()
            if isinstance(parser, argparse.ArgumentParser):
                return parser
    raise AssertionError("syriamap.cli has no function returning its ArgumentParser")


def _choices(parser: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """The words argparse accepts after ``argv``, read from its public "invalid choice" error.

    ``argv + [unknown word]`` is parsed: where a subcommand or a fixed choice is
    expected, argparse refuses the word and lists every choice; anywhere else it
    accepts it or fails for another reason, and there are no choices.
    """
    stderr = io.StringIO()
    message = ""
    with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
        try:
            parser.parse_args([*argv, "no-such-command-xyz"])
        except SystemExit:
            pass
        except Exception as exc:  # a parser whose error() raises the package's usage error
            message = str(exc)
    found = re.search(r"invalid choice: .*?\(choose from (.*)\)", stderr.getvalue() + message)
    return [c.strip().strip("'\"") for c in found.group(1).split(",")] if found else []


def _cli_reference() -> str:
    block = re.search(r"^## Command line\n(.*?)^## ", README, re.S | re.M)
    assert block, "README lost its '## Command line' section"
    return block.group(1)


def test_cli_reference_shows_every_command_and_action():
    """Each command of ``syriamap --help``, and each action of those that have some, has an example."""
    parser = _cli_parser()
    commands = _choices(parser, [])
    assert {"resolve", "map", "gazetteer", "evaluate", "demo"} <= set(commands), commands
    reference = _cli_reference()
    missing = []
    for command in commands:
        actions = _choices(parser, [command])
        wanted = [f"syriamap {command} {action}" for action in actions] or [f"syriamap {command}"]
        missing += [w for w in wanted if not re.search(re.escape(w) + r"(?![\w-])", reference)]
    assert not missing, f"the README's CLI reference has no example of: {missing}"


def test_cli_reference_check_can_fail():
    """The probe finds the nested actions (so a missing one would be reported), not only the commands."""
    parser = _cli_parser()
    assert {"build", "fetch", "layers"} <= set(_choices(parser, ["gazetteer"]))
    assert {"gazetteer", "events", "mentions"} <= set(_choices(parser, ["evaluate"]))
    assert _choices(parser, ["demo"]) == []
