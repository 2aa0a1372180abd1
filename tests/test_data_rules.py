"""apply_site_rules: hand-computed outputs for default and changed SiteRules."""

import numpy as np
import pandas as pd

from siting.data.rules import apply_site_rules
from siting.scenario import SiteRules


def _sites():
    return pd.DataFrame(
        {
            "kind": ["greenfield", "brownfield", "hub", "user", "greenfield"],
            "dist_380kv_km": [5.0, 12.0, 30.0, np.nan, 10.0],
            "dist_220kv_km": [5.0, 8.0, 25.0, np.nan, 10.0],
            "retiring_plant_mw": [0.0, 800.0, 0.0, 0.0, 0.0],
        }
    )


def test_defaults():
    out = apply_site_rules(_sites(), SiteRules())
    # 380 within 10 km -> 300; 220 within -> 100; none -> 30; NaN -> 30; exactly 10 km -> 300
    assert out["grid_headroom_mw"].tolist() == [300.0, 100.0, 30.0, 30.0, 300.0]
    assert out["land_area_ha"].tolist()[:3] == [100.0, 50.0, 20.0]
    assert np.isinf(out["land_area_ha"].iloc[3])  # kind not in the mapping
    assert np.isinf(out["max_it_mw"]).all()


def test_changed_parameters():
    rules = SiteRules(
        headroom_mw_380kv=500,
        headroom_mw_220kv=200,
        headroom_mw_other=0,
        substation_max_km=26,
        land_ha={"greenfield": 7, "hub": 3},
        max_it_mw={"hub": 40},
    )
    out = apply_site_rules(_sites(), rules)
    # site 2: 380 at 30 km (> 26), 220 at 25 km (<= 26) -> 200
    assert out["grid_headroom_mw"].tolist() == [500.0, 500.0, 200.0, 0.0, 500.0]
    assert out["land_area_ha"].iloc[0] == 7 and out["land_area_ha"].iloc[2] == 3
    assert np.isinf(out["land_area_ha"].iloc[1])  # brownfield no longer in the mapping
    assert out["max_it_mw"].iloc[2] == 40 and np.isinf(out["max_it_mw"].iloc[0])


def test_does_not_mutate_and_keeps_existing_values():
    s = _sites().assign(land_area_ha=[1.0, 2.0, 3.0, 4.0, 5.0])
    out = apply_site_rules(s, SiteRules(land_ha={"hub": 9}))
    assert out["land_area_ha"].tolist() == [1.0, 2.0, 9.0, 4.0, 5.0]
    assert "grid_headroom_mw" not in s.columns
