"""Distances on the Earth: known distances, and the chord conversions KD-trees rely on."""
import math

import numpy as np
import pytest

from syriamap.geo import chord_for_km, haversine_km, haversine_km_arrays, km_for_chord, unit_vectors

DAMASCUS, ALEPPO, HOMS = (33.51, 36.29), (36.20, 37.16), (34.73, 36.71)


def test_known_distances():
    assert haversine_km(DAMASCUS, ALEPPO) == pytest.approx(310, rel=0.03)
    assert haversine_km(DAMASCUS, DAMASCUS) == 0
    # A quarter of a great circle: equator to pole.
    assert haversine_km((0, 0), (90, 0)) == pytest.approx(math.pi / 2 * 6371.0088, rel=1e-9)


def test_arrays_agree_with_scalars_and_keep_nan():
    lat1, lon1 = np.array([DAMASCUS[0], HOMS[0], np.nan]), np.array([DAMASCUS[1], HOMS[1], 1.0])
    lat2, lon2 = np.array([ALEPPO[0], ALEPPO[0], 0.0]), np.array([ALEPPO[1], ALEPPO[1], 0.0])
    got = haversine_km_arrays(lat1, lon1, lat2, lon2)
    assert got[0] == pytest.approx(haversine_km(DAMASCUS, ALEPPO))
    assert got[1] == pytest.approx(haversine_km(HOMS, ALEPPO))
    assert np.isnan(got[2])


def test_chords_and_kilometres_are_inverse_and_match_unit_vectors():
    for km in (0.5, 10, 161, 5000):
        assert km_for_chord(chord_for_km(km)) == pytest.approx(km, rel=1e-9)
    xyz = unit_vectors(np.array([DAMASCUS[0], ALEPPO[0]]), np.array([DAMASCUS[1], ALEPPO[1]]))
    assert np.allclose(np.linalg.norm(xyz, axis=1), 1.0)
    chord = np.linalg.norm(xyz[0] - xyz[1])
    assert km_for_chord(chord) == pytest.approx(haversine_km(DAMASCUS, ALEPPO), rel=1e-9)
