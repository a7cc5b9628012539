"""Importers: add a layer to a user's gazetteer file from data the user downloaded.

>>> from syriamap.gazetteer.importers import import_events
>>> report = import_events("ged-syria.csv", "my-gazetteer.sqlite")   # doctest: +SKIP
>>> Gazetteer("my-gazetteer.sqlite").resolve("Khan Shaykhun town")  # doctest: +SKIP

* :func:`import_geonames`: GeoNames dump files (``SY.txt``, ``cities500.txt``,
  ``allCountries.txt``, ``admin1CodesASCII.txt``, ``admin2Codes.txt``,
  ``alternateNamesV2.txt``), streamed;
* :func:`import_open_syria`: the Open-Syria geography JSON (governorates,
  districts, subdistricts with Arabic names and P-codes);
* :func:`import_events`: an ACLED or UCDP GED export, one place per location at
  the median point of its precise events.

Each writes one layer (replacing an earlier layer of the same name) of the file
given, or of :func:`user_gazetteer_path`; a new file starts as a copy of the
embedded default.  A malformed input raises :class:`GazetteerImportError`
(file, line, column) and leaves the file as it was.
"""
from syriamap.gazetteer.importers.common import GazetteerImportError, ImportReport, user_gazetteer_path
from syriamap.gazetteer.importers.events import import_events, read_event_places
from syriamap.gazetteer.importers.geonames import import_geonames
from syriamap.gazetteer.importers.opensyria import import_open_syria, read_open_syria

__all__ = [
    "GazetteerImportError",
    "ImportReport",
    "import_events",
    "import_geonames",
    "import_open_syria",
    "read_event_places",
    "read_open_syria",
    "user_gazetteer_path",
]
