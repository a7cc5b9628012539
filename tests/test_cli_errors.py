"""One exception root (syriamap.errors) and one configuration module (syriamap.config).

- every exception class the package defines is a SyriamapError, and either a
  DataError (exit 1) or a UsageError (exit 2), keeping its historical base;
- each survives a pickle round trip with its attributes (Dask and
  multiprocessing send errors between processes);
- no module but syriamap.config reads the environment, and the config module's
  answers follow the variables.
"""
from __future__ import annotations

import importlib
import inspect
import pickle
import pkgutil
import re
from pathlib import Path

import pytest

import syriamap
from syriamap import config
from syriamap.errors import DataError, SyriamapError, UsageError, where

PACKAGE = Path(syriamap.__file__).parent


def _package_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages([str(PACKAGE)], prefix="syriamap."):
        if info.name.endswith("__main__"):
            continue
        names.append(info.name)
    return names


def _exception_classes() -> dict[str, type[BaseException]]:
    found = {}
    for name in _package_modules():
        try:
            module = importlib.import_module(name)
        except ImportError:  # a module of an optional extra that is not installed
            continue
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, BaseException) and obj.__module__ == name:
                found[f"{name}.{obj.__name__}"] = obj
    return found


def test_every_error_of_the_package_is_a_data_or_usage_error():
    classes = _exception_classes()
    expected = {"EventFileError", "GazetteerFileError", "EmptyLayerError", "GazetteerImportError", "CuratedDataError",
                "GeocodeCacheError", "FetchError", "GoldFileError", "DocumentError", "ActorTableError",
                "OnlineAnswerError", "OnlineDeadlineError"}
    assert expected <= {cls.__name__ for cls in classes.values()}, "the scan found the package's errors"
    for qualified, cls in classes.items():
        if cls in (SyriamapError, DataError, UsageError):
            continue
        assert issubclass(cls, DataError) != issubclass(cls, UsageError), qualified
        assert cls.exit_code == (2 if issubclass(cls, UsageError) else 1), qualified


def test_the_historical_bases_are_kept():
    from syriamap.gazetteer.fetch import FetchError
    from syriamap.gazetteer.store import GazetteerFileError
    from syriamap.io import EventFileError
    from syriamap.text.document import DocumentError

    assert issubclass(EventFileError, ValueError) and issubclass(DocumentError, ValueError)
    assert issubclass(GazetteerFileError, RuntimeError) and issubclass(FetchError, RuntimeError)
    with pytest.raises(ValueError):
        raise EventFileError("e.csv", 3, "latitude", "not a number")


def _instances() -> list[BaseException]:
    from syriamap.gazetteer.evaluate import GoldFileError
    from syriamap.gazetteer.fetch import FetchError
    from syriamap.gazetteer.importers.common import GazetteerImportError
    from syriamap.gazetteer.online import GeocodeCacheError
    from syriamap.gazetteer.online_http import OnlineAnswerError, OnlineDeadlineError
    from syriamap.gazetteer.sources import CuratedDataError
    from syriamap.gazetteer.store import EmptyLayerError, GazetteerFileError
    from syriamap.io import EventFileError
    from syriamap.text.actors import ActorTableError
    from syriamap.text.document import DocumentError

    return [
        SyriamapError("root"), DataError("data"), UsageError("usage"),
        EventFileError("events.csv", 12, "latitude", "'n/a' is not a number"),
        EventFileError(Path("x.geojson"), None, 3, "bad feature"),
        GazetteerImportError("SY.txt", 17, "expected 19 tab-separated columns, found 12"),
        GazetteerImportError(Path("e.csv"), 9, "'n/a' is not a number", column="latitude"),
        GazetteerFileError("g.sqlite: not a syriamap gazetteer"), EmptyLayerError("no places"),
        CuratedDataError("aliases.tsv:3: bad"), GeocodeCacheError("cache.sqlite: locked"),
        FetchError("SY.zip: bad zip"), GoldFileError("gold.csv: no column"), DocumentError("published: 'soon'"),
        ActorTableError("actors.tsv:4: bad"), OnlineAnswerError("too big"), OnlineDeadlineError("too late"),
    ]


@pytest.mark.parametrize("error", _instances(), ids=lambda e: type(e).__name__)
def test_errors_survive_pickling_with_their_attributes(error):
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert str(copy) == str(error) and copy.args == error.args
    assert vars(copy) == vars(error)


def test_every_error_is_exported_from_the_package():
    for name in ("SyriamapError", "DataError", "UsageError", "EventFileError", "GazetteerFileError",
                 "GazetteerImportError", "FetchError", "GeocodeCacheError", "GoldFileError", "CuratedDataError",
                 "DocumentError", "ActorTableError"):
        assert issubclass(getattr(syriamap, name), SyriamapError), name
        assert name in syriamap.__all__


def test_where_names_file_line_and_column():
    assert where("a.csv") == "a.csv"
    assert where("a.csv", 3) == "a.csv:3"
    assert where("a.csv", 3, 7) == "a.csv:3:7"
    assert where("a.csv", 3, "latitude") == "a.csv:3: column 'latitude'"
    assert where("a.csv", None, "latitude") == "a.csv: column 'latitude'"


# --------------------------------------------------------------------------- config


def test_only_the_config_module_reads_the_environment():
    reads = re.compile(r"os\.environ|os\.getenv|getenv\(|environ\.get")
    offenders = [str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
                 if path.name != "config.py" and reads.search(path.read_text(encoding="utf-8"))]
    assert offenders == []


def test_every_variable_is_in_the_config_table():
    doc = config.__doc__
    for name in (config.GAZETTEER_ENV, config.CACHE_DIR_ENV, config.CONFIG_DIR_ENV, config.DATA_DIR_ENV,
                 config.GEONAMES_URL_ENV):
        assert f"``{name}``" in doc, name


def test_folders_follow_the_variables(monkeypatch, tmp_path):
    for var, func in ((config.CACHE_DIR_ENV, config.cache_dir), (config.CONFIG_DIR_ENV, config.config_dir),
                      (config.DATA_DIR_ENV, config.data_dir)):
        monkeypatch.setenv(var, str(tmp_path / var))
        assert func() == tmp_path / var
        monkeypatch.setenv(var, "")
        assert func() != tmp_path / var and "syriamap" in str(func()), "empty means unset: the platform folder"
    monkeypatch.setenv(config.GEONAMES_URL_ENV, "http://127.0.0.1:9/dumps")
    assert config.geonames_url() == "http://127.0.0.1:9/dumps/"
    assert config.geonames_url("http://other/") == "http://other/"


def test_the_user_gazetteer_is_the_same_file_for_imports_and_lookups(monkeypatch, tmp_path):
    monkeypatch.delenv(config.GAZETTEER_ENV, raising=False)
    monkeypatch.setenv(config.CONFIG_DIR_ENV, str(tmp_path / "config"))
    monkeypatch.setenv(config.DATA_DIR_ENV, str(tmp_path / "data"))
    created = tmp_path / "data" / config.USER_GAZETTEER_FILE
    assert config.user_gazetteer() == created and config.existing_user_gazetteer() is None
    created.parent.mkdir()
    created.write_bytes(b"")
    assert config.existing_user_gazetteer() == created, "once an import has created it, lookups read it"
    chosen = tmp_path / "chosen.sqlite"
    config.choice_file().parent.mkdir(parents=True)
    config.choice_file().write_text(f"{chosen}\n", encoding="utf-8")
    assert config.user_gazetteer() == chosen == config.existing_user_gazetteer()
    monkeypatch.setenv(config.GAZETTEER_ENV, str(tmp_path / "env.sqlite"))
    assert config.user_gazetteer() == tmp_path / "env.sqlite" == config.existing_user_gazetteer()
