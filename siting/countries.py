EU27 = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()
)

#: Accepted ISO 3166-1 alpha-2 codes and their English short names.
COUNTRY_NAMES: dict[str, str] = {
    # EU27
    "AT": "Austria", "BE": "Belgium", "BG": "Bulgaria", "HR": "Croatia", "CY": "Cyprus",
    "CZ": "Czechia", "DK": "Denmark", "EE": "Estonia", "FI": "Finland", "FR": "France",
    "DE": "Germany", "GR": "Greece", "HU": "Hungary", "IE": "Ireland", "IT": "Italy",
    "LV": "Latvia", "LT": "Lithuania", "LU": "Luxembourg", "MT": "Malta", "NL": "Netherlands",
    "PL": "Poland", "PT": "Portugal", "RO": "Romania", "SK": "Slovakia", "SI": "Slovenia",
    "ES": "Spain", "SE": "Sweden",
    # EFTA and the United Kingdom
    "IS": "Iceland", "LI": "Liechtenstein", "NO": "Norway", "CH": "Switzerland",
    "GB": "United Kingdom",
    # Western Balkans (XK: Kosovo, the code used by the EU and Eurostat)
    "AL": "Albania", "BA": "Bosnia and Herzegovina", "ME": "Montenegro", "MK": "North Macedonia",
    "RS": "Serbia", "XK": "Kosovo",
    # Eastern neighbours and candidates
    "UA": "Ukraine", "MD": "Moldova", "GE": "Georgia", "TR": "Türkiye",
    # Microstates, dependencies and autonomous territories
    "AD": "Andorra", "MC": "Monaco", "SM": "San Marino", "VA": "Vatican City",
    "FO": "Faroe Islands", "AX": "Åland Islands", "GI": "Gibraltar", "GG": "Guernsey",
    "JE": "Jersey", "IM": "Isle of Man",
}

#: Eurostat codes mapped to ISO at the edge.
COUNTRY_ALIASES = {"EL": "GR", "UK": "GB"}


def normalise_country(code: str) -> str:
    """Upper-case a code and map Eurostat's ``EL``/``UK`` to ``GR``/``GB``."""
    c = str(code).strip().upper()
    return COUNTRY_ALIASES.get(c, c)


__all__ = ["EU27", "COUNTRY_NAMES", "COUNTRY_ALIASES", "normalise_country"]
