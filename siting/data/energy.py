"""Energy-economics tables of the embedded dataset (issue 11), derived from raw files and the
cited figures of :mod:`siting.data.typed_energy`.

* :func:`price_components` - split of each country's industrial price into energy and supply,
  network, and non-recoverable taxes and levies (columns appended to ``countries.csv``);
* :func:`build_ppa_potential` - ``ppa_potential.csv``: MW of new solar, onshore and offshore
  wind per zone to 2030 and the cap available to data-centre PPAs;
* :func:`build_firm_supply` - ``firm_supply.csv``: a firm clean (nuclear / hydro) contract per
  zone, price and MW cap;

and their readers (``read_ppa_potential``, ``read_firm_supply``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from siting.data import sources as src
from siting.data import typed
from siting.data import typed_energy as te

COMPONENT_BAND = "IC"
COMPONENT_PERIOD = "2024-S2"
HOURS_PER_YEAR_2016 = 8784.0  # MW of an even year-round delivery = MWh / 8784 (2016 profile year)


# --------------------------------------------------------------------------- price components
def price_components(raw: str | Path, countries: pd.DataFrame) -> pd.DataFrame:
    """Split ``countries.price_eur_per_mwh`` into energy, network and levies.

    Rule (per country):

    * ``price_levy_share`` = (price excl. VAT and recoverable taxes - price excl. all taxes)
      / price excl. VAT, band IC, 2024-S2 (Eurostat nrg_pc_205 composition; equals the
      published "share of taxes and levies"). It may be negative (BG: allowances exceed
      taxes). The band-IC **share** is applied to the large-band price (not the IC amount in
      EUR/MWh): large consumers usually pay reduced levies per MWh, and a share keeps the
      levy below the price; the band actually used for the price is in ``price_band``.
    * ``price_network_share`` = the network share of large industrial consumers
      (``typed_energy.NETWORK_SHARE_BY_COUNTRY``, else the EU-level 8 % of RAP 2024).
    * levies = price x levy share; network = price x network share; energy and supply =
      price - network - levies (so the three sum to the price exactly, up to rounding to
      0.01 EUR/MWh).

    Parameters
    ----------
    raw : path
        Raw extracts.
    countries : pandas.DataFrame
        Country table indexed by ISO2 with ``price_eur_per_mwh``.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``countries``: ``price_energy_eur_per_mwh``,
        ``price_network_eur_per_mwh``, ``price_levies_eur_per_mwh`` (EUR/MWh),
        ``price_levy_share``, ``price_network_share`` (fractions of the price),
        ``price_components_band``, ``price_components_period``, ``price_network_basis``,
        ``price_components_method``. Empty where the country has no price or no
        composition figure.
    """
    comp = src.read_nrg_pc_205_composition(raw).reindex(countries.index)
    price = countries["price_eur_per_mwh"].astype(float)
    levy_share = ((comp["excl_vat"] - comp["excl_taxes"]) / comp["excl_vat"]).round(6)
    net_share = pd.Series(
        {c: te.NETWORK_SHARE_BY_COUNTRY.get(c, (te.NETWORK_SHARE_EU_LARGE_INDUSTRY, ""))[0]
         for c in countries.index}, dtype=float)
    basis = pd.Series(
        {c: (te.NETWORK_SHARE_BY_COUNTRY[c][1] if c in te.NETWORK_SHARE_BY_COUNTRY
             else "EU-level: " + te.NETWORK_SHARE_SOURCE) for c in countries.index})
    ok = price.notna() & levy_share.notna()
    levies = (price * levy_share).round(2)
    network = (price * net_share).round(2)
    energy = (price - network - levies).round(2)
    out = pd.DataFrame(index=countries.index)
    out["price_energy_eur_per_mwh"] = energy.where(ok)
    out["price_network_eur_per_mwh"] = network.where(ok)
    out["price_levies_eur_per_mwh"] = levies.where(ok)
    out["price_levy_share"] = levy_share.where(ok)
    out["price_network_share"] = net_share.where(ok)
    out["price_components_band"] = np.where(ok, COMPONENT_BAND, "")
    out["price_components_period"] = np.where(ok, COMPONENT_PERIOD, "")
    out["price_network_basis"] = basis.where(ok, "")
    method = (f"levies = price x non-recoverable tax share of band {COMPONENT_BAND} "
              f"{COMPONENT_PERIOD} (Eurostat nrg_pc_205 composition); network = price x "
              "network share; energy = price - network - levies")
    out["price_components_method"] = np.where(ok, method, "")
    return out


# --------------------------------------------------------------------------- PPA potential
def _fleet_key(raw: str | Path, countries: pd.DataFrame) -> pd.DataFrame:
    """Allocation key per EU27 zone and PPA technology: the zone's share of the EU27
    installed capacity of that technology in powerplantmatching (utility-scale fleet);
    zones absent from powerplantmatching for solar or onshore wind (CY, MT) use their share
    of EU27 generation of that source (OWID/Ember, latest year) instead, scaled so the key
    sums to 1."""
    eu = [c for c in typed.EU27]
    pp = src.read_powerplants(raw)
    pp = pp[pp["country"].isin(eu)]
    tech = np.select(
        [pp["fueltype"].eq("Solar") & pp["technology"].fillna("").str.lower().eq("pv"),
         pp["fueltype"].eq("Wind") & pp["technology"].eq("Onshore"),
         pp["fueltype"].eq("Wind") & pp["technology"].eq("Offshore")],
        ["solar", "onshore", "offshore"], default="")
    cap = (pp.assign(tech=tech)[tech != ""]
           .pivot_table(index="country", columns="tech", values="capacity_mw", aggfunc="sum")
           .reindex(index=eu, columns=["solar", "onshore", "offshore"]).fillna(0.0))
    key = cap / cap.sum()
    mix = src.read_owid_mix(raw)
    mix = mix[mix["country"].isin(eu)].sort_values("year").groupby("country").tail(1)
    gen = mix.set_index("country")[["solar", "wind"]].reindex(eu)
    basis = pd.DataFrame("share of EU27 installed capacity (powerplantmatching v0.6.1)",
                         index=eu, columns=key.columns)
    for t, g in (("solar", "solar"), ("onshore", "wind")):
        absent = cap.index[cap[t] == 0]
        gshare = gen[g] / gen[g].sum()
        for z in absent:
            if pd.notna(gshare.get(z)) and gshare[z] > 0:
                key.loc[z, t] = gshare[z]
                basis.loc[z, t] = (f"absent from powerplantmatching: share of EU27 {g} "
                                   "generation (OWID/Ember)")
        key[t] = key[t] / key[t].sum()
    return key, basis


def eu_additions_mw() -> dict[str, float]:
    """EU27 new capacity to 2030 (MW) per PPA technology from the cited EU figures:
    solar = (NECP 2030 - end-2024 fleet) x utility-scale share; onshore and offshore =
    WindEurope 2030 projection - mid-2024 fleet."""
    return {
        "solar": (te.EU_SOLAR_2030_NECP_GW - te.EU_SOLAR_END_2024_GW)
        * te.EU_SOLAR_UTILITY_SHARE_2024 * 1000.0,
        "onshore": (te.EU_ONSHORE_2030_GW - te.EU_ONSHORE_MID_2024_GW) * 1000.0,
        "offshore": (te.EU_OFFSHORE_2030_GW - te.EU_OFFSHORE_MID_2024_GW) * 1000.0,
    }


def build_ppa_potential(raw: str | Path, countries: pd.DataFrame,
                        share: float = te.PPA_SHARE_OF_ADDITIONS) -> pd.DataFrame:
    """``ppa_potential.csv``: new capacity to 2030 per zone and technology and the PPA cap.

    additions_mw = EU27 additions (:func:`eu_additions_mw`) x the zone's allocation key
    (:func:`_fleet_key`); cap_mw = additions_mw x ``share`` (default
    ``typed_energy.PPA_SHARE_OF_ADDITIONS``). All of it is new capacity (additionality).

    Returns
    -------
    pandas.DataFrame
        Columns ``zone``, ``technology`` (solar, onshore, offshore), ``additions_mw``,
        ``allocation_share`` (fraction of the EU27 additions), ``ppa_share``, ``cap_mw``,
        ``additional`` (True), ``basis``, ``source``; one row per EU27 zone and technology.
    """
    key, basis = _fleet_key(raw, countries)
    eu = eu_additions_mw()
    srcs = {"solar": te.SOLAR_ADDITIONS_SOURCE, "onshore": te.WIND_ADDITIONS_SOURCE,
            "offshore": te.WIND_ADDITIONS_SOURCE}
    rows = []
    for z in key.index:
        for t in ("solar", "onshore", "offshore"):
            add = float(eu[t] * key.loc[z, t])
            rows.append({
                "zone": z, "technology": t,
                "additions_mw": round(add, 1),
                "allocation_share": round(float(key.loc[z, t]), 6),
                "ppa_share": share,
                "cap_mw": round(add * share, 1),
                "additional": True,
                "basis": f"EU27 additions to 2030 x {basis.loc[z, t]}; cap = additions x "
                         "PPA share",
                "source": f"{srcs[t]}; share: {te.PPA_SHARE_SOURCE}",
            })
    return pd.DataFrame(rows).sort_values(["zone", "technology"], ignore_index=True)


# --------------------------------------------------------------------------- firm supply
def build_firm_supply(raw: str | Path, countries: pd.DataFrame) -> pd.DataFrame:
    """``firm_supply.csv``: a firm clean contract (existing nuclear + hydro) per EU27 zone.

    share = CAPN target (40 TWh/yr) / France's nuclear generation (OWID/Ember, latest year);
    cap_mwh = share x the zone's nuclear + hydro generation (same source and year); cap_mw
    = cap_mwh / 8784 h (an even, year-round delivery). Price: ``typed_energy.
    FIRM_PRICE_EUR_PER_MWH``. Zones absent from the OWID extract (HU) get no cap (0) and
    say so; nuclear fleets closed since (``typed_energy.NUCLEAR_CLOSED``: DE) count 0. The
    contracted plants exist already: ``additional`` is False.

    Returns
    -------
    pandas.DataFrame
        Columns ``zone``, ``nuclear_twh``, ``hydro_twh``, ``generation_year``, ``share``,
        ``cap_mwh``, ``cap_mw``, ``price_eur_per_mwh``, ``additional``, ``basis``,
        ``source``.
    """
    eu = list(typed.EU27)
    mix = src.read_owid_mix(raw)
    mix = mix[mix[list(src.MIX_SOURCES)].sum(axis=1) > 0]
    mix = mix.sort_values("year").groupby("country").tail(1).set_index("country")
    share = te.CAPN_TARGET_TWH / float(mix.loc["FR", "nuclear"])
    rows = []
    for z in eu:
        if z in mix.index:
            nuc, hyd = float(mix.loc[z, "nuclear"]), float(mix.loc[z, "hydro"])
            year = int(mix.loc[z, "year"])
            basis = (f"{share:.4f} x nuclear + hydro generation {year} (OWID/Ember); "
                     "share = CAPN target 40 TWh / FR nuclear generation")
            if z in te.NUCLEAR_CLOSED:
                nuc = 0.0
                basis += f"; nuclear counted 0: {te.NUCLEAR_CLOSED[z]}"
            cap_mwh = share * (nuc + hyd) * 1e6
        else:
            nuc = hyd = np.nan
            year = pd.NA
            cap_mwh = 0.0
            basis = "no generation data in the extracts (absent from OWID/Ember): cap 0"
        rows.append({
            "zone": z, "nuclear_twh": nuc, "hydro_twh": hyd, "generation_year": year,
            "share": round(share, 6), "cap_mwh": round(cap_mwh, 0),
            "cap_mw": round(cap_mwh / HOURS_PER_YEAR_2016, 1),
            "price_eur_per_mwh": te.FIRM_PRICE_EUR_PER_MWH, "additional": False,
            "basis": basis, "source": f"{te.FIRM_PRICE_SOURCE}; cap: {te.FIRM_CAP_SOURCE}",
        })
    df = pd.DataFrame(rows)
    df["generation_year"] = df["generation_year"].astype("Int64")
    return df.sort_values("zone", ignore_index=True)


# --------------------------------------------------------------------------- readers
def read_ppa_potential(folder: str | Path) -> pd.DataFrame:
    """Read ``ppa_potential.csv``: indexed by (``zone``, ``technology``); MW columns."""
    df = pd.read_csv(Path(folder) / "ppa_potential.csv", keep_default_na=False,
                     na_values=[""], dtype={"zone": str, "technology": str})
    df["additional"] = df["additional"].astype(str).str.lower().eq("true")
    return df.set_index(["zone", "technology"]).sort_index()


def read_firm_supply(folder: str | Path) -> pd.DataFrame:
    """Read ``firm_supply.csv``: indexed by ``zone``; ``cap_mw`` (MW), ``price_eur_per_mwh``."""
    df = pd.read_csv(Path(folder) / "firm_supply.csv", keep_default_na=False,
                     na_values=[""], dtype={"zone": str})
    df["additional"] = df["additional"].astype(str).str.lower().eq("true")
    return df.set_index("zone").sort_index()
