"""Readers of the raw extracts: units, code mapping, formats."""

import numpy as np

from siting.data import sources as src


def test_nrg_pc_205_units_and_codes(raw_dir):
    p = src.read_nrg_pc_205(raw_dir)
    assert p.loc["DE", "IG"] == 139.0  # 0.139 EUR/kWh
    assert "GR" in p.index and "EL" not in p.index
    assert np.isnan(p.loc["EE", "IG"])  # published 0.0 = confidential


def test_chdd_parses_flags_and_maps_greece(raw_dir):
    d = src.read_chdd(raw_dir)
    assert {"HDD", "CDD"} <= set(d["indicator"])
    assert "GR" in set(d["geo"]) and "EL" not in set(d["geo"])
    assert d["year"].min() == 1979 and d["year"].max() == 2024


def test_grid_buses_quotechar(raw_dir):
    b = src.read_grid_buses(raw_dir)
    assert len(b) == 8807
    known = b["voltage_kv"].dropna()
    assert known.isin([132, 220, 300, 380, 500, 750]).all()
    assert b["dc"].sum() == 43


def test_dispaset_cf_both_timestamp_forms(raw_dir):
    cf = src.read_dispaset_cf(raw_dir)
    per_zone = cf.groupby("zone").size()
    assert (per_zone == 8784).all()
    assert {"GR", "GB"} <= set(per_zone.index)
    for z in ("IT", "SK", "DE"):  # IT and SK use M/D/YYYY stamps upstream
        sub = cf[cf["zone"] == z]
        assert sub.groupby("month").size().sum() == 8784
        assert sub["hour"].nunique() == 24


def test_temps_and_nuts(raw_dir):
    t = src.read_dispaset_temps(raw_dir)
    assert len(t) == 8784 and "GR" in t.columns and "GB" in t.columns
    lb = src.read_nuts(raw_dir, 2, "labels")
    assert lb["nuts_id"].str.len().eq(4).all()
    assert "GR" in set(lb["country"])
