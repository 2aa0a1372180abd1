"""Typed figures for issue 12 (data side): archetype mix, capex, demand/latency, sector totals.

Every figure carries its citation next to it (publisher, title, year, where in the text) and,
where it could not be checked against the original publication offline, says so. Figures that
are assumptions are named ``*_ASSUMPTION`` or say "assumption" in their comment; every one of
them is a default that a scenario can override. data/README.md (sections "archetype_mix.csv",
"archetype_costs.csv", "demand_regions.csv", "sector") repeats them.

Pages were read through the project's stored copies of public web pages (no live internet);
the URLs are those of the stored copies.

Units: shares are fractions (-), capacity MW or GW of IT load, costs USD per W of IT capacity
(as published) or EUR per MW of IT capacity, energy TWh per year, latency ms, distance km.
"""

from __future__ import annotations

# ============================================================================ 1. archetype mix
# Categories of new capacity and the model archetypes (siting/scenario.py) that build them.
CATEGORY_ARCHETYPES: dict[str, tuple[str, ...]] = {
    "ai_training": ("gigafactory", "ai_factory"),
    "ai_inference_cloud": ("hyperscale",),
    "colocation_enterprise": ("colocation",),
}
CATEGORIES = tuple(CATEGORY_ARCHETYPES)
ARCHETYPE_CATEGORY = {a: c for c, archs in CATEGORY_ARCHETYPES.items() for a in archs}
# Categories whose load is latency-sensitive (served to demand regions within a latency bound).
LATENCY_SENSITIVE_CATEGORIES = ("ai_inference_cloud", "colocation_enterprise")

# AI share of all data-centre workloads (capacity), global.
JLL_OUTLOOK_SOURCE = (
    "JLL, 2026 Global Data Center Outlook, section 'AI could represent half of data center "
    "workloads by 2030' (jll.com/en-uk/insights/market-outlook/data-center-outlook): AI about "
    "a quarter of all data-centre workloads in 2025 with training driving most of it; inference "
    "could overtake training in 2027; AI could be half of workloads by 2030 (global figures)"
)
AI_SHARE_OF_STOCK = {2025: 0.25, 2030: 0.50}

# Inference share of all data-centre demand in 2030, global: 30-40 %, midpoint typed.
MCKINSEY_INFERENCE_SOURCE = (
    "McKinsey & Company, 'The next big shifts in AI workloads and hyperscaler strategies', "
    "17 December 2025 (as summarised on chrisdeasy.com, 'The future of AI workloads'): by 2030 "
    "inference surpasses training, more than half of AI compute and roughly 30-40 % of total "
    "data-centre demand (global); the original article was not read"
)
INFERENCE_SHARE_OF_STOCK_2030 = 0.35
# JLL: "training driving most" of AI demand in 2025. Assumption: read as 60 % of AI.
TRAINING_SHARE_OF_AI_2025_ASSUMPTION = 0.60

# European hyperscaler share of demand to 2028 (the rest is colocation / enterprise).
MCKINSEY_EUROPE_SOURCE = (
    "McKinsey & Company, 'The role of power in unlocking the European AI revolution', "
    "24 October 2024 (mckinsey.de): European (EU27 + NO, CH, GB) data-centre IT load about 10 GW "
    "today (2023) to about 35 GW by 2030; power use about 62 TWh to more than 150 TWh; growth "
    "fuelled by hyperscalers and colocation leases, hyperscalers alone driving up to 70 % of the "
    "anticipated demand by 2028 (as reported by a press summary of the article)"
)
HYPERSCALER_SHARE_OF_NEW = 0.70
COLOCATION_ENTERPRISE_SHARE_OF_NEW = 1.0 - HYPERSCALER_SHARE_OF_NEW

# EU27 data-centre IT capacity (GW): 12 GW in 2025 to 28 GW in 2030.
EU_STOCK_SOURCE = (
    "EUToday, 'EU Data-Centre Rules Expose the Power Cost of Europe's AI Ambitions' (2026), "
    "reporting the Commission's Cloud and AI Development Act plans: EU data-centre capacity from "
    "about 12 GW in 2025 to 28 GW by 2030 (as reported; the Commission documents were not read)"
)
EU_STOCK_GW = {2025: 12.0, 2030: 28.0}

# The mix of new capacity per period: the 2025-2030 stock-flow mix (siting.data.costs.
# new_capacity_mix) for every period. Assumption: no cited outlook splits capacity by workload
# beyond 2030, so the 2025-30 flow mix continues for 2032 and 2035.
MIX_PERIODS = (2028, 2030, 2032, 2035)

# AI gigafactory programme (InvestAI): up to five gigafactories of about 100,000 AI chips.
GIGAFACTORY_SOURCE = (
    "European Commission InvestAI (February 2025), EUR 20 bn for 4 to 5 AI gigafactories "
    "(europeaneconomics.com, 'InvestAI initiative and the AI Gigafactories call', 20 Feb 2026); "
    "76 expressions of interest from 16 Member States (June 2025), formal call early 2026 "
    "(aicorenews.com, 'EU calls for bids for AI gigafactories 2026'); chosen sites 'expected to "
    "launch operations by 2028' (rcrtech.com, 'European Commission sign MoU to back AI "
    "Gigafactories')"
)
# Cumulative gigafactories operational in each period. 2030: the programme's five (its horizon
# is about 2030). 2028: assumption, two of the first wave (the sources say operations start
# "by 2028", not how many). 2032, 2035: five (no second programme announced).
GIGAFACTORIES_OPERATIONAL = {2028: 2, 2030: 5, 2032: 5, 2035: 5}

# Utilisation = mean IT load / IT capacity.
UTILISATION_SOURCE = (
    "Tyler Norris (Duke University), 'The Puzzle of Low Data Center Utilization Rates', Power "
    "Policy, 2025 (powerpolicy.net): the limited available data suggest many data centres run "
    "closer to a 50 % capacity utilisation rate than the 90-100 % often assumed"
)
SECTOR_UTILISATION = 0.50
# No published figure per archetype was found: these are the scenario defaults
# (siting/scenario.py), kept and labelled as assumptions (training halls run flat out).
UTILISATION_ASSUMPTION = {"gigafactory": 0.8, "ai_factory": 0.8, "hyperscale": 0.6,
                          "colocation": 0.5}

# ============================================================================ 2. capex
# Turner & Townsend Data Centre Cost Index (DCCI): cost to build per W of IT capacity (USD/W),
# building shell and M&E (power, cooling), excluding IT equipment (servers, storage, network).
TT_2025_SOURCE = (
    "Turner & Townsend, Data Centre Construction Cost Index 2025-2026 (52 markets), press "
    "release 'AI data centre rush raises alarm over construction supply chain' as reported by "
    "cremediaeurope.com and techrepublic.com: Zurich USD 14.2/W, London 12.0, Frankfurt 11.6; "
    "a 7-10 % construction cost premium of AI over traditional data centres (US projects of "
    "similar IT capacity)"
)
TT_2025_USD_PER_W = {"Zurich": 14.2, "London": 12.0, "Frankfurt": 11.6}
# An earlier DCCI edition gives the relative position of more EU cities. Not checked against
# the report: edition year not stated in the article (the ordering matches DCCI 2019, where
# Amsterdam is 10th and Paris overtakes Frankfurt at 11th).
TT_EARLIER_SOURCE = (
    "Turner & Townsend Data Centre Cost Index, 'latest edition' as reported by J. Marques Lima, "
    "'No hay dos sin tres! Dissecting Spain's bullish data centre boom', jsa.net: Madrid USD "
    "7.8/W, Vienna 8.1, Amsterdam 8.1, Frankfurt 8.0, Paris 8.0, Dublin 7.8, Milan 7.8"
)
TT_EARLIER_USD_PER_W = {"Madrid": 7.8, "Vienna": 8.1, "Amsterdam": 8.1, "Frankfurt": 8.0,
                        "Paris": 8.0, "Dublin": 7.8, "Milan": 7.8}
TT_CITY_COUNTRY = {"Madrid": "ES", "Vienna": "AT", "Amsterdam": "NL", "Frankfurt": "DE",
                   "Paris": "FR", "Dublin": "IE", "Milan": "IT", "Zurich": "CH", "London": "GB"}
TT_CHAIN_CITY = "Frankfurt"  # city in both editions: links the earlier ratios to the 2025 level
# AI premium over a traditional data centre: 7-10 % (T&T 2025, US); midpoint. Applied to the
# AI training archetypes. It includes the liquid-cooling systems of AI halls: set it to 0 when
# the cooling block adds liquid-cooling capex itself (no double counting).
AI_CAPEX_PREMIUM = 0.085
AI_PREMIUM_ARCHETYPES = ("gigafactory", "ai_factory")

# Countries without a T&T figure: the rule of siting.data.costs.capex_index scales only the
# locally priced share of the cost with the country's construction price level.
LOCAL_SHARE_SOURCE = (
    "Robert Assink, general director of Digital Realty Spain, quoted in 'At the entrances of a "
    "data center, the fashionable asset in the real estate sector' (La Informacion, via "
    "eprimefeed.com): in a data centre it is 85 % equipment and 15 % the real estate"
)
LOCAL_COST_SHARE = 0.15
# Eurostat-OECD PPP programme, price level indices for construction (EU28 = 100), 2019, as
# tabulated by NationMaster ('Construction Price Index', static.nationmaster.com) from Eurostat
# prc_ppp_ind; the Eurostat table itself was not read. BG, HR, HU, RO are missing from the
# stored table excerpt: they take Portugal's 62.6, the lowest EU figure listed, an upper bound
# (Eurostat: Croatia is the EU's least expensive country for investment, 2021-2023).
CONSTRUCTION_PLI_SOURCE = (
    "Eurostat-OECD PPP programme, construction price level index 2019 (EU28 = 100), via "
    "NationMaster 'Construction Price Index'"
)
CONSTRUCTION_PLI_2019 = {
    "CH": 173.9, "NO": 149.5, "FI": 146.0, "SE": 143.4, "DE": 142.8, "IS": 137.4, "DK": 133.5,
    "NL": 120.8, "AT": 112.5, "LU": 109.1, "IE": 107.9, "GB": 102.8, "FR": 100.6, "BE": 96.0,
    "IT": 81.4, "ES": 78.5, "MT": 76.2, "EE": 74.0, "SK": 72.8, "LV": 68.4, "CZ": 67.8,
    "LT": 66.6, "CY": 66.5, "PL": 65.1, "GR": 64.9, "SI": 63.5, "PT": 62.6,
}
CONSTRUCTION_PLI_MISSING = ("BG", "HR", "HU", "RO")
CONSTRUCTION_PLI_FALLBACK = 62.6  # Portugal, the lowest listed EU27 figure (upper bound)
# Liechtenstein has no figure of its own: Switzerland's (customs and currency union).
CONSTRUCTION_PLI_PROXY = {"LI": "CH"}

# Currency: the project's existing conversion (siting/scenario.py). Not checked offline; ECB
# annual averages were about 1.08 USD/EUR in 2023-24 (0.92 EUR/USD); the dollar was weaker in
# 2025. Override EUR_PER_USD to re-price.
EUR_PER_USD = 0.92
CURRENCY_YEAR = 2025

# Fixed cost per opened site (site development, HV connection bay, permitting): no public
# figure was found in the stored corpora. Assumption: 10 % of the build cost of the
# archetype's minimum size, paid once per opened site (economy of scale: the per-MW cost falls
# with size). Annualised with the capital recovery factor of the scenario defaults (7 % real,
# 20 years, siting/scenario.py) for the per-year figure the model's Archetype.fixed_cost_eur
# takes.
FIXED_COST_SHARE_OF_MIN_SIZE_ASSUMPTION = 0.10
ARCHETYPE_MIN_MW = {"gigafactory": 150.0, "ai_factory": 20.0, "hyperscale": 50.0,
                    "colocation": 5.0}  # siting/scenario.py defaults
DISCOUNT_RATE = 0.07
LIFETIME_YEARS = 20.0

# Land price: no regional land-price figure is in ../shared/data and none was typed (Eurostat
# publishes agricultural land prices by NUTS-2, apri_lprc, not available offline). Land is not
# priced separately; whether the T&T per-W figures include land is not stated in the pages read.

# ============================================================================ 3. demand, latency
FIBRE_SOURCE = (
    "'The 5-microsecond rule: fiber propagation latency per kilometer' (mapyourtech.com): "
    "4.9 us/km one way in single-mode fibre (group index about 1.47), so 1,000 km of fibre adds "
    "about 10 ms of round-trip delay; same rule of thumb (1,000 km = about 10 ms RTD) in "
    "TeleGeography's transport networks note (via osrtech.net)"
)
FIBRE_US_PER_KM = 4.9
# Fibre route length / great-circle distance. 1.0 = straight fibre (the bound is then an upper
# bound on the reachable radius); real routes are longer (a 1.5 factor corresponds to the
# '133 km per ms one way' rule quoted by dev.ure.us, 'AI infrastructure placement').
FIBRE_ROUTE_FACTOR = 1.0
LATENCY_SOURCE = (
    "McKinsey (Dec 2025): inference build-outs in metro and near-metro sites optimised for low "
    "latency, training on large campuses where latency matters little; AI Green Bytes, "
    "'Sub-50ms inference' (2025): most European users within 10 ms of a compute node"
)
# Round-trip network latency budget per archetype (ms); None = no latency limit (training).
LATENCY_RTT_MS: dict[str, float | None] = {"gigafactory": None, "ai_factory": None,
                                           "hyperscale": 10.0, "colocation": 10.0}
# Demand weight: population (Eurostat demo_r_pjanaggr3, NUTS-2, latest year 2020). No GDP by
# region is in ../shared/data: population only (documented in data/README.md).
# Croatia's NUTS 2021 regions HR02, HR05, HR06 are absent from the extract, which still uses
# NUTS 2016 codes; the counties (NUTS-3) are the same units recoded (Eurostat, NUTS 2016-2021
# correspondence: Kontinentalna Hrvatska HR04 split into HR02, HR05, HR06). NUTS 2016 county
# code -> NUTS 2021 code:
HR_NUTS3_2016_TO_2021 = {
    "HR041": "HR050",  # Grad Zagreb
    "HR042": "HR065",  # Zagrebacka
    "HR043": "HR064",  # Krapinsko-zagorska
    "HR044": "HR062",  # Varazdinska
    "HR045": "HR063",  # Koprivnicko-krizevacka
    "HR046": "HR061",  # Medimurska
    "HR047": "HR021",  # Bjelovarsko-bilogorska
    "HR048": "HR022",  # Viroviticko-podravska
    "HR049": "HR023",  # Pozesko-slavonska
    "HR04A": "HR024",  # Brodsko-posavska
    "HR04B": "HR025",  # Osjecko-baranjska
    "HR04C": "HR026",  # Vukovarsko-srijemska
    "HR04D": "HR027",  # Karlovacka
    "HR04E": "HR028",  # Sisacko-moslavacka
}
# Hungary is absent from the extract: its total (typed.POPULATION_FALLBACK, Eurostat 1 Jan 2020)
# is split equally over its NUTS-2 regions (crude: Budapest is under-counted; flagged).

# ============================================================================ 4. sector totals
IEA_SOURCE = (
    "IEA, Energy and AI (April 2025): EU data centres about 70 TWh in 2024, towards 115 TWh by "
    "2030 (as quoted by the European Commission, 'Focus: Data centres, an energy-hungry "
    "challenge', 17 Nov 2025); Europe region 68 TWh (2024) to 113 TWh (2030, base case) "
    "(Graphic News from IEA)"
)
EMBER_SOURCE = (
    "Ember, 'Grids for data centres in Europe' (June 2025), with ICIS figures: European data "
    "centres 96 TWh in 2024 (3.1 % of demand), 168 TWh in 2030, 236 TWh in 2035 (POWER "
    "magazine interview with ICIS; firstcolo.net on Ember)"
)
SECTOR_REFERENCE = [
    # (source id, scope, year, TWh, citation)
    ("iea_energy_ai_2025", "EU27", 2024, 70.0, IEA_SOURCE),
    ("iea_energy_ai_2025", "EU27", 2030, 115.0, IEA_SOURCE),
    ("iea_energy_ai_2025", "Europe", 2024, 68.0, IEA_SOURCE),
    ("iea_energy_ai_2025", "Europe", 2030, 113.0, IEA_SOURCE),
    ("ember_icis_2025", "Europe", 2024, 96.0, EMBER_SOURCE),
    ("ember_icis_2025", "Europe", 2030, 168.0, EMBER_SOURCE),
    ("ember_icis_2025", "Europe", 2035, 236.0, EMBER_SOURCE),
    ("mckinsey_2024", "EU27+NO+CH+GB", 2023, 62.0, MCKINSEY_EUROPE_SOURCE),
    ("mckinsey_2024", "EU27+NO+CH+GB", 2030, 150.0, MCKINSEY_EUROPE_SOURCE),
]
# Baseline stock: EU_STOCK_GW[2025] split over countries by OpenStreetMap data-centre counts
# (../shared/data/osm_datacentres; a documented proxy: OSM has no MW and uneven coverage).
BASELINE_YEAR = 2025
# Baseline PUE: EED reporting 2023-24, weighted average 1.36 over 776 sites, as quoted in
# issue 12 (the JRC/EED report itself was not read).
BASELINE_PUE = 1.36
BASELINE_UTILISATION = SECTOR_UTILISATION

# ============================================================================ 5. land prices
# Purchase price of agricultural land (arable), Eurostat apri_lprc: the one public, EU-wide
# land price series. A greenfield data-centre plot is bought at about this value before it is
# rezoned; serviced industrial land near the hubs costs more, and no public EU-wide series of
# it exists (Turner & Townsend's capex, typed above, excludes land). The figures are therefore a
# floor, used as the default; a scenario (capex.land_price_by_country) or a site's own
# land_price_eur_per_ha column replaces them.
EUROSTAT_LAND_2022_SOURCE = (
    "Eurostat, 'Agricultural land prices and rents - statistics' (Statistics Explained, data "
    "extracted January 2024; dataset apri_lprc), 2022 figures: EU average EUR 10,578/ha of "
    "arable land; national averages and regional extremes as quoted by agriland.ie "
    "('Report: Price of arable land per ha soars year-on-year in Ireland', 30 Jan 2024) and "
    "iede.news (Jan 2024)"
)
EUROSTAT_LAND_2021_SOURCE = (
    "Eurostat news release 'Prices of arable land in the EU' (21 Dec 2022; dataset apri_lprc), "
    "2021 figures as quoted by Romania Journal ('Arable land in Romania more expensive than in "
    "France', 21 Dec 2022)"
)
# EUR per ha of arable land: (value, year, source). Keys: ISO 3166-1 alpha-2 for countries
# (GR for Greece), NUTS 2021 level-2 codes for regions, "EU" for the EU average.
LAND_PRICE_EUR_PER_HA: dict[str, tuple[float, int, str]] = {
    "EU": (10578.0, 2022, EUROSTAT_LAND_2022_SOURCE),
    "NL": (85431.0, 2022, EUROSTAT_LAND_2022_SOURCE),
    "NL12": (66051.0, 2022, EUROSTAT_LAND_2022_SOURCE),  # Friesland, lowest Dutch region
    "NL23": (150644.0, 2022, EUROSTAT_LAND_2022_SOURCE),  # Flevoland, highest Dutch region
    "IE": (38013.0, 2022, EUROSTAT_LAND_2022_SOURCE),
    "GR": (13571.0, 2022, EUROSTAT_LAND_2022_SOURCE),  # Eurostat "EL"
    "EL30": (84820.0, 2022, EUROSTAT_LAND_2022_SOURCE),  # Attiki
    "EL63": (6290.0, 2022, EUROSTAT_LAND_2022_SOURCE),  # Dytiki Ellada
    "ES": (10263.0, 2022, EUROSTAT_LAND_2022_SOURCE),
    "ES70": (83299.0, 2022, EUROSTAT_LAND_2022_SOURCE),  # Canarias
    "ES43": (4906.0, 2022, EUROSTAT_LAND_2022_SOURCE),  # Extremadura
    "SE33": (2041.0, 2022, EUROSTAT_LAND_2022_SOURCE),  # Övre Norrland, lowest EU region
    "SE32": (2437.0, 2022, EUROSTAT_LAND_2022_SOURCE),  # Mellersta Norrland
    "HR": (3700.0, 2022, EUROSTAT_LAND_2022_SOURCE),
    "MT": (233230.0, 2022, EUROSTAT_LAND_2022_SOURCE),
    "LU": (47290.0, 2021, EUROSTAT_LAND_2021_SOURCE),
    "RO": (7601.0, 2021, EUROSTAT_LAND_2021_SOURCE),
    "RO32": (10707.0, 2021, EUROSTAT_LAND_2021_SOURCE),  # Bucuresti-Ilfov
    "RO11": (6206.0, 2021, EUROSTAT_LAND_2021_SOURCE),  # Nord-Vest
    "BG": (6096.0, 2021, EUROSTAT_LAND_2021_SOURCE),
    "FR": (5940.0, 2021, EUROSTAT_LAND_2021_SOURCE),
    "HU": (5187.0, 2021, EUROSTAT_LAND_2021_SOURCE),
}
# Assumption: a country (or region) without a figure above pays the EU average ("EU"). Germany,
# Italy, Denmark, Poland and the others had national figures in apri_lprc that could not be
# read offline; they are left to the EU average rather than typed from memory.
LAND_PRICE_FALLBACK_ASSUMPTION = "EU"
