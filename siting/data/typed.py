"""Figures typed from publications, each with its citation, used by :mod:`siting.data.build`.

Nothing here is read from the raw extracts in ``../shared/data``: these are small tables that the
raw sources do not carry (country code cross-walks, national coal phase-out commitments, water
stress, EuroHPC AI Factory host cities, gap-filling rules). Every figure says where it comes from;
data/README.md repeats them. Change a figure here, rebuild with ``siting data build``.
"""

from __future__ import annotations

import math

# --------------------------------------------------------------------------- country cross-walk
# ISO 3166-1 alpha-2 -> (ISO alpha-3, English name, EU27 member). Codes are ISO; Eurostat/GISCO's
# EL (Greece) and UK (United Kingdom) are mapped to GR and GB at the edge (siting.data.sources).
COUNTRIES: dict[str, tuple[str, str, bool]] = {
    "AT": ("AUT", "Austria", True),
    "BE": ("BEL", "Belgium", True),
    "BG": ("BGR", "Bulgaria", True),
    "CY": ("CYP", "Cyprus", True),
    "CZ": ("CZE", "Czechia", True),
    "DE": ("DEU", "Germany", True),
    "DK": ("DNK", "Denmark", True),
    "EE": ("EST", "Estonia", True),
    "ES": ("ESP", "Spain", True),
    "FI": ("FIN", "Finland", True),
    "FR": ("FRA", "France", True),
    "GR": ("GRC", "Greece", True),
    "HR": ("HRV", "Croatia", True),
    "HU": ("HUN", "Hungary", True),
    "IE": ("IRL", "Ireland", True),
    "IT": ("ITA", "Italy", True),
    "LT": ("LTU", "Lithuania", True),
    "LU": ("LUX", "Luxembourg", True),
    "LV": ("LVA", "Latvia", True),
    "MT": ("MLT", "Malta", True),
    "NL": ("NLD", "Netherlands", True),
    "PL": ("POL", "Poland", True),
    "PT": ("PRT", "Portugal", True),
    "RO": ("ROU", "Romania", True),
    "SE": ("SWE", "Sweden", True),
    "SI": ("SVN", "Slovenia", True),
    "SK": ("SVK", "Slovakia", True),
    # EFTA and the United Kingdom: country figures where the sources allow, no candidate sites.
    "CH": ("CHE", "Switzerland", False),
    "IS": ("ISL", "Iceland", False),
    "LI": ("LIE", "Liechtenstein", False),
    "NO": ("NOR", "Norway", False),
    "GB": ("GBR", "United Kingdom", False),
}

EU27 = tuple(k for k, v in COUNTRIES.items() if v[2])
ISO3_TO_ISO2 = {v[0]: k for k, v in COUNTRIES.items()}

# Eurostat / GISCO / Dispa-SET codes that differ from ISO 3166-1 alpha-2.
EUROSTAT_TO_ISO2 = {"EL": "GR", "UK": "GB"}
ISO2_TO_EUROSTAT = {v: k for k, v in EUROSTAT_TO_ISO2.items()}

# English country names as spelled in the Eurostat nrg_pc_205 extract and in powerplantmatching,
# where they differ from the names above.
NAME_ALIASES = {
    "Czech Rep.": "CZ",
    "Czech Republic": "CZ",
    "Bosnia and Herz.": "BA",
    "Bosnia and Herzegovina": "BA",
}

# --------------------------------------------------------------------------- coal phase-out
# National coal-power phase-out commitments (year by which coal-fired power ends), typed from
# Europe Beyond Coal, "Overview of national coal phase-out commitments"
# (https://beyond-coal.eu/2022/01/13/overview-of-national-coal-phase-out-commitments/ and the
# tracker's later updates), as known in 2024. None = no national commitment (PL) or no coal power
# (CY, EE [oil shale, not coal], LT, LU, LV, MT). Years already passed = coal-free.
# These are government announcements, not laws in every case (ES, IT announced 2025; GR moved to
# 2026). Ember's coal_deadline column is a Paris-aligned *benchmark*, not a commitment, and is
# kept separately in countries.csv as ember_coal_benchmark_year.
COAL_PHASEOUT_SOURCE = (
    "Europe Beyond Coal, Overview of national coal phase-out commitments "
    "(beyond-coal.eu), status 2024, typed by the siting authors"
)
#: Why a country has no phase-out year: it has no coal power, or has made no commitment.
COAL_PHASEOUT_NONE: dict[str, str] = {
    "CY": "no coal power", "LT": "no coal power", "LU": "no coal power",
    "LV": "no coal power", "MT": "no coal power", "EE": "no commitment (oil shale)",
    "PL": "no commitment", "CH": "no coal power", "IS": "no coal power",
    "LI": "no coal power", "NO": "no coal power",
}

#: powerplantmatching fuel types mapped to the OWID mix categories (for the capacity proxy).
PPM_FUEL_TO_MIX: dict[str, str] = {
    "Hard Coal": "coal", "Lignite": "coal", "Natural Gas": "gas", "Oil": "oil",
    "Nuclear": "nuclear", "Hydro": "hydro", "Wind": "wind", "Solar": "solar",
    "Solid Biomass": "bioenergy", "Biogas": "bioenergy", "Waste": "bioenergy",
    "Geothermal": "other_renewables",
}

COAL_PHASEOUT_YEAR: dict[str, int | None] = {
    "AT": 2020,
    "BE": 2016,
    "BG": 2038,
    "CY": None,
    "CZ": 2033,
    "DE": 2038,
    "DK": 2028,
    "EE": None,
    "ES": 2025,
    "FI": 2029,
    "FR": 2027,
    "GR": 2026,
    "HR": 2033,
    "HU": 2025,
    "IE": 2025,
    "IT": 2025,
    "LT": None,
    "LU": None,
    "LV": None,
    "MT": None,
    "NL": 2029,
    "PL": None,
    "PT": 2021,
    "RO": 2032,
    "SE": 2020,
    "SI": 2033,
    "SK": 2023,
    "GB": 2024,
    "CH": None,
    "IS": None,
    "LI": None,
    "NO": None,
}

# --------------------------------------------------------------------------- water stress
# The contract's water_stress column is on the WRI Aqueduct 0-5 scale. Aqueduct 4.0 country
# scores could not be checked offline, so they are NOT typed here. Instead the country value is
# derived from a cited ratio with Aqueduct's own score function:
#   FAO AQUASTAT, SDG indicator 6.4.2 "Level of water stress: freshwater withdrawal as a
#   proportion of available freshwater resources" (%), year 2018, as republished by the World
#   Bank (indicator ER.H2O.FWST.ZS; Europe ranking at indexmundi.com). Values in percent.
# Score (Aqueduct 3.0/4.0 baseline-water-stress scale, Hofste et al. 2019, WRI technical note):
#   score = clip(log2(ratio / 0.1) + 1, 0, 5): 10 % -> 1, 20 % -> 2, 40 % -> 3, 80 % -> 4.
# Caveat: SDG 6.4.2 subtracts environmental flow requirements from the supply, so it reads
# higher than Aqueduct's withdrawal/supply ratio; and a national figure hides regional stress.
# Override per site with the water_stress column of a bring-your-own sites.csv.
WATER_STRESS_SOURCE = (
    "FAO AQUASTAT SDG 6.4.2 level of water stress (% of available freshwater withdrawn), 2018, "
    "via World Bank ER.H2O.FWST.ZS; mapped to the WRI Aqueduct 0-5 scale with "
    "score = clip(log2(r/0.1)+1, 0, 5)"
)
SDG642_WATER_STRESS_PCT_2018: dict[str, float] = {
    "MT": 85.15,
    "BE": 49.07,
    "ES": 42.56,
    "BG": 40.10,
    "DE": 33.50,
    "PL": 33.22,
    "IT": 30.00,
    "DK": 29.06,
    "CY": 28.29,
    "CZ": 24.19,
    "FR": 23.64,
    "GR": 20.48,
    "IE": 20.04,
    "EE": 17.41,
    "NL": 16.38,
    "GB": 14.35,
    "PT": 12.32,
    "AT": 9.64,
    "HU": 7.65,
    "FI": 6.64,
    "CH": 6.50,
    "SI": 6.50,
    "RO": 6.01,
    "LU": 4.33,
    "SE": 3.43,
    "SK": 2.39,
    "NO": 2.05,
    "LT": 1.83,
    "HR": 1.50,
    "LV": 1.08,
    "IS": 0.39,
}
# Eurostat/EEA water exploitation index plus (WEI+), 2022, % (Eurostat news item for World Water
# Day, 21 March 2025, sdg_06_60), kept as a second, partial column for reference.
WEI_PLUS_SOURCE = "Eurostat/EEA WEI+ 2022 (sdg_06_60), Eurostat news release March 2025"
WEI_PLUS_PCT_2022: dict[str, float] = {
    "CY": 71.0,
    "MT": 34.1,
    "RO": 21.0,
    "GR": 13.8,
    "PT": 10.1,
    "ES": 8.8,
    "BG": 1.2,
}


def aqueduct_score(ratio_pct: float) -> float:
    """Aqueduct 0-5 baseline-water-stress score of a withdrawal ratio given in percent."""
    r = ratio_pct / 100.0
    if r <= 0:
        return 0.0
    return float(min(5.0, max(0.0, math.log2(r / 0.1) + 1.0)))


# --------------------------------------------------------------------------- heat demand
# Heat demand proxy (heat_demand_mwh): space + water heating of the households of the site's
# NUTS-3 region, the space part scaled by the country's heating degree days.
# Eurostat, "Energy consumption in households" (Statistics Explained, data 2023, nrg_d_hhq):
# EU households used 9.6 million TJ in 2023; 62.5 % for space heating, 15.1 % water heating.
HEAT_SOURCE = (
    "Eurostat, Energy consumption in households (nrg_d_hhq), 2023: 9.6 million TJ, "
    "62.5 % space heating, 15.1 % water heating"
)
EU_HOUSEHOLD_ENERGY_TJ_2023 = 9.6e6
SPACE_HEATING_SHARE_2023 = 0.625
WATER_HEATING_SHARE_2023 = 0.151
MWH_PER_TJ = 1e6 / 3600.0

# --------------------------------------------------------------------------- AI Factory hosts
# EuroHPC AI Factory hosting sites selected December 2024, March 2025 and October 2025
# (EuroHPC JU press releases of 10 Dec 2024, 12 Mar 2025, 10 Oct 2025). Coordinates are the
# host institution's city (approximate, 0.01 deg), typed by the siting authors.
AI_FACTORIES_SOURCE = (
    "EuroHPC JU, AI Factories selection press releases (10 Dec 2024, 12 Mar 2025, 10 Oct 2025); "
    "city coordinates typed by the siting authors"
)
# slug, name, ISO2, lon, lat
AI_FACTORIES: list[tuple[str, str, str, float, float]] = [
    ("barcelona", "BSC AI Factory, Barcelona (MareNostrum 5)", "ES", 2.12, 41.39),
    ("bologna", "IT4LIA AI Factory, Bologna Tecnopolo (CINECA)", "IT", 11.36, 44.51),
    ("kajaani", "LUMI AI Factory, Kajaani (CSC)", "FI", 27.73, 64.23),
    ("bissen", "L-AI Factory, Bissen (MeluXina)", "LU", 6.07, 49.79),
    ("linkoping", "MIMER AI Factory, Linkoping", "SE", 15.62, 58.41),
    ("stuttgart", "HammerHAI AI Factory, Stuttgart (HLRS)", "DE", 9.10, 48.74),
    ("athens", "Pharos AI Factory, Athens (GRNET)", "GR", 23.73, 37.98),
    ("vienna", "AI:AT AI Factory, Vienna (TU Wien)", "AT", 16.37, 48.21),
    ("sofia", "BRAIN++ AI Factory, Sofia", "BG", 23.32, 42.70),
    ("bruyeres", "AI2F AI Factory, Bruyeres-le-Chatel (GENCI / CEA TGCC)", "FR", 2.19, 48.60),
    ("julich", "JAIF AI Factory, Julich (JSC)", "DE", 6.41, 50.91),
    ("poznan", "PIAST-AI AI Factory, Poznan (PSNC)", "PL", 16.93, 52.41),
    ("maribor", "SLAIF AI Factory, Maribor", "SI", 15.65, 46.55),
    ("ostrava", "CZAI AI Factory, Ostrava (IT4Innovations)", "CZ", 18.16, 49.83),
    ("vilnius", "LitAI AI Factory, Vilnius", "LT", 25.28, 54.69),
    ("groningen", "NL AI Factory, Groningen", "NL", 6.57, 53.22),
    ("krakow", "Gaia AI Factory, Krakow (Cyfronet AGH)", "PL", 19.92, 50.07),
    ("bucharest", "RO AI Factory, Bucharest (ICI Bucharest)", "RO", 26.10, 44.44),
    ("santiago", "1HealthAI Factory, Santiago de Compostela (CESGA)", "ES", -8.55, 42.88),
]

# --------------------------------------------------------------------------- site selection
# NUTS-2 regions left out of the greenfield set: outermost regions and the North-African
# autonomous cities, off the interconnected European grid and outside the ENTSO-E map.
EXCLUDED_NUTS2_PREFIXES = ("FRY", "ES70", "ES63", "ES64", "PT20", "PT30")

THERMAL_FUELS = ("Hard Coal", "Lignite", "Natural Gas", "Oil", "Nuclear")
COAL_FUELS = ("Hard Coal", "Lignite")
BROWNFIELD_MIN_MW = 300.0

# OSM data-centre clusters: points gridded into square cells of this size in EPSG:3035;
# a cell with at least this many points becomes one hub site at the points' mean position.
DC_CLUSTER_CELL_KM = 50.0
DC_CLUSTER_MIN_POINTS = 5

POPULATION_RADIUS_KM = 100.0
COOLING_WATER_COAST_KM = 20.0
EARTH_RADIUS_KM = 6371.0088  # IUGG mean Earth radius

# --------------------------------------------------------------------------- profile gap rules
# Per (zone, variable): donor zones whose series are averaged (only donors with a provided,
# non-zero series count). "self:<var>" uses another variable of the same zone.
# Offshore wind for landlocked zones (AT, CZ, HU, LU, SK) stays 0 = not available.
PROFILE_PROXIES: dict[tuple[str, str], tuple[str, ...]] = {
    ("HU", "cf_solar"): ("AT", "SK", "RO", "HR", "SI"),
    ("HU", "cf_wind_onshore"): ("AT", "SK", "RO", "HR", "SI"),
    ("MT", "cf_wind_onshore"): ("IT",),
    # Baltic / North Sea coasts without an offshore series: mean of the Baltic-rim series.
    ("PL", "cf_wind_offshore"): ("DE", "DK", "SE", "FI"),
    ("LT", "cf_wind_offshore"): ("DE", "DK", "SE", "FI"),
    ("LV", "cf_wind_offshore"): ("DE", "DK", "SE", "FI"),
    ("EE", "cf_wind_offshore"): ("DE", "DK", "SE", "FI"),
    # Atlantic Iberia: the French offshore series.
    ("ES", "cf_wind_offshore"): ("FR",),
    ("PT", "cf_wind_offshore"): ("FR",),
    # Mediterranean / Black Sea: no offshore series in the source; the zone's own onshore
    # series stands in (conservative).
    ("IT", "cf_wind_offshore"): ("self:cf_wind_onshore",),
    ("GR", "cf_wind_offshore"): ("self:cf_wind_onshore",),
    ("HR", "cf_wind_offshore"): ("self:cf_wind_onshore",),
    ("SI", "cf_wind_offshore"): ("self:cf_wind_onshore",),
    ("MT", "cf_wind_offshore"): ("self:cf_wind_onshore",),
    ("CY", "cf_wind_offshore"): ("self:cf_wind_onshore",),
    ("BG", "cf_wind_offshore"): ("self:cf_wind_onshore",),
    ("RO", "cf_wind_offshore"): ("self:cf_wind_onshore",),
    # Day-ahead price shape: Hungary has no Ember price series; neighbours' mean shape.
    ("HU", "price_factor"): ("AT", "SK", "RO", "HR", "SI"),
}
# Country carbon intensity where no source in ../shared/data has the country (Hungary is absent
# from the Ember, OWID and Electricity Maps extracts): mean of the neighbours' Ember figures.
CI_PROXIES: dict[str, tuple[str, ...]] = {"HU": ("AT", "SK", "RO", "HR", "SI")}

# Temperatures: Dispa-SET has no CY, MT. CY = Greek hourly series + the monthly difference
# CY - GR of ERA5 2016 monthly means (OWID); MT (absent from both sources) = that CY series.
TEMPERATURE_PROXY = {"CY": ("GR", "ERA5 monthly offset CY-GR, 2016"), "MT": ("CY", "as CY")}

# Population on 1 January 2020 (persons) for countries absent from the demo_r_pjanaggr3 extract:
# Hungary 9 769 526 (Eurostat tps00001 / demo_gind, 1 January 2020), typed by the siting authors.
POPULATION_FALLBACK: dict[str, float] = {"HU": 9_769_526.0}
