"""Figures typed from publications for the energy-economics tables (issue 11), each cited.

Every figure here was found in the stored public web pages (the ``pages`` corpus of the project's
search tool) and is quoted from the page named next to it; the primary reports themselves could
not be opened offline, so each figure is "as reported by" the page cited. Where no figure could be
found, the constant says so and carries a documented, visible assumption that a scenario can
override. Units are in the names.
"""

from __future__ import annotations

# --------------------------------------------------------------------------- price components
# Network share of the industrial electricity price (price excluding VAT and recoverable taxes).
# Regulatory Assistance Project (RAP), "Network charges: paving the way for industrial
# electrification and competitiveness" (blog, 2024, after the Draghi report of September 2024),
# https://raponline.org/blog/network-charges-paving-the-way-for-industrial-electrification-and-competitiveness :
# "the costs of power networks account for on average 8%-12% of industrial electricity prices
# (for large to small industrial consumers across the EU)". The low end (8 %) is the large
# consumer's share; the model's price is the largest published band (IG, >= 150 GWh/yr).
# No per-country network share for large industrial consumers could be found offline (Eurostat
# nrg_pc_205_c and the ENTSO-E unit transmission tariffs are not in ../shared/data and their
# per-country tables are not in the stored pages), so every country uses this EU-level figure
# (an assumption, flagged in countries.csv ``price_network_basis``).
NETWORK_SHARE_EU_LARGE_INDUSTRY = 0.08
NETWORK_SHARE_SOURCE = (
    "RAP (Regulatory Assistance Project), 'Network charges: paving the way for industrial "
    "electrification and competitiveness', 2024: networks are 8-12 % of EU industrial "
    "electricity prices, large to small consumers; 8 % used (EU-level, no country figure)"
)
# Per-country network shares (fraction of the price excl. VAT) with their source, where a
# cited figure exists. Empty: none could be checked offline. Add rows as
# ``"DE": (0.10, "publisher, title, year, table")``.
NETWORK_SHARE_BY_COUNTRY: dict[str, tuple[float, str]] = {}

# --------------------------------------------------------------------------- PPA volume caps
# EU-level additions of new capacity to 2030, allocated to countries by a derived rule
# (siting/data/energy.py). Per-country NECP 2030 targets could not be checked offline.
#
# Solar: draft NECPs put the EU at "around 650 GW of solar by 2030" (Ember, "Draft NECPs show EU
# just falling short of REPowerEU", 30 November 2023, ember-climate.org/insights/in-brief/
# draft-necps-show-eu-just-falling-short-of-repowereu, as quoted in a translation of that
# analysis). Installed at the end of 2024: 338 GW (SolarPower Europe, "EU Market Outlook for
# Solar Power 2024-2028", December 2024, as reported by review-energy.com and pv-magazine /
# finanznachrichten 18 Dec 2024). Utility-scale share of 2024 installations: 27.5 of 65.5 GW
# (same report, as reported by greenergydaily.com). PPAs are signed with utility-scale plants.
EU_SOLAR_2030_NECP_GW = 650.0
EU_SOLAR_END_2024_GW = 338.0
EU_SOLAR_UTILITY_SHARE_2024 = 27.5 / 65.5
SOLAR_ADDITIONS_SOURCE = (
    "Ember, 'Draft NECPs show EU just falling short of REPowerEU', 30 Nov 2023 (~650 GW solar "
    "in 2030); SolarPower Europe, 'EU Market Outlook for Solar Power 2024-2028', Dec 2024 "
    "(338 GW at end-2024; 27.5 of 65.5 GW installed in 2024 utility-scale)"
)
# Wind: WindEurope's autumn 2024 data (H1 2024 statistics and outlook): EU-27 at mid-2024
# "205 GW onshore and 20 GW offshore"; the EU "is projected to reach 350 GW of wind energy
# capacity by 2030, with 296 GW coming from onshore wind and 54 GW from offshore wind"
# (as reported by serbia-energy.eu and energylivenews.com, 19 September 2024).
EU_ONSHORE_MID_2024_GW = 205.0
EU_OFFSHORE_MID_2024_GW = 20.0
EU_ONSHORE_2030_GW = 296.0
EU_OFFSHORE_2030_GW = 54.0
WIND_ADDITIONS_SOURCE = (
    "WindEurope, autumn 2024 wind energy data (H1 2024 and outlook to 2030): EU-27 205 GW "
    "onshore, 20 GW offshore at mid-2024; 296 GW onshore, 54 GW offshore in 2030 "
    "(as reported by energylivenews.com / serbia-energy.eu, Sep 2024)"
)
# Share of new capacity that data-centre PPAs may take (scenario-overridable). Wood Mackenzie's
# Europe Renewables PPA Tracker: 19 GW contracted through PPAs in Europe in 2024, corporate PPAs
# over 70 % of deals, technology and data sectors the key drivers (as reported by
# energynews.pro and solarbeglobal.com, 2025). Against the EU's 2024 utility-scale additions,
# 27.5 GW solar (SolarPower Europe, above) + 12.9 GW wind (WindEurope, "Wind energy in Europe:
# 2024 statistics and the outlook for 2025-2030", Feb 2025, as reported by 100re.org.ua),
# 19 / 40.4 = 0.47 of new capacity was contracted by some PPA, about 0.33 by corporate PPAs
# (70 %). The corporate share, rounded down to 0.30, is the default: data centres can at most
# take what all corporate buyers take today (Europe's PPA volume includes non-EU markets, so
# this is an upper-end reading).
PPA_SHARE_OF_ADDITIONS = 0.30
PPA_SHARE_SOURCE = (
    "Wood Mackenzie Europe Renewables PPA Tracker 2024 (19 GW PPAs in Europe, >70 % corporate; "
    "via energynews.pro); EU 2024 utility-scale additions 27.5 GW solar (SolarPower Europe) + "
    "12.9 GW wind (WindEurope): corporate PPAs ~0.33 of new capacity, 0.30 used"
)

# --------------------------------------------------------------------------- firm clean supply
# Price: the French State-EDF agreement of November 2023 sets a reference price of about
# EUR 70/MWh for the output of EDF's existing nuclear fleet from 2026, with long-term
# "nuclear production allocation contracts" (CAPN) for large consumers; a data-centre operator
# (Data4) has signed one. Sources: Enerdata, "France and EDF reach agreement on nuclear power
# prices at EUR70/MWh as of 2026" (Nov 2023); NEI Magazine, "French government and EDF reach
# agreement on nuclear electricity pricing" (Nov 2023); SFEN, "CAPN: increasingly attractive for
# industry" (Sep 2025, Data4 contract). No cited price for a hydro PPA was found offline: the
# same price is used for hydro (assumption, scenario-overridable).
FIRM_PRICE_EUR_PER_MWH = 70.0
FIRM_PRICE_SOURCE = (
    "French State-EDF agreement, Nov 2023: ~EUR 70/MWh reference price for existing nuclear "
    "output from 2026 (Enerdata; NEI Magazine); CAPN long-term contracts signed by data-centre "
    "operator Data4 (SFEN, Sep 2025). Hydro: same price (no cited hydro PPA price found)"
)
# Cap: the 2023 agreement targets 40 TWh/yr of CAPN contracts (energynews.pro, "EDF and
# industrials urged to speed up electricity tariff negotiations", 2025: "less than 1% of the
# 40 terawatt-hours targeted under the 2023 agreement"). As a share of France's nuclear output
# (OWID/Ember generation, latest year, computed in the build) this is the share of each zone's
# nuclear + hydro generation that may be sold as firm clean contracts to data centres.
CAPN_TARGET_TWH = 40.0
FIRM_CAP_SOURCE = (
    "CAPN target 40 TWh/yr under the 2023 State-EDF agreement (energynews.pro, 2025) divided by "
    "France's nuclear generation (OWID/Ember): that share of each zone's nuclear + hydro "
    "generation (OWID/Ember, latest year)"
)

# --------------------------------------------------------------------------- PPA price
# Margin of a PPA price over the levelised cost of the new plant (developer margin, balancing
# and profile risk). No cited figure was found offline: 10 % of LCOE is an assumption
# (scenario-overridable). For scale: LevelTen's European P25 index (lowest 25 % of solar and
# wind offers) was EUR 66.07/MWh in Q2 2022 and Spanish solar EUR 39.50/MWh (reccessary.com,
# reporting LevelTen Q2 2022); the average European solar PPA signed in Q2 2024 was
# EUR 62.83/MWh (LevelTen, as reported by sunroverpv.com).
PPA_MARGIN_FRAC = 0.10
PPA_MARGIN_SOURCE = (
    "assumption: 10 % of LCOE (no cited developer margin found offline); compare LevelTen "
    "European PPA price index (P25 EUR 66/MWh Q2 2022; average solar PPA EUR 62.8/MWh Q2 2024)"
)

# --------------------------------------------------------------------------- technologies
# PyPSA technology-data rows used for technologies.csv (technology name in the cost tables).
TECHNOLOGIES = (
    "solar-utility",
    "onwind",
    "offwind",
    "battery storage",
    "battery inverter",
    "OCGT",
    "nuclear",
    "central air-sourced heat pump",
)
TECHNOLOGY_YEARS = (2025, 2030, 2035)
# Fuel rows: the fuel of each technology in the same tables ("gas" for OCGT).
TECHNOLOGY_FUEL = {"OCGT": "gas", "nuclear": "nuclear"}
# PPA technologies of the model -> (cost-table technology, profile variable)
PPA_TECHNOLOGIES = {
    "solar": ("solar-utility", "cf_solar"),
    "onshore": ("onwind", "cf_wind_onshore"),
    "offshore": ("offwind", "cf_wind_offshore"),
}

# Nuclear fleets closed since the generation year of the mix data: their nuclear output is not
# available for firm contracts. Germany shut its last three reactors (Isar 2, Emsland,
# Neckarwestheim 2) on 15 April 2023 (energylivenews.com, 14 April 2023; theenergyyear.com,
# 18 April 2023): the 2023 generation still contains 3.5 months of nuclear output.
NUCLEAR_CLOSED: dict[str, str] = {
    "DE": "last reactors shut 15 April 2023 (energylivenews.com; theenergyyear.com)",
}
