"""Figures for the grid-connection tables (issue 14), typed from publications, each cited.

Used by :mod:`siting.data.grid` to build ``data/substations.csv``, ``data/dc_clusters.csv``,
``data/connection_lead_times.csv`` and ``data/policy_rules.csv``. Nothing here is read from the
raw extracts; the grid map itself (buses, lines) is read from ``../shared/data``. Every figure says
where it comes from; where a figure could not be checked offline (only secondary reports were
available in the stored pages), the comment and the ``source`` text say so. data/README.md repeats
them. Change a figure here, rebuild with ``siting data build``.
"""

from __future__ import annotations

import math

# --------------------------------------------------------------------------- line ratings
# Standard line types PyPSA-Eur assigns by voltage (PyPSA-Eur config/config.default.yaml v0.11.0,
# ``lines: types``): 220 kV "Al/St 240/40 2-bundle 220.0", 300 kV "Al/St 240/40 3-bundle 300.0",
# 380 kV and 500 kV "Al/St 240/40 4-bundle 380.0", 750 kV "Al/St 560/50 4-bundle 750.0".
# Nominal currents i_nom (kA, per circuit) from PyPSA's standard type table
# pypsa/data/standard_types/line_types.csv (parameters "Oeding and Oswald, Elektrische Kraftwerke
# und Netze, 2011, ch. 9 / appendix", via pandapower): 1.29, 1.935, 2.58, 2.58, 4.16 kA.
# Thermal rating per line (PyPSA-Eur scripts/base_network.py, _set_lines_s_nom_from_linetypes):
# s_nom [MVA] = sqrt(3) * i_nom [kA] * v_nom [kV] * circuits.
LINE_TYPE_SOURCE = (
    "PyPSA standard line types (pypsa/data/standard_types/line_types.csv, from pandapower / "
    "Oeding & Oswald 2011) and PyPSA-Eur v0.11.0 config lines.types; "
    "s_nom = sqrt(3) i_nom v_nom circuits (PyPSA-Eur base_network.py)"
)
LINE_TYPES: dict[int, tuple[str, float]] = {
    220: ("Al/St 240/40 2-bundle 220.0", 1.29),
    300: ("Al/St 240/40 3-bundle 300.0", 1.935),
    380: ("Al/St 240/40 4-bundle 380.0", 2.58),
    500: ("Al/St 240/40 4-bundle 380.0", 2.58),
    750: ("Al/St 560/50 4-bundle 750.0", 4.16),
}
# Regional node (a site farther than SUBSTATION_MAX_KM from any >=220 kV substation): fed from
# the regional 110 kV network by one double-circuit 110 kV line of PyPSA's type
# "243-AL1/39-ST1A 110.0" (i_nom 0.645 kA; the type PyPSA-Eur's OSM network uses for 110-150 kV).
# A visible assumption of the siting authors, rated with the same formula.
REGIONAL_NODE_LINE = ("243-AL1/39-ST1A 110.0", 0.645, 110.0, 2)  # type, i_nom kA, kV, circuits

# N-1 / derating. PyPSA-Eur limits every line to s_max_pu = 0.7 of its thermal rating,
# "to approximate N-1 security and reserve capacity for reactive power flows" (PyPSA-Eur
# config.default.yaml ``lines: s_max_pu: 0.7``; doc/configtables/lines.csv).
S_MAX_PU = 0.7
S_MAX_PU_SOURCE = "PyPSA-Eur v0.11.0 config.default.yaml lines.s_max_pu = 0.7 (N-1 approximation)"

MIN_VOLTAGE_KV = 220.0
# Stations of the map (buses sharing a station_id) closer than this are merged into one
# substation (2 pairs of >=220 kV stations in the 2022 map). Assumption of the siting authors.
STATION_MERGE_KM = 1.0
# A site connects to the nearest >=220 kV substation of its own country within this distance
# (great-circle km on the schematic map positions), else to its NUTS-2 regional node. 15 km,
# the upper end of the 10-15 km asked for in issue 14: the ENTSO-E map is schematic (positions
# off by kilometres), so a 10 km radius (SiteRules.substation_max_km, the old headroom rule)
# sends hubs such as Munich (11.9 km) and Berlin (11.2 km) to regional nodes. Assumption of the
# siting authors; ``substation_km`` lets the model charge the distance.
SUBSTATION_MAX_KM = 15.0

# Cap on new load at one connection point: the reference incident of the synchronous area, the
# largest sudden loss of generation or demand the frequency reserves are dimensioned for (a
# data-centre campus that trips is a sudden loss of demand). Continental Europe: +/-3,000 MW
# (SO GL, Regulation (EU) 2017/1485, Art. 153(2); regelleistung.net, German TSOs, "Bestimmung des
# Bedarfs an FCR"). Nordic (FI, NO, SE, eastern DK): FCR-D requirement 1,450 MW per direction
# (Nordic TSOs, Technical Requirements for FCR Provision in the Nordic Synchronous Area, 26 May
# 2023). The Baltic states joined Continental Europe in February 2025. Ireland, Great Britain,
# Cyprus, Malta and Iceland: no figure found offline, no cap (inf).
REFERENCE_INCIDENT_MW: dict[str, float] = {"CE": 3000.0, "Nordic": 1450.0}
NORDIC_COUNTRIES = ("FI", "NO", "SE")
DK_NORDIC_EAST_OF_LON = 11.0  # Zealand and Bornholm (DK2) east of the Great Belt: Nordic
NO_CAP_COUNTRIES = ("IE", "GB", "CY", "MT", "IS")
REFERENCE_INCIDENT_SOURCE = (
    "SO GL (EU) 2017/1485 Art. 153(2): CE reference incident 3,000 MW (regelleistung.net); "
    "Nordic FCR-D 1,450 MW (Nordic TSOs, FCR technical requirements, 26 May 2023)"
)

# --------------------------------------------------------------------------- regional peak load
# National peak load = Ember annual demand (TWh, latest year, countries.csv demand_twh) / hours
# of that year x the peak-to-average ratio of the ENTSO-E area: 528 GW peak (5 Feb 2015) against
# 3,278 TWh consumption in 2015 (ENTSO-E, "Electricity in Europe 2015", synthetic overview,
# electricityineurope.entsoe.eu), i.e. 528 / (3,278e3 / 8,760) = 1.411. One ratio for all
# countries: national (non-coincident) peaks are higher where heating is electric (e.g. France).
ENTSOE_PEAK_GW_2015 = 528.0
ENTSOE_CONSUMPTION_TWH_2015 = 3278.0
PEAK_TO_AVERAGE = ENTSOE_PEAK_GW_2015 / (ENTSOE_CONSUMPTION_TWH_2015 * 1e3 / 8760.0)
PEAK_SOURCE = (
    "ENTSO-E, Electricity in Europe 2015: peak 528 GW (5 Feb 2015), consumption 3,278 TWh; "
    "peak/average = 1.411"
)

# --------------------------------------------------------------------------- data-centre clusters
# Existing data-centre capacity in the main hubs (MW of IT capacity in operation, unless the note
# says otherwise). Centre = the NUTS 2021 level-3 label point of the city (GISCO, derived in the
# build); radius (km) = the extent of the market as the sources describe its sub-markets
# (assumption of the siting authors). London is typed for completeness (no GB candidate sites).
# None of these figures could be checked against the original PDF offline: each was read in a
# stored public page (named in ``source``) that quotes or shows the report.
# cluster, ISO2, NUTS-3 of the centre, radius km, MW, year, source
DC_CLUSTERS: list[tuple[str, str, str, float, float, int, str]] = [
    ("dublin", "IE", "IE061", 25.0, 723.0, 2023,
     "CSO Ireland, Data Centres Metered Electricity Consumption 2023: 6,334 GWh "
     "(all Irish data centres, mostly Greater Dublin) / 8,760 h = 723 MW average draw "
     "(read in energylivenews.com 28 Jul 2024; Le Monde 17 Apr 2026 reports 1,150 MW for "
     "the Dublin area, source not verifiable offline)"),
    ("amsterdam", "NL", "NL329", 25.0, 458.0, 2023,
     "JLL EMEA Data Centre Report Q2 2023: Amsterdam market size 458 MW "
     "(read in techzine.nl; report not verifiable offline)"),
    ("frankfurt", "DE", "DE712", 30.0, 745.0, 2024,
     "JLL, German Data Center Market, 23 Sep 2024: Frankfurt IT load 745 MW "
     "(jll.de; Cushman & Wakefield EMEA Data Centre Update H1 2023 p.10: 620 MW)"),
    ("paris", "FR", "FR101", 40.0, 455.0, 2023,
     "Cushman & Wakefield, EMEA Data Centre Update H1 2023 (Oct 2023), p.16: "
     "455 MW in operation (cushwake.cld.bz)"),
    ("london", "GB", "UKI31", 40.0, 996.0, 2023,
     "Cushman & Wakefield, EMEA Data Centre Update H1 2023 (Oct 2023), p.8: "
     "996 MW in operation (cushwake.cld.bz)"),
    ("madrid", "ES", "ES300", 30.0, 114.0, 2023,
     "Cushman & Wakefield, EMEA Data Centre Update H1 2023 (Oct 2023), p.22: "
     "114 MW in operation (cushwake.cld.bz)"),
    ("milan", "IT", "ITC4C", 30.0, 200.0, 2025,
     "A2A CEO R. Mazzoncini, Oct 2025: Milan data-centre capacity about 200 MW today "
     "(read in techshotsapp.com from Economic Times; not verifiable offline)"),
    ("warsaw", "PL", "PL911", 30.0, 64.0, 2020,
     "Cushman & Wakefield, Data Centre European Secondary Markets 2020: Warsaw 64 MW "
     "(read in ictmarketexperts.com; PMR: all Poland 120 MW in 2022; stale)"),
]
# Clusters of the FLAP-D hubs (Frankfurt, London, Amsterdam, Paris, Dublin).
FLAPD = ("frankfurt", "london", "amsterdam", "paris", "dublin")
# OSM data-centre points outside the typed clusters: each carries the mean MW per OSM point of
# the typed EU clusters (sum of their MW / their OSM points within the radius), derived in the
# build. A documented rule of the siting authors: OSM has no capacity information.

# --------------------------------------------------------------------------- lead times
# Earliest year a new large connection can be energised if requested in REQUEST_YEAR:
# REQUEST_YEAR + lead_time_years. Where several specific rows (country, NUTS, cluster) match a
# site, the latest year applies (every statement that covers the site binds); the default row
# applies only where no specific row does.
REQUEST_YEAR = 2026
EMBER_GRIDS_2025 = (
    "Ember, Grids for data centres in Europe (June 2025), ch. 2 'Rewiring for growth' "
    "(ember-energy.org)"
)
# scope_type, scope, lead_time_years, lead_time_years_high, source
LEAD_TIMES: list[tuple[str, str, float, float, str]] = [
    ("default", "*", 4.0, 4.0,
     EMBER_GRIDS_2025 + ": 'the average time to build a new data centre in Europe is "
     "approximately four years', used as the default connection lead time where no regional "
     "figure is published (assumption of the siting authors)"),
    ("cluster", "frankfurt", 7.0, 10.0,
     EMBER_GRIDS_2025 + ": FLAP-D markets 'wait an average of seven to ten years, or even up "
     "to 13'"),
    ("cluster", "amsterdam", 7.0, 10.0,
     EMBER_GRIDS_2025 + ": FLAP-D markets 7-10 years, up to 13"),
    ("cluster", "paris", 7.0, 10.0,
     EMBER_GRIDS_2025 + ": FLAP-D markets 7-10 years, up to 13 (Ember also calls the French "
     "grid relatively unconstrained)"),
    ("cluster", "dublin", 7.0, 10.0,
     EMBER_GRIDS_2025 + ": FLAP-D markets 7-10 years, up to 13; see policy rule IE-DUB-2028"),
    ("cluster", "london", 7.0, 10.0,
     EMBER_GRIDS_2025 + ": FLAP-D markets 7-10 years, up to 13"),
    ("country", "IT", 3.0, 7.0,
     "Ember (June 2025) as reported by Reuters, 18 Jun 2025: 'wait time in Italy is only three "
     "years'; high: AWS (Reuters interview, Feb 2026) 'up to seven years' in Spain and Italy "
     "(secondary pages, not verifiable offline)"),
    ("country", "NL", 8.0, 12.0,
     "Letter of the Dutch Minister for Climate and Green Growth, 4 Feb 2026 (Stibbe summary): "
     "new high-voltage transport infrastructure has lead times of 8 to 12 years (Kamerstukken "
     "II 2024-25, 29023, nr. 566); TenneT offtake queue 212 requests, 38 GW "
     "(not verifiable offline)"),
    ("country", "DE", 4.0, 7.0,
     "IEA, Energy and AI (Apr 2025), as reported by Latitude Media: developers in Germany face "
     "waits similar to Northern Virginia's, 'up to seven years' (high); central = default "
     "(not verifiable offline)"),
    ("country", "ES", 4.0, 7.0,
     "AWS (Reuters interview, Feb 2026): grid connection 'up to seven years' in Spain (high); "
     "central = default (secondary page itdaily.com, not verifiable offline)"),
]

# --------------------------------------------------------------------------- policy rules
# NL hyperscale zones: coordinates of the data-centre campuses as mapped in OpenStreetMap
# (osm_datacentres extract: Google Eemshaven 6.8628 E 53.4240 N, QTS Eemshaven 6.8581 E 53.4375 N;
# Microsoft Middenmeer AMS05-12 about 5.037 E 52.763 N, Google Middenmeer 5.0299 E 52.7919 N).
# Radii approximate the legal areas (former Eemsmond part of Het Hogeland; Agriport A7 and B1
# in Hollands Kroon): assumption of the siting authors.
NL_HYPERSCALE_ZONES: list[dict] = [
    {"name": "Eemshaven (Het Hogeland, former Eemsmond)", "lon": 6.86, "lat": 53.43,
     "radius_km": 10.0, "nuts3": "NL113"},
    {"name": "Agriport A7 / B1 (Middenmeer, Hollands Kroon)", "lon": 5.034, "lat": 52.777,
     "radius_km": 5.0, "nuts3": "NL321"},
]
# CADA acceleration zones: the proposal caps permit-granting in acceleration zones at 12 months
# (Art. 13(5)) and sets the objective that all permits, energy connections included, take less
# than 18 months by 2030; grid-connection permits are NOT part of the aggregated baseline permit.
# Lead time in a zone = 18 months rounded up to whole years = 2 (assumption of the siting authors,
# an optimistic option, off by default: a proposal, not law).
CADA_MAX_LEAD_TIME_YEARS = math.ceil(18 / 12)

# rule_id, scope_type, scope, kind, value, unit, year_from, year_until, params (dict),
#   in_force, default_on, source, source_date
POLICY_RULES: list[tuple] = [
    ("IE-DUB-2028", "nuts", "IE061;IE062", "no_new_connection_before", 2028.0, "year",
     2022, 2028, {"cluster": "dublin", "area": "Greater Dublin Region (EirGrid): Dublin City to "
                  "Drogheda, Arklow, Naas, Maynooth = NUTS-3 IE061 Dublin + IE062 Mid-East"},
     True, True,
     "EirGrid de facto moratorium on new data-centre connections in the Dublin area until 2028 "
     "(Ember, Grids for data centres in Europe, June 2025, ch. 1; Mason Hayes & Curran: 'EirGrid "
     "indicated in 2022 that new connections are unlikely before 2028'). Le Monde (17 Apr 2026, "
     "secondary summary) reports the moratorium eased by the CRU decision of Dec 2025 with "
     "own-supply conditions: status after Dec 2025 not verifiable offline",
     "2022-01"),
    ("IE-CRU-2025-DISPATCH", "country", "IE", "dispatchable_generation_required", 10.0, "MVA",
     2025, 0, {"required_mw": "equal to the maximum import capacity (MIC)",
               "where": "on-site or proximate ('electrically close'), separately connected, "
                        "participating in the SEM; shared proximate units allowed case by case",
               "decision": "CRU/2025/236"},
     True, True,
     "CRU, Large Energy Users Connection Policy, Decision Paper CRU/2025/236, 12 Dec 2025: data "
     "centres with MIC >= 10 MVA must provide dispatchable on-site or proximate generation and/or "
     "storage matching their MIC (Arthur Cox, DLA Piper briefings; decision PDF not verifiable "
     "offline)",
     "2025-12-12"),
    ("IE-CRU-2025-RES80", "country", "IE", "additional_renewable_share_required", 0.8,
     "share of annual demand", 2025, 0,
     {"threshold_mva": 1.0, "glide_path_years": 6,
      "what": "additional renewable electricity generated in Ireland"},
     True, True,
     "CRU/2025/236 (12 Dec 2025): data centres above 1 MVA must meet at least 80 % of annual "
     "demand with additional renewable electricity generated in Ireland, six-year glide path "
     "(publiclytradedprivateequity.com summary; not verifiable offline)",
     "2025-12-12"),
    ("NL-HYPERSCALE-ZONES", "country", "NL", "max_connection_mw_outside_zones", 70.0, "MW",
     2024, 0, {"floor_area_ha_above": 10.0, "allowed_zones": NL_HYPERSCALE_ZONES,
               "definition": "hyperscale = built floor area > 10 ha AND electrical connection "
                             ">= 70 MW (Bkl art. 5.161ba)"},
     True, True,
     "Besluit van 20 december 2023 (Stb. 2023, 492), Besluit kwaliteit leefomgeving par. 5.1.7.7 "
     "'Hyperscale datacentra' (art. 5.161ba-bb): hyperscale data centres (>10 ha floor area and "
     ">= 70 MW connection) excluded from all of NL except the former Eemsmond part of Het "
     "Hogeland (Eemshaven) and Agriport A7/B1 in Hollands Kroon (Middenmeer); preparatory "
     "decision of 16 Feb 2022. Entry into force assumed with the Omgevingswet on 1 Jan 2024 "
     "(not verifiable offline)",
     "2023-12-20"),
    ("NL-AMS-HLM-MVA", "nuts", "NL329", "mva_cap", 1420.0, "MVA", 2020, 2030,
     {"components": [{"municipality": "Amsterdam", "mva": 670.0, "per_year_mva": 67.0,
                      "clusters": "Amstel III, Haven-Stad, Schinkelkwartier, Science Park"},
                     {"municipality": "Haarlemmermeer", "mva": 750.0, "per_year_mva": 70.0,
                      "clusters": "Polanenpark, Schiphol-Rijk, Schiphol Trade Park, "
                                  "Corneliahoeve"}],
      "note": "both municipalities lie in NUTS-3 NL329 Groot-Amsterdam: one joint cap; the part "
              "already used 2020-2026 is not known offline (upper bound)"},
     True, True,
     "Datacenterbeleid gemeente Haarlemmermeer (CVDR646404, in force 24 Nov 2020): 750 MVA to "
     "2030 (70 MVA/yr); Amsterdam data-centre policy 2020-2030: 670 MVA to 2030 (67 MVA/yr), "
     "> 80 MVA needs own substation (datacenterplanet.com, telecompaper.com)",
     "2020-11-24"),
    ("DE-FFM-ZONING", "nuts", "DE712", "zoning_only", 0.0, "", 2022, 0,
     {"eligible_areas": "Sossenheim, Roedelheim, Griesheim, Gallus, Ostend, Fechenheim, "
                        "Seckbach",
      "note": "no MW or MVA cap published; areas not resolvable at site resolution"},
     True, False,
     "Stadt Frankfurt am Main, Rechenzentrenkonzept (Aktualisierung des "
     "Gewerbeflaechenentwicklungsprogramms), Stadtverordnetenversammlung 9 Jun 2022 (§ 1838): "
     "eligibility / exclusion areas for colocation data centres; no cited capacity cap found "
     "for Frankfurt or Germany (stadtplanungsamt-frankfurt.de)",
     "2022-06-09"),
    ("EU-CADA-ACCEL", "site_pattern", "bf-*;hub-ai-*", "acceleration_zone",
     float(CADA_MAX_LEAD_TIME_YEARS), "years (max lead time)", 2027, 0,
     {"min_zones_per_member_state": 1, "brownfield_preference": True,
      "permit_cap_months": 12, "all_permits_objective_months": 18,
      "candidates": "brownfield plant sites (bf-*) and EuroHPC AI Factory hosts (hub-ai-*)",
      "caveat": "grid-connection permits are excluded from the aggregated baseline permit"},
     False, False,
     "Proposal for a Cloud and AI Development Act, COM(2026) 502 final: Art. 10(1) at least one "
     "data-centre acceleration zone per Member State deploying capacity within 6 months of entry "
     "into force, (g) preference for brownfield over greenfield; Art. 13(5) permit-granting in "
     "zones <= 12 months (cadafaq.com; proposal text not verifiable offline)",
     "2026"),
]
