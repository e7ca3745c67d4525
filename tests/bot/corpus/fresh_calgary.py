"""Fresh Calgary phrasings (issue 16, batch of 2026-12-05): written by hand by the held-out
tester, who read only the docs, the data and the oracle, never the parser nor the earlier
batches' phrasings; reported apart as the set "fresh". Typed the way a crime analyst or patrol
sergeant writes in team chat before a CompStat meeting. Data through 2023-12 (today 2024-01-20):
"Q4" is Q4 2023, "last summer" summer 2023, "last year" 2022, "next month" January 2024.

``clarify``: a question back is the right answer (docs/questions.md, "Clarify, never broaden");
``refuse``: a question back or a plain refusal is (something the docs say the bot cannot do).

>>> len(CASES) >= 60
True
"""

from __future__ import annotations

from .heldout_terms import AS, CITY, H, M, Q, RNG, SEA, WIN, Y, A, G, R, case

BNE = ("Break & Enter - Commercial", "Break & Enter - Dwelling", "Break & Enter - Other Premises")
BNE_COM, BNE_HOME = ("Break & Enter - Commercial",), ("Break & Enter - Dwelling",)
TFV, TOV = ("Theft FROM Vehicle",), ("Theft OF Vehicle",)
ASSAULT, OTHER_VIOL = ("Assault (Non-domestic)",), ("Violence  'Other' (Non-domestic)",)
STREET, COMM_ROB = ("Street Robbery",), ("Commercial Robbery",)
ROB = STREET + COMM_ROB
VIOL = ASSAULT + OTHER_VIOL + STREET
PROP = BNE + TFV + TOV
NEXT = M(2024, 1)
NEXT3 = RNG("2024-01", "2024-03")
LAST12 = Y(2023)

CASES = [
    # --- counts -------------------------------------------------------------------------------
    case("B&E count for beltline Q2 2023?", "count", A("BELTLINE"), BNE, Q(2023, 2)),
    case(
        "stolen vehicles NE sector, 2nd half of 2022",
        "count",
        R("NORTHEAST"),
        TOV,
        H(2022, 2),
    ),
    case(
        "car prowlings in bridgeland last summer",
        "count",
        A("BRIDGELAND/RIVERSIDE"),
        TFV,
        SEA(2023, "summer"),
    ),
    case("#s on commercial robberies citywide ytd", "count", CITY, COMM_ROB, Y(2023)),
    case("assults in forest lawn winter 2022-23", "count", A("FOREST LAWN"), ASSAULT, WIN(2023)),
    case(
        "total property crime, sunridge, jan-mar 2023",
        "count",
        A("SUNRIDGE"),
        PROP,
        RNG("2023-01", "2023-03"),
    ),
    case(
        "How many street robberies were reported downtown in the fall",
        "count",
        G("downtown"),
        STREET,
        SEA(2023, "fall"),
    ),
    case(
        "residential break ins in saddle ridge since june",
        "count",
        A("SADDLE RIDGE"),
        BNE_HOME,
        RNG("2023-06", "2023-12"),
    ),
    case(
        "violence numbers for the east sector in the first quarter of 2022",
        "count",
        R("EAST"),
        VIOL,
        Q(2022, 1),
        alt=[case("", "count", R("EAST"), OTHER_VIOL, Q(2022, 1)).spec],
    ),
    case(
        "how many thefts from vehicles in marlborough during Q4 2021",
        "count",
        G("marlborough"),
        TFV,
        Q(2021, 4),
    ),
    case(
        "break and enters at the airport last yr",
        "count",
        A("CALGARY INTERNATIONAL AIRPORT"),
        BNE,
        Y(2022),
    ),
    case(
        "whats the total for all crime in dover the past 6 months",
        "count",
        A("DOVER"),
        (),
        RNG("2023-07", "2023-12"),
    ),
    case(
        "Forrest Lawn TOV numbers for 2021 pls",
        "count",
        A("FOREST LAWN"),
        TOV,
        Y(2021),
    ),
    case(
        "how many commercial B&Es did manchester industrial get in H1",
        "count",
        A("MANCHESTER INDUSTRIAL"),
        BNE_COM,
        H(2023, 1),
    ),
    # --- several places -------------------------------------------------------------------------
    case(
        "vehicle thefts in bowness and montgomery 2023",
        "count",
        AS("BOWNESS", "MONTGOMERY"),
        TOV,
        Y(2023),
    ),
    case(
        "B&E - dwelling counts for Acadia, Haysboro and Southwood, Q3 2023",
        "count",
        AS("ACADIA", "HAYSBORO", "SOUTHWOOD"),
        BNE_HOME,
        Q(2023, 3),
    ),
    # --- forecasts ------------------------------------------------------------------------------
    case(
        "what are we expecting for B&Es in beltline next month",
        "forecast",
        A("BELTLINE"),
        BNE,
        NEXT,
    ),
    case(
        "projection for stolen autos in the NE next quarter",
        "forecast",
        R("NORTHEAST"),
        TOV,
        NEXT3,
    ),
    case(
        "top 3 communities forecast for car prowls next month",
        "forecast",
        CITY,
        TFV,
        NEXT,
        by="area",
        rank=(3, "top", "forecast"),
    ),
    case(
        "will violent crime in forest lawn go up next month?",
        "forecast",
        A("FOREST LAWN"),
        VIOL,
        NEXT,
    ),
    case("outlook for robberies citywide, next 3 mos", "forecast", CITY, ROB, NEXT3),
    # --- rates ----------------------------------------------------------------------------------
    case("B&E rate per 1k residents in Dover for 2023", "rate", A("DOVER"), BNE, Y(2023)),
    case("per capita car theft NE sector last year", "rate", R("NORTHEAST"), TOV, Y(2022)),
    case("citywide assault rate, H1 2023", "rate", CITY, ASSAULT, H(2023, 1)),
    case(
        "top 5 communities by rate for residential B&E in 2023",
        "rate",
        CITY,
        BNE_HOME,
        Y(2023),
        by="area",
        rank=(5, "top", "rate"),
    ),
    case(
        "which 3 sectors have the highest violent crime rate per capita this year",
        "rate",
        CITY,
        VIOL,
        Y(2023),
        by="region",
        rank=(3, "top", "rate"),
    ),
    # --- changes --------------------------------------------------------------------------------
    case("B&E in beltline 2022 vs 2023", "change", A("BELTLINE"), BNE, Y(2022), Y(2023)),
    case(
        "Q1 this yr vs Q1 last yr for stolen vehicles citywide",
        "change",
        CITY,
        TOV,
        Q(2022, 1),
        Q(2023, 1),
    ),
    case("is violent crime up in the core YoY?", "change", G("core"), VIOL, Y(2023)),
    case(
        "how did Dec compare with Nov for car prowls in the beltline",
        "change",
        A("BELTLINE"),
        TFV,
        M(2023, 11),
        M(2023, 12),
    ),
    case(
        "assaults sunridge summer 23 vs summer 22",
        "change",
        A("SUNRIDGE"),
        ASSAULT,
        SEA(2022, "summer"),
        SEA(2023, "summer"),
    ),
    case(
        "did commercial B&Es drop in manchester industrial from H1 to H2 2023",
        "change",
        A("MANCHESTER INDUSTRIAL"),
        BNE_COM,
        H(2023, 1),
        H(2023, 2),
    ),
    case(
        "% change in robberies, NE sector, 2021 to 2023",
        "change",
        R("NORTHEAST"),
        ROB,
        Y(2021),
        Y(2023),
    ),
    # --- biggest increase / drop ------------------------------------------------------------------
    case(
        "which 5 communities saw the biggest jump in TOV this year vs last",
        "change",
        CITY,
        TOV,
        Y(2022),
        Y(2023),
        by="area",
        rank=(5, "top", "change"),
    ),
    case(
        "which 3 sectors had the largest drop in B&E in 2023 vs 2022",
        "change",
        CITY,
        BNE,
        Y(2022),
        Y(2023),
        by="region",
        rank=(3, "bottom", "change"),
    ),
    case(
        "top 5 communities by % increase in assaults, 2022 to 2023",
        "change",
        CITY,
        ASSAULT,
        Y(2022),
        Y(2023),
        by="area",
        rank=(5, "top", "pct"),
    ),
    # --- shares ---------------------------------------------------------------------------------
    case(
        "what share of the city's car prowls happened in the beltline in 2023",
        "share",
        A("BELTLINE"),
        TFV,
        Y(2023),
    ),
    case(
        "% of citywide street robberies that were downtown last year",
        "share",
        G("downtown"),
        STREET,
        Y(2022),
    ),
    case("NE sector's share of stolen vehicles YTD", "share", R("NORTHEAST"), TOV, Y(2023)),
    # --- averages -------------------------------------------------------------------------------
    case("avg B&Es per month in forest lawn in 2022", "average", A("FOREST LAWN"), BNE, Y(2022)),
    case(
        "mean monthly assaults in the core last 6 months",
        "average",
        G("core"),
        ASSAULT,
        RNG("2023-07", "2023-12"),
    ),
    case("on average how many cars get stolen a month citywide", "average", CITY, TOV, LAST12),
    # --- busiest / quietest month ------------------------------------------------------------------
    case("worst month for car prowls in beltline 2023", "peak", A("BELTLINE"), TFV, Y(2023)),
    case(
        "what was the quietest month for B&E in the NE last year",
        "trough",
        R("NORTHEAST"),
        BNE,
        Y(2022),
    ),
    case(
        "peak month for violent crime downtown since 2021",
        "peak",
        G("downtown"),
        VIOL,
        RNG("2021-01", "2023-12"),
    ),
    # --- rankings of months, categories, sectors, communities ----------------------------------------
    case(
        "top 3 months for stolen autos in 2022",
        "count",
        CITY,
        TOV,
        Y(2022),
        by="month",
        rank=(3, "top", "count"),
    ),
    case(
        "top 3 crime types in the beltline in 2023",
        "count",
        A("BELTLINE"),
        (),
        Y(2023),
        by="category",
        rank=(3, "top", "count"),
    ),
    case(
        "whats the most common offence in forest lawn last month",
        "count",
        A("FOREST LAWN"),
        (),
        M(2023, 12),
        by="category",
        rank=(1, "top", "count"),
    ),
    case(
        "which sector had the most car thefts in 2023",
        "count",
        CITY,
        TOV,
        Y(2023),
        by="region",
        rank=(1, "top", "count"),
    ),
    case(
        "rank the sectors by B&E, H2 2023",
        "count",
        CITY,
        BNE,
        H(2023, 2),
        by="region",
        rank=(8, "top", "count"),
        alt=[case("", "count", CITY, BNE, H(2023, 2), by="region").spec],
    ),
    case(
        "which 4 communities had the most B&E in Q4?",
        "count",
        CITY,
        BNE,
        Q(2023, 4),
        by="area",
        rank=(4, "top", "count"),
    ),
    case(
        "top ten hot spots for TFV last year",
        "count",
        CITY,
        TFV,
        Y(2022),
        by="area",
        rank=(10, "top", "count"),
    ),
    case(
        "quietest 3 communities in the NE for robbery in 2023",
        "count",
        R("NORTHEAST"),
        ROB,
        Y(2023),
        by="area",
        rank=(3, "bottom", "count"),
    ),
    case(
        "worst 5 communities for assaults this year",
        "count",
        CITY,
        ASSAULT,
        Y(2023),
        by="area",
        rank=(5, "top", "count"),
    ),
    case(
        "which district had the most B&Es in 2023",
        "count",
        CITY,
        BNE,
        Y(2023),
        by="region",
        rank=(1, "top", "count"),
        alt=[case("", "clarify").spec],
    ),
    # --- breakdowns -----------------------------------------------------------------------------
    case("B&E by sector for Q3 2023", "count", CITY, BNE, Q(2023, 3), by="region"),
    case(
        "beltline crime broken down by type, 2022",
        "count",
        A("BELTLINE"),
        (),
        Y(2022),
        by="category",
    ),
    case(
        "monthly car prowl numbers downtown in 2023",
        "count",
        G("downtown"),
        TFV,
        Y(2023),
        by="month",
    ),
    # --- accuracy -------------------------------------------------------------------------------
    case("how accurate have your forecasts been?", "accuracy"),
    case("how close were the B&E forecasts for beltline", "accuracy", A("BELTLINE"), BNE),
    case("forecast accuracy NE sector car theft", "accuracy", R("NORTHEAST"), TOV),
    case(
        "what did we forecast for beltline in december vs what actually came in",
        "count",
        A("BELTLINE"),
        (),
        M(2023, 12),
        alt=[case("", "accuracy", A("BELTLINE")).spec],
    ),
    # --- lists ----------------------------------------------------------------------------------
    case("list communities in the NW sector", "list", R("NORTHWEST")),
    case("which communities fall under the centre sector", "list", R("CENTRE")),
    case("what comms are in the south sector", "list", R("SOUTH")),
    # --- a question back / a refusal -------------------------------------------------------------
    case("B&Es in beltline last week", "refuse"),
    case("median monthly assaults in dover 2023", "clarify"),
    case("break-ins over christmas in the core", "clarify"),
    case("car prowls in forest last month", "clarify"),
    case("what's the ratio of TFV to TOV in the beltline", "clarify"),
    case("B&E in beltline Q1 vs Q2 vs Q3 2023", "clarify"),
    case("assaults on weekends in the core", "clarify"),
    case("robberies in gotham heights 2023", "refuse"),
    case("domestic assaults in forest lawn 2023", "refuse"),
    case("bike thefts in the beltline 2023", "refuse"),
    case("b&e in ward 9 this year", "refuse"),
]
