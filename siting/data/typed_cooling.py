"""Typed, cited figures for the cooling and electrical-overhead model (``siting.climate``).

Every figure carries its citation next to it (publisher, title, year, table/page where known).
Figures that could not be checked against the primary document offline say so. The build writes
the capex table to ``data/cooling_technologies.csv`` (:func:`siting.climate.cooling_technology_table`).

Contents
--------
- :data:`ELECTRICAL_SOURCES`: UPS efficiency, UPS no-load share, distribution and auxiliary
  losses of the electrical chain (EN 50600-4-2 boundary "power delivery" and "others").
- :data:`COOLING_CAPEX`: capital cost of the cooling system per MW of IT capacity, by technology.
- :data:`PUBLISHED_PUE` / :data:`PUBLISHED_WUE`: operators' and regulators' published figures used
  for the calibration in ``docs/climate.md`` and ``tests/test_climate.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

# --------------------------------------------------------------------------- currency
#: EUR per USD used for figures published in USD. The project's convention (see
#: ``siting/scenario.py``, Turner & Townsend capex): 0.92 EUR/USD (ECB reference rate, 2024
#: annual mean ≈ 0.924). No escalation from the publication year is applied (see COOLING_CAPEX).
EUR_PER_USD = 0.92

# --------------------------------------------------------------------------- electrical chain
#: EN 50600-4-2:2016 (CENELEC, "Information technology - Data centre facilities and
#: infrastructures - Part 4-2: Power Usage Effectiveness", clause 5.1): total data-centre energy
#: = IT energy + power delivery (UPS, switchgear, generators, PDUs, batteries, distribution
#: losses) + cooling (chillers, towers, pumps, CRAH/CRAC, DX) + others (lighting, lifts,
#: security, fire detection). The model follows that split: PUE = 1 + electrical + cooling.
EN50600_BOUNDARY = ("EN 50600-4-2:2016 clause 5.1 (CENELEC, Dec 2016): power delivery, cooling "
                    "and others (lighting, security, fire) are inside the PUE boundary")

ELECTRICAL_SOURCES: dict[str, tuple[float, str]] = {
    # UPS efficiency at (near) full load, double conversion
    "ups_efficiency": (
        0.96,
        "midpoint of 95-97 % for double-conversion UPS at full load. Riello UPS, 'What is UPS "
        "efficiency and how is it calculated?' (riello-ups.com): a 95 % rated UPS delivers 95 % "
        "of input power to the load; Centiel, 'UPS true online efficiency in colocation data "
        "centers': 98-99 % only in eco mode, which Tier III/IV colocation does not use. Not "
        "checked against a measured fleet survey offline.",
    ),
    # share of full-load UPS losses that are fixed (no-load losses)
    "ups_no_load_share": (
        0.40,
        "Schneider Electric, 'Definitions of losses' (2012, companion to White Paper 108/113): "
        "no-load losses 'can represent over 40 % of all UPS losses'. Cross-check: Riello states a "
        "UPS at 20-25 % load may only reach 85 % efficiency (implies a larger fixed share for "
        "older units).",
    ),
    # installed UPS capacity / IT design capacity
    "ups_redundancy": (
        1.25,
        "assumption: N+1 with 4+1 modules (installed UPS = 1.25 x IT design load). LBNL / Ecos "
        "Consulting / EPRI Solutions, 'High Performance Buildings: Data Centers - Uninterruptible "
        "Power Supplies' (Dec 2005, for the California Energy Commission PIER programme): UPSs "
        "in data centres 'typically operate at or below 50 percent of their rated active power "
        "output' because of redundancy (2N designs would use 2.0).",
    ),
    # transformers, switchgear, PDUs and cabling at design load (share of IT)
    "distribution_loss": (
        0.015,
        "assumption: MV/LV transformers (>= 98.5-99 % efficient at load; EU Ecodesign Regulation "
        "(EU) 548/2014 sets minimum efficiencies), switchgear, PDUs and cabling 1-2 % of IT "
        "power; taken proportional to load (a simplification of Schneider White Paper 113's "
        "no-load + proportional + square-law loss model).",
    ),
    # lighting, BMS, security, fire systems: fixed power as a share of IT design capacity
    "auxiliary_share": (
        0.005,
        "assumption: 0.5 % of IT design capacity for EN 50600-4-2 'others' (LED lighting, BMS, "
        "security, fire detection, dedicated offices), a fixed load (kW) that does not fall with "
        "IT utilisation.",
    ),
}

# --------------------------------------------------------------------------- cooling capex
# Schneider Electric White Paper 132, "Economizer Modes of Data Center Cooling Systems" (J.
# Niemann, J. Bean, V. Avelar, rev. 0, 2011), capital cost of the entire cooling system (materials,
# installation labour, design, project fees) per watt of IT load, as summarised by Schneider
# Electric's blog "Cost Benefit Considerations for Data Center Economizer Mode Cooling" (14 June
# 2012): CRAC compressor bypass 2.0 USD/W, air-conditioner bypass via direct fresh air with
# evaporative assist 2.2 USD/W, chiller bypass via heat exchanger (cooling tower, piping, pumps,
# custom controls) 3.0 USD/W. The white paper's own table was not checked offline.
# Present-day cross-check (no escalation applied): mechanical systems are 20-25 % of the hard cost
# of a data centre (Cortex Construct, "Data center construction cost breakdown", 2026); at the
# project's 10.7 MEUR/MW (Turner & Townsend 2025) that is 2.1-2.7 MEUR/MW, the range of the
# WP 132 figures at 0.92 EUR/USD (1.84-2.76 MEUR/MW).
WP132 = ("Schneider Electric White Paper 132 'Economizer Modes of Data Center Cooling Systems' "
         "(2011), via Schneider Electric blog 'Cost Benefit Considerations for Data Center "
         "Economizer Mode Cooling', 14 Jun 2012")


@dataclass(frozen=True)
class CoolingCapex:
    """Capital cost of a cooling technology.

    Attributes
    ----------
    usd_per_w : float
        Published (or assumed) capital cost of the whole cooling system, USD per W of IT load.
    lifetime_years : float
        Economic lifetime of the cooling plant (years).
    source : str
        Citation or the documented assumption.
    """

    usd_per_w: float
    lifetime_years: float
    source: str

    @property
    def eur_per_mw(self) -> float:
        """Capital cost in EUR per MW of IT capacity (``usd_per_w`` x 1e6 x EUR_PER_USD)."""
        return round(self.usd_per_w * 1e6 * EUR_PER_USD, 0)


#: Lifetime of cooling plant. Assumption: equal to the archetypes' 20-year economic life of
#: building and M&E (siting/scenario.py); chillers and towers last 20-25 years.
COOLING_LIFETIME_YEARS = 20.0

COOLING_CAPEX: dict[str, CoolingCapex] = {
    "air_economiser": CoolingCapex(
        2.2, COOLING_LIFETIME_YEARS,
        f"{WP132}: air-conditioner bypass via direct fresh air with evaporative assist, 2.2 USD/W"),
    "evaporative_tower": CoolingCapex(
        3.0, COOLING_LIFETIME_YEARS,
        f"{WP132}: chiller bypass via heat exchanger (cooling tower, piping, pumps, controls), "
        "3.0 USD/W"),
    "dry_cooler_chiller": CoolingCapex(
        3.0, COOLING_LIFETIME_YEARS,
        f"assumption from {WP132}: a chilled-water plant with heat-exchanger economiser at the "
        "3.0 USD/W of the tower system, air-cooled chillers and dry coolers in place of "
        "water-cooled chillers and towers (same piping, pumps and controls); WP 132's cheapest "
        "closed-loop mode (CRAC compressor bypass, 2.0 USD/W) is a lower bound"),
    "direct_liquid": CoolingCapex(
        3.6, COOLING_LIFETIME_YEARS,
        "assumption: the dry-cooler chilled-water plant (3.0 USD/W, WP 132) plus 20 % for "
        "coolant distribution units, secondary loop and rack manifolds (cold plates are IT "
        "equipment, excluded). Cross-check: operators quote 20-40 % rent premiums for "
        "liquid-cooled space (datacentres.com, 'Data centre cooling technologies' guide) — a "
        "price, not a cost; no public cost survey found offline"),
    "water_cooling": CoolingCapex(
        3.0, COOLING_LIFETIME_YEARS,
        f"assumption from {WP132}: as the tower system (3.0 USD/W), with sea/lake intake, pumps "
        "and titanium heat exchangers in place of towers and chillers; site-specific intake "
        "works (tunnels, outfalls) are not included"),
}

#: Waste-heat (source) temperature of each cooling technology for heat recovery (°C): the
#: return air or facility-water temperature a heat pump can draw from. Air-cooled halls:
#: 25-35 °C hot-aisle air (ASHRAE recommended inlet 18-27 °C plus a 10-15 K server rise; the
#: brief of issue 12 uses ~25-35 °C); liquid cooling: 40-60 °C facility water (ASHRAE TC 9.9
#: liquid classes W32-W45 supply, return ~10 K warmer). Assumptions: the midpoints.
WASTE_HEAT_TEMPERATURE_C: dict[str, float] = {
    "air_economiser": 30.0,
    "evaporative_tower": 30.0,
    "dry_cooler_chiller": 30.0,
    "direct_liquid": 50.0,
    "water_cooling": 30.0,
}


# --------------------------------------------------------------------------- published figures
@dataclass(frozen=True)
class PublishedPUE:
    """One published PUE figure used for calibration.

    Attributes
    ----------
    key : str
        Short id.
    operator, site : str
        Who and where.
    country : str
        ISO2 code of the temperature series used (Dispa-SET country mean, 2016).
    technology : str
        The ``siting.climate`` technology that matches the published design.
    kind : str
        ``"design"`` (design PUE, at design load) or ``"measured"`` (annual or 12-month).
    value : float
        The published PUE.
    source : str
        Citation.
    """

    key: str
    operator: str
    site: str
    country: str
    technology: str
    kind: str
    value: float
    source: str


_MS = "Microsoft, local.microsoft.com blog 'Understanding energy use and sustainability " \
      "investments at the {} datacenters' (2022)"

PUBLISHED_PUE: tuple[PublishedPUE, ...] = (
    PublishedPUE("ms_ie_design", "Microsoft", "Dublin region (new halls)", "IE", "air_economiser",
                 "design", 1.12,
                 _MS.format("Ireland") + ": 'new datacenters that commenced design in January "
                 "2021 will have a design PUE of 1.12'"),
    PublishedPUE("ms_ie_2021", "Microsoft", "Dublin region (fleet)", "IE", "air_economiser",
                 "measured", 1.22,
                 _MS.format("Ireland") + ": '12-month weighted average PUE of 1.22 for 2021' "
                 "(includes the 2009-era halls)"),
    PublishedPUE("ms_nl_design", "Microsoft", "North Holland (Middenmeer)", "NL",
                 "air_economiser", "design", 1.16,
                 _MS.format("Netherlands") + ": 'designed to run at an efficiency rate of 1.16'; "
                 "outside air and zero water below 29.4 °C"),
    PublishedPUE("ms_nl_2022", "Microsoft", "North Holland (Middenmeer)", "NL", "air_economiser",
                 "measured", 1.16,
                 _MS.format("Netherlands") + ": '12-month weighted average PUE of 1.16 through "
                 "February 2022'"),
    PublishedPUE("ms_se_design", "Microsoft", "Gävle, Sandviken, Staffanstorp", "SE",
                 "air_economiser", "design", 1.16,
                 _MS.format("Sweden") + ": 'we expect to be at the design PUE of 1.16' once "
                 "loaded; outside air cooling year-round (Datacentre Review, Nov 2021)"),
    PublishedPUE("ms_dk_design", "Microsoft", "Høje-Taastrup, Køge, Roskilde", "DK",
                 "air_economiser", "design", 1.16,
                 _MS.format("Denmark") + ": 'typically, air-cooled datacenters are designed to run "
                 "at an efficiency rate of 1.16'"),
    PublishedPUE("meta_lulea", "Meta (Facebook)", "Luleå", "SE", "air_economiser", "measured",
                 1.07,
                 "Facebook Luleå Data Center page, June 2013: PUE 'in the region of 1.07' in early "
                 "tests (Adweek, Converge Digest, 12 Jun 2013)"),
    PublishedPUE("meta_fleet_2021", "Meta", "new buildings 2021 (fleet)", "DK", "air_economiser",
                 "measured", 1.09,
                 "Meta: data-centre buildings completed in 2021 exhibit PUE 1.09 "
                 "(sustainability.fb.com); Odense uses outside air with indirect evaporative "
                 "cooling (Mission Critical, 2018)"),
    PublishedPUE("google_hamina", "Google", "Hamina", "FI", "water_cooling", "measured", 1.10,
                 "Baxtel listing 'Google Hamina Finland': PUE 1.1 (sea-water cooled, no "
                 "chillers); Google fleet trailing-twelve-month PUE 1.10 in 2023 (Google 2024 "
                 "Environmental Report)"),
    PublishedPUE("google_fleet_nl", "Google", "Eemshaven (fleet figure)", "NL",
                 "evaporative_tower", "measured", 1.10,
                 "Google 2024 Environmental Report: fleet average annual PUE 1.10 in 2023; Google "
                 "reports water-cooled sites use ~10 % less energy than air-cooled ones (Google "
                 "environmental report 2023, as reported by fastupload.io)"),
    PublishedPUE("google_fleet_be", "Google", "St. Ghislain (fleet figure)", "BE",
                 "evaporative_tower", "measured", 1.10,
                 "Google 2024 Environmental Report: fleet 1.10 (2023); St. Ghislain runs without "
                 "chillers, on evaporative towers (Copenhagen Economics, 'Inside Belgium', 2021)"),
    PublishedPUE("ecodc_se", "EcoDataCenter", "Falun (colocation)", "SE", "dry_cooler_chiller",
                 "measured", 1.15,
                 "MTU Solutions, 'Wood, HVO and a touch of Swedish romanticism' (EcoDataCenter "
                 "CTO M. Svanfeldt): PUE 1.15"),
)

#: Sector reference figures (not calibration targets: mostly older, smaller and colocation sites).
SECTOR_PUE = {
    "eed_2023_2024": (1.36, "European Commission EED data-centre dashboard (first reporting, "
                            "2023-2024): 776 data centres, 6.4 GW IT, 16.7 TWh, weighted average "
                            "PUE 1.36 (reported by DCD / foundernews.eu, 2026)"),
    "uptime_2023": (1.58, "Uptime Institute Global Data Center Survey 2023: average PUE 1.58"),
    "enefg_limit_2026": (1.2, "German Energy Efficiency Act (EnEfG) §11: PUE <= 1.2 for new data "
                              "centres from July 2026"),
}

#: Published water figures (L/kWh = m3/MWh of IT energy).
PUBLISHED_WUE = {
    "tower_lei_masanet_2022": ((1.7, 2.6), "Lei, N. & Masanet, E. (2022), 'Climate- and "
                               "technology-specific PUE and WUE estimations for U.S. data centers "
                               "using a hybrid statistical and thermodynamics-based approach', "
                               "Resources, Conservation and Recycling 182, 106323: water-cooled "
                               "chiller plants with cooling towers ≈1.7-2.6 L/kWh at U.S. sites "
                               "(range as quoted in issue 12; the paper's tables were not checked "
                               "offline)"),
    "microsoft_fleet_fy2023": (0.30, "Microsoft fleet WUE 0.30 L/kWh in its last fiscal year, "
                               "0.49 in 2021 (cybertechbiz.com summary of Microsoft's "
                               "zero-water design announcement, 2024)"),
    "meta_new_2021": (0.26, "Meta: new buildings completed 2021, WUE 0.26 L/kWh "
                      "(sustainability.fb.com)"),
    "eed_threshold": (0.4, "European Commission / Borderstep, AIT, EY (2025), 'Assessment of the "
                      "Energy Performance and Sustainability of Data Centres in the EU - First "
                      "Technical Report': WUE results vary around the industry threshold "
                      "0.4 L/kWh (as summarised by IIR, iifiir.org)"),
}
