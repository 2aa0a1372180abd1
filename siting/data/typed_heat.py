"""Typed, cited figures for heat reuse: district-heating (DH) presence and size, network
temperature, heat-pump performance rule, connection pipe cost and heat-price references.

Heat-pump and gas-boiler cost rows are not typed here: the build reads them from the PyPSA
technology-data tables in ``../shared/data/pypsa_technology_data`` (``siting.data.heat_network``)
into ``data/heat_reuse.csv``. Figures that could not be checked against the primary document
offline say so.
"""

from __future__ import annotations

# --------------------------------------------------------------------------- DH shares
#: Share of residential heat demand supplied by district heating, % (national), and installed DH
#: capacity (MW_th, where given). Source: PyPSA-Eur ``data/district_heat_share.csv``
#: (PyPSA/pypsa-eur @ 039673da2b37), whose documentation (doc/data_sources) names the source
#: "Euroheat & Power, country profiles, https://www.euroheat.org/knowledge-hub/country-profiles,
#: licence unknown". Column "share to satisfy heat demand (residential) in percent". Vintage: the
#: Euroheat profiles of the late 2010s (not checked offline). Cross-checks: Euroheat & Power 2015
#: survey, citizens served by DH: LV 65 %, DK 63 %, EE 62 %, LT 57 % (solarthermalworld.org,
#: 1 Jul 2016); Danish District Heating Association: 63 % of Danish households (2013, dbdh.dk);
#: Danish Energy Agency: "more than two-thirds of households" (State of Green white paper 2024).
DH_SHARE_SOURCE = ("Euroheat & Power country profiles via PyPSA-Eur data/district_heat_share.csv "
                   "(PyPSA/pypsa-eur @ 039673d), share of residential heat demand on district "
                   "heating, %")
DH_SHARE_PCT: dict[str, float] = {
    "AT": 14.0, "BG": 16.0, "HR": 6.3, "CZ": 40.0, "DK": 65.0, "FI": 38.0, "FR": 5.0,
    "DE": 13.8, "HU": 7.92875588637399, "IE": 0.8, "IT": 3.0, "LV": 73.0, "LT": 56.0,
    "PL": 42.0, "PT": 0.070754716981132, "SI": 8.86, "ES": 0.251589260787732, "SE": 50.4,
    "EE": 52.0, "RO": 23.0, "SK": 54.0, "NL": 4.0,
    # outside the EU27, same table
    "GB": 2.0, "NO": 4.0, "CH": 4.0, "IS": 90.0,
}
DH_CAPACITY_MW_TH: dict[str, float] = {
    "AT": 11200.0, "BG": 6162.0, "HR": 2221.0, "FI": 23390.0, "HU": 8549.0, "IT": 8727.0,
    "LV": 2254.0, "PL": 54912.0, "PT": 34.0, "SI": 1739.0, "ES": 1273.0, "EE": 5406.0,
    "RO": 9962.0, "SK": 15000.0, "NL": 9800.0, "NO": 3400.0, "CH": 2792.0,
}
#: Countries without a figure in the source (EU27: BE, CY, GR, LU, MT). **Assumption: 0 %, no
#: network** (Cyprus and Malta have none; Belgium, Greece (lignite-fed networks of Western
#: Macedonia) and Luxembourg have small networks not in the table). Override per site with the
#: ``district_heating`` / ``dh_network_mwh`` columns of a bring-your-own sites.csv.
DH_SHARE_MISSING = ("BE", "CY", "GR", "LU", "MT")

#: Presence rule (assumptions, documented in data/README.md):
#: - a country's DH is *material* when at least this share (%) of residential heat is on DH;
#:   below it no region counts as having a network (IE 0.8 %, ES 0.25 %, PT 0.07 %);
DH_MATERIAL_SHARE_PCT = 1.0
#: - where the national share is at least this (%), networks serve towns of every size (DK, FI,
#:   SE, the Baltics, PL, CZ, SK) and every NUTS-3 region has one at the national share;
DH_UBIQUITOUS_SHARE_PCT = 30.0
#: - otherwise DH is urban: present in predominantly urban (GISCO URBN_TYPE 1) and intermediate
#:   (2) NUTS-3 regions, absent in predominantly rural ones (3), and the national DH heat is
#:   spread over the urban regions' population (their share = national share x national
#:   population / urban-region population, capped at 100 %).
DH_URBAN_TYPES = (1, 2)
URBN_TYPE_SOURCE = ("Eurostat GISCO NUTS_RG_60M_2021 property URBN_TYPE (urban-rural typology of "
                    "NUTS-3 regions: 1 predominantly urban, 2 intermediate, 3 predominantly rural)")

# --------------------------------------------------------------------------- temperatures, COP
#: District-heating supply temperature (°C) the heat pump lifts to. "Forward temperatures ...
#: typically 70-90 °C of today's modern systems", 55 °C for fourth-generation networks
#: ("Unconventional Excess Heat Sources for District Heating in a National Energy System Context",
#: Department of Planning, Aalborg University, Energies 13(19), 5068, 2020, Introduction).
#: Assumption: the midpoint 80 °C.
DH_SUPPLY_TEMPERATURE_C = 80.0
DH_SUPPLY_TEMPERATURE_SOURCE = ("Energies 13(19) 5068 (2020), Aalborg University: today's DH "
                                "forward temperatures 70-90 °C, 4th generation 55 °C")

#: Heat-pump COP rule: COP = eta x T_sink / (T_sink - T_source) (kelvin), the Carnot COP times a
#: quality grade eta. eta = 0.5: "a real-life heat pump achieves about 50 % of its 'ideal'
#: efficiency" (OpenEnergyMonitor, emoncms 'A very simple heat pump model'; oemof-thermal
#: documents the same Carnot-times-quality-grade rule). Cross-check: it gives 3.5 for 30 °C
#: air-cooled waste heat and 5.9 for 50 °C liquid-cooling water lifted to 80 °C, around the
#: annual-average COP 5.2-5.35 of the Danish Energy Agency's "Comp. hp, excess heat 10 MW"
#: (PyPSA technology-data row "central excess-heat-sourced heat pump", 2025-2035).
HEAT_PUMP_CARNOT_FRACTION = 0.5
HEAT_PUMP_COP_SOURCE = ("COP = 0.5 x Carnot COP (OpenEnergyMonitor emoncms heat-pump model; "
                        "oemof-thermal compression heat pumps); cross-checked against DEA 'Comp. "
                        "hp, excess heat 10 MW' annual COP 5.3 (PyPSA technology-data)")

#: Technology-data rows used for the heat pump (DEA 40 "Comp. hp, excess heat 10 MW") and for
#: the avoided heat (DEA 44 "Natural Gas DH Only" boiler, gas fuel price and CO2 intensity).
HEAT_PUMP_TECHNOLOGY = "central excess-heat-sourced heat pump"
BOILER_TECHNOLOGY = "central gas boiler"
TECHNOLOGY_DATA_YEARS = (2025, 2030, 2035)

# --------------------------------------------------------------------------- connection pipe
#: Main-line district-heating pipe from the data centre to the network: 0.3-1.5 MEUR per km
#: "depending on ground conditions, road surface, traffic load and pipe diameter" (Ardor
#: Institute, "What does connecting to a district heating network really cost?", 25 Mar 2026);
#: practitioner figure for DN200-400 main lines in pavements and roads: 1000-1500 EUR/m
#: (hausbau-forum.de, 2023). Assumption: 1.0 MEUR/km for a DN300 pair, not checked against a
#: primary cost catalogue offline.
PIPE_EUR_PER_KM = 1.0e6
#: Capacity of that pipe: DN300 (inner area 0.0707 m2) at 2 m/s and a 40 K supply-return spread
#: carries 0.0707 m2 x 2 m/s x 1000 kg/m3 x 4.18 kJ/(kg K) x 40 K = 23.64 MW_th (computed).
PIPE_CAPACITY_MW_TH = 0.0707 * 2.0 * 1000.0 * 4.18 * 40.0 / 1000.0
#: Cost per MW_th and km of connection (EUR/(MW_th km)) = PIPE_EUR_PER_KM / PIPE_CAPACITY_MW_TH.
PIPE_EUR_PER_MW_KM = PIPE_EUR_PER_KM / PIPE_CAPACITY_MW_TH
#: Connection length, km. Assumption: 2 km from a site in a region with a network to the
#: network's connection point (Ardor Institute 2026: under 1 km viable without funding, 2-4 km
#: needs funding or high heat prices, over 5 km rarely justified). Override per scenario.
PIPE_KM = 2.0
#: Pipe lifetime 50 years and O&M 1 %/yr of investment (nPro, "Technologies: cost and price
#: overview", district heating network, from the KEA Baden-Württemberg technology catalogue).
PIPE_LIFETIME_YEARS = 50.0
PIPE_FOM_SHARE = 0.01
PIPE_SOURCE = ("Ardor Institute 2026 (0.3-1.5 MEUR/km), hausbau-forum practitioner 1000-1500 "
               "EUR/m (DN200-400); DN300 at 2 m/s, 40 K = 23.6 MW_th; nPro / KEA-BW 50 years, "
               "1 %/yr O&M")

# --------------------------------------------------------------------------- heat price
#: Default heat sale price: the avoided marginal cost of heat from a central gas boiler (the
#: technology-data rows above): gas fuel / boiler efficiency + boiler VOM + CO2 intensity x
#: carbon price / efficiency (EUR/MWh of heat at network temperature). Cross-checks: "municipal
#: utilities ... pay 35 to 55 euros per MWh for heat supply, predominantly for natural gas";
#: data-centre waste heat "is typically supplied ... at prices between 12 and 30 euros per MWh"
#: (Ardor Institute, "District heating and data centres: the EUR 30 billion opportunity",
#: 2026); Stockholm Exergi pays "approximately two million SEK annually for heat deliveries of
#: 1 MW", based on "what the equivalent heat would have cost to produce in our plants"
#: (stockholmexergi.se, Open District Heating) — ≈20 EUR/MWh at 8760 h and 11.5 SEK/EUR.
HEAT_PRICE_SOURCE = ("avoided cost of a central gas boiler (PyPSA technology-data 'gas' fuel and "
                     "'central gas boiler' rows) at the scenario carbon price; cross-checks: "
                     "Ardor Institute 2026 (35-55 EUR/MWh paid for gas heat, 12-30 for waste "
                     "heat), Stockholm Exergi Open District Heating (≈2 MSEK/yr per MW)")
#: Share of the avoided cost the network pays the data centre. Assumption: 1.0 (the whole avoided
#: cost; the data centre owns and pays for the heat pump and the pipe). Lower it for a price split.
HEAT_PRICE_SHARE = 1.0

# --------------------------------------------------------------------------- reference projects
#: Reference figures for the heat block (scenario defaults are the lead's call):
#: - Fortum/Microsoft Espoo (FI): data centres will supply ~40 % of the district heat of Espoo,
#:   Kauniainen and Kirkkonummi; "about 75 percent of the datacenters' waste heat will be used for
#:   district heating annually; the need for heating is very low in the summer months"
#:   (fortum.com, "Data centres Helsinki region").
#: - Meta / Fjernvarme Fyn, Odense (DK): ~45 MW of heat pumps, ~215,000 MWh/yr (P2H Computing,
#:   "Meta Odense, Stockholm Exergi, Microsoft Espoo: three pioneers in numbers", citing Ramboll).
DC_SHARE_OF_NETWORK_ESPOO = 0.40
WASTE_HEAT_USED_SHARE_ESPOO = 0.75
REFERENCE_PROJECTS_SOURCE = ("Fortum, 'Data centres Helsinki region' (fortum.com): ~40 % of the "
                             "network's heat, ~75 % of the waste heat used annually; P2H "
                             "Computing citing Ramboll: Meta Odense ~45 MW, ~215 GWh/yr")
