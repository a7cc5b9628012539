"""The df.syriamap accessor."""
from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from syriamap.gazetteer import Gazetteer, Place


def _events() -> pd.DataFrame:
    return pd.DataFrame({
        "event_id": ["a:1", "a:2", "a:3", "a:4"],
        "event_date": ["2016-01-05", "2016-01-20", "2016-02-03", "2016-02-04"],
        "event_type": ["Battles", "Battles", "Protests", "Battles"],
        "admin1": ["Idlib", "Aleppo", "Idlib", None],
        "fatalities": [3, None, 0, 7],
        "location": ["Testtown", "Otherville", "Testtown", "Testtown"],
        "latitude": [35.5, 36.1, None, 35.5],
        "longitude": [36.6, 37.2, None, 36.6],
    })


def test_summary_counts_and_fatalities():
    s = _events().syriamap.summary()
    assert s.by_type.loc["Battles"].tolist() == [3, 10]
    assert s.by_type.loc["Protests"].tolist() == [1, 0]
    assert s.by_admin1.loc["Idlib"].tolist() == [2, 3] and s.by_admin1.loc["(none)"].tolist() == [1, 7]
    assert s.by_month["events"].tolist() == [2, 2] and s.by_month["fatalities"].tolist() == [3, 7]
    assert str(s.by_month.index[0]) == "2016-01"
    assert "by admin1" in str(s) and "<table" in s._repr_html_()
    assert s.imprecise["events"].tolist() == [0, 0]


def test_summary_keeps_coarse_rows_apart():
    df = _events().assign(flags=[None, "geo_coarse", "date_coarse", "geo_coarse;date_coarse"])
    s = df.syriamap.summary()
    assert s.by_month["events"].tolist() == [2] and s.by_month.index[0] == pd.Period("2016-01", "M")
    assert s.by_admin1.loc["(country level or coarser)"].tolist() == [2, 7]
    assert s.imprecise["events"].tolist() == [2, 2] and s.imprecise["fatalities"].tolist() == [7, 7]


def test_validate_and_to_geojson(tmp_path):
    df = _events()
    report = df.syriamap.validate()
    assert report.ok and set(report.problems["problem"]) == {"missing_coordinates"}
    data = df.syriamap.to_geojson()
    assert [f["geometry"] for f in data["features"]][2] is None
    assert data["features"][0]["geometry"]["coordinates"] == [36.6, 35.5]
    path = df.syriamap.to_geojson(tmp_path / "e.geojson")
    assert path.exists()


def test_geocode(tmp_path):
    place = Place(id="sm:testtown", name="Testtown", kind="populated_place", latitude=35.5, longitude=36.6, country_code="SY")
    with Gazetteer.from_places([place], tmp_path / "g.sqlite") as gz:
        out = _events().syriamap.geocode(gz)
    assert out.loc[2, ["latitude", "longitude"]].tolist() == [35.5, 36.6] and out.loc[2, "place_id"] == "sm:testtown"


@pytest.mark.parametrize("code", [
    "import syriamap; import pandas as pd",
    "import pandas as pd; import syriamap",
    "import syriamap; import syriamap.schema; import pandas as pd",
])
def test_accessor_is_there_whichever_is_imported_first(code):
    """`import syriamap` never imports pandas, yet df.syriamap exists in every import order."""
    probe = (f"{code}; import sys; assert 'syriamap.accessor' not in sys.modules; "
             "a = pd.DataFrame({'event_id': ['x:1']}).syriamap; print(type(a).__name__)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "SyriamapAccessor"


def test_import_syriamap_does_not_import_pandas():
    probe = "import sys, syriamap; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "False", out.stderr
