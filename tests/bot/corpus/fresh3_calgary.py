"""Fresh Calgary phrasings, batch three (issue 16, 2026-12-05, engineer "fresh3"): written by hand
by an independent tester who read only README.md, docs/ (questions, bot, corpus, cities, data),
the shared data and its README, and the corpus's oracle, checker, runner and terms (the earlier
held-out and fresh files for their format only), never the parser, the templates, the shorthand
files nor any phrasing test of the parser. Reported apart as the set "fresh3": the only batch
nobody tuned the parser on. Typed the way an analyst or patrol sergeant writes in team chat
before CompStat; places, categories and periods chosen apart from the earlier batches where the
city allows (Ogden, Inglewood, Thorncliffe, Bankview, Sunalta, Capitol Hill, the EAST sector...).

Data through 2023-12 (today 2024-01-20): "this year" / "ytd" is 2023, "last year" 2022, "next
month" January 2024, "next quarter" Q1 2024. ``clarify``: a question back is the right answer
(docs/questions.md, "Clarify, never broaden"); ``refuse``: a question back or a plain refusal is.

>>> len(CASES) >= 60
True
"""

from __future__ import annotations

from .heldout_terms import AS, CITY, H, M, Q, RNG, SEA, WIN, Y, A, G, R, case

TOV, TFV = ("Theft OF Vehicle",), ("Theft FROM Vehicle",)
HOME, BIZ = ("Break & Enter - Dwelling",), ("Break & Enter - Commercial",)
OTHER_PREM = ("Break & Enter - Other Premises",)
BNE = BIZ + HOME + OTHER_PREM
ASSAULT, OTHER_VIOL = ("Assault (Non-domestic)",), ("Violence  'Other' (Non-domestic)",)
STREET, COMM_ROB = ("Street Robbery",), ("Commercial Robbery",)
VIOL = ASSAULT + OTHER_VIOL + STREET
VEH = TFV + TOV
PROP = BNE + VEH
NEXT = M(2024, 1)
NEXT_Q = RNG("2024-01", "2024-03")

CASES = [
    # --- counts -------------------------------------------------------------------------------
    case("ogden tov numbers for Q2 2022", "count", A("OGDEN"), TOV, Q(2022, 2)),
    case(
        "how many garage break-ins in mckenzie towne during 2021",
        "count",
        A("MCKENZIE TOWNE"),
        OTHER_PREM,
        Y(2021),
    ),
    case(
        "inglewood street robberies fall '22",
        "count",
        A("INGLEWOOD"),
        STREET,
        SEA(2022, "fall"),
    ),
    case("total property crime in the east sector h2 2021", "count", R("EAST"), PROP, H(2021, 2)),
    case("tfv sunalta last mnth", "count", A("SUNALTA"), TFV, M(2023, 12)),
    case(
        "# of assaults in thorncliffe winter 2021-22",
        "count",
        A("THORNCLIFFE"),
        ASSAULT,
        WIN(2022),
    ),
    case(
        "bankview home break-ins since the start of 2022",
        "count",
        A("BANKVIEW"),
        HOME,
        RNG("2022-01", "2023-12"),
    ),
    case(
        "citywide commercial robbery count jan thru apr 2023",
        "count",
        CITY,
        COMM_ROB,
        RNG("2023-01", "2023-04"),
    ),
    case(
        "how many uttering threats in the downtown east village in 2020",
        "count",
        A("DOWNTOWN EAST VILLAGE"),
        OTHER_VIOL,
        Y(2020),
    ),
    case(
        "capitol hill vehicle crime last 6 months",
        "count",
        A("CAPITOL HILL"),
        VEH,
        RNG("2023-07", "2023-12"),
    ),
    case(
        "how many b&e's did mount pleasant have in 2019", "count", A("MOUNT PLEASANT"), BNE, Y(2019)
    ),
    case(
        "stolen autos killarney 2nd qtr 2023",
        "count",
        A("KILLARNEY/GLENGARRY"),
        TOV,
        Q(2023, 2),
    ),
    case(
        "violence numbers for the NW sector, first half of 2020",
        "count",
        R("NORTHWEST"),
        VIOL,
        H(2020, 1),
    ),
    case(
        "car break-ins at the university of calgary 2021",
        "count",
        A("UNIVERSITY OF CALGARY"),
        TFV,
        Y(2021),
    ),
    case("hold-ups in the south sector for 2022", "count", R("SOUTH"), COMM_ROB, Y(2022)),
    case("smash and grabs in richmond this yr", "count", A("RICHMOND"), TFV, Y(2023)),
    # --- several places -----------------------------------------------------------------------
    case("tov ogden vs inglewood 2023", "count", AS("OGDEN", "INGLEWOOD"), TOV, Y(2023)),
    case(
        "break-ins for altadore, richmond and bankview, Q1 2022",
        "count",
        AS("ALTADORE", "RICHMOND", "BANKVIEW"),
        BNE,
        Q(2022, 1),
    ),
    case(
        "assaults: sunalta + bankview + mission 2021",
        "count",
        AS("SUNALTA", "BANKVIEW", "MISSION"),
        ASSAULT,
        Y(2021),
    ),
    # --- forecasts ----------------------------------------------------------------------------
    case(
        "what are we expecting for TOV in saddle ridge next month",
        "forecast",
        A("SADDLE RIDGE"),
        TOV,
        NEXT,
    ),
    case(
        "projected break-ins for the east sector next quarter", "forecast", R("EAST"), BNE, NEXT_Q
    ),
    case("forecast for all crime in bowness jan 2024", "forecast", A("BOWNESS"), (), NEXT),
    case(
        "top 3 communities expected for street robbery next month",
        "forecast",
        CITY,
        STREET,
        NEXT,
        by="area",
        rank=(3, "top", "forecast"),
    ),
    case("will car prowls in the beltline go up next month", "forecast", A("BELTLINE"), TFV, NEXT),
    case(
        "the next 3 months outlook for assaults downtown",
        "forecast",
        G("downtown"),
        ASSAULT,
        NEXT_Q,
    ),
    # --- rates --------------------------------------------------------------------------------
    case("tov per 1000 residents in temple 2022", "rate", A("TEMPLE"), TOV, Y(2022)),
    case("violent crime rate NE sector 2023", "rate", R("NORTHEAST"), VIOL, Y(2023)),
    case("city wide break-in rate per capita H1 2023", "rate", CITY, BNE, H(2023, 1)),
    case(
        "which 5 communities have the highest assault rate this year",
        "rate",
        CITY,
        ASSAULT,
        Y(2023),
        by="area",
        rank=(5, "top", "rate"),
    ),
    case(
        "sectors ranked by vehicle crime per capita 2021",
        "rate",
        CITY,
        VEH,
        Y(2021),
        by="region",
        rank=(8, "top", "rate"),
    ),
    case(
        "3 safest sectors by property crime rate last year",
        "rate",
        CITY,
        PROP,
        Y(2022),
        by="region",
        rank=(3, "bottom", "rate"),
    ),
    case(
        "top 3 NE communities by rate for break-ins 2023",
        "rate",
        R("NORTHEAST"),
        BNE,
        Y(2023),
        by="area",
        rank=(3, "top", "rate"),
    ),
    # --- changes ------------------------------------------------------------------------------
    case("inglewood b&e 2019 vs 2023", "change", A("INGLEWOOD"), BNE, Y(2019), Y(2023)),
    case(
        "TFV in bowness up or down this year vs last?",
        "change",
        A("BOWNESS"),
        TFV,
        Y(2022),
        Y(2023),
        alt=[case("", "change", A("BOWNESS"), TFV, Y(2023)).spec],
    ),
    case("street robbery ytd vs same time last year citywide", "change", CITY, STREET, Y(2023)),
    case(
        "Q1 vs Q2 2023 commercial B&E in manchester industrial",
        "change",
        A("MANCHESTER INDUSTRIAL"),
        BIZ,
        Q(2023, 1),
        Q(2023, 2),
    ),
    case(
        "how did summer 2023 compare with summer 2022 for assaults in the centre sector",
        "change",
        R("CENTRE"),
        ASSAULT,
        SEA(2022, "summer"),
        SEA(2023, "summer"),
        alt=[case("", "change", R("CENTRE"), ASSAULT, SEA(2023, "summer")).spec],
    ),
    case("yoy change tov in the SE, 2021", "change", R("SOUTHEAST"), TOV, Y(2021)),
    case(
        "dec 2023 against nov 2023 car prowls downtown",
        "change",
        G("downtown"),
        TFV,
        M(2023, 11),
        M(2023, 12),
    ),
    case(
        "top 5 comms with the biggest rise in tov 2022 to 2023",
        "change",
        CITY,
        TOV,
        Y(2022),
        Y(2023),
        by="area",
        rank=(5, "top", "change"),
    ),
    case(
        "which 2 sectors dropped the most in break-ins from 2019 to 2023",
        "change",
        CITY,
        BNE,
        Y(2019),
        Y(2023),
        by="region",
        rank=(2, "bottom", "change"),
    ),
    case(
        "biggest percentage increase in assaults by sector 2022 vs 2023, top 3",
        "change",
        CITY,
        ASSAULT,
        Y(2022),
        Y(2023),
        by="region",
        rank=(3, "top", "pct"),
    ),
    # --- shares -------------------------------------------------------------------------------
    case(
        "what share of the city's stolen cars came from the NE in 2021",
        "share",
        R("NORTHEAST"),
        TOV,
        Y(2021),
    ),
    case(
        "% of citywide street robberies that happened in the core, H2 2023",
        "share",
        G("core"),
        STREET,
        H(2023, 2),
    ),
    case(
        "bowness as a percentage of all vehicle crime city wide 2020",
        "share",
        A("BOWNESS"),
        VEH,
        Y(2020),
    ),
    # --- averages -----------------------------------------------------------------------------
    case(
        "average monthly break-ins in thorncliffe 2022", "average", A("THORNCLIFFE"), BNE, Y(2022)
    ),
    case(
        "mean tov per month in the north sector since jan 2022",
        "average",
        R("NORTH"),
        TOV,
        RNG("2022-01", "2023-12"),
    ),
    case(
        "on avg how many assaults a month downtown in Q3 2023",
        "average",
        G("downtown"),
        ASSAULT,
        Q(2023, 3),
    ),
    # --- busiest / quietest month -------------------------------------------------------------
    case("worst month for TFV in inglewood last year", "peak", A("INGLEWOOD"), TFV, Y(2022)),
    case("quietest month citywide for b&e in 2020", "trough", CITY, BNE, Y(2020)),
    case(
        "peak month for street robbery in the east sector 2019-2021",
        "peak",
        R("EAST"),
        STREET,
        RNG("2019-01", "2021-12"),
    ),
    case(
        "which month had the fewest stolen vehicles in sunridge in 2023",
        "trough",
        A("SUNRIDGE"),
        TOV,
        Y(2023),
    ),
    # --- rankings -----------------------------------------------------------------------------
    case(
        "top 4 hoods for commercial break-ins in 2020",
        "count",
        CITY,
        BIZ,
        Y(2020),
        by="area",
        rank=(4, "top", "count"),
    ),
    case(
        "which sector had the most street robberies in H1 2023",
        "count",
        CITY,
        STREET,
        H(2023, 1),
        by="region",
        rank=(1, "top", "count"),
    ),
    case(
        "bottom 3 sectors for assaults, 2019",
        "count",
        CITY,
        ASSAULT,
        Y(2019),
        by="region",
        rank=(3, "bottom", "count"),
    ),
    case(
        "top 3 crime types in bowness this year",
        "count",
        A("BOWNESS"),
        (),
        Y(2023),
        by="category",
        rank=(3, "top", "count"),
    ),
    case(
        "worst 2 months for stolen cars citywide in 2022",
        "count",
        CITY,
        TOV,
        Y(2022),
        by="month",
        rank=(2, "top", "count"),
    ),
    case(
        "the 6 busiest communities in the NW sector for tfv, ytd",
        "count",
        R("NORTHWEST"),
        TFV,
        Y(2023),
        by="area",
        rank=(6, "top", "count"),
    ),
    # --- breakdowns ---------------------------------------------------------------------------
    case(
        "assaults by sector, fall 2023",
        "count",
        CITY,
        ASSAULT,
        SEA(2023, "fall"),
        by="region",
    ),
    case(
        "crime by category in the beltline for jan 2023",
        "count",
        A("BELTLINE"),
        (),
        M(2023, 1),
        by="category",
    ),
    case(
        "monthly numbers for commercial robbery in 2022 citywide",
        "count",
        CITY,
        COMM_ROB,
        Y(2022),
        by="month",
    ),
    # --- accuracy -----------------------------------------------------------------------------
    case("how accurate has the TFV forecast been for bowness", "accuracy", A("BOWNESS"), TFV),
    case("how good are your break-in predictions in the east sector", "accuracy", R("EAST"), BNE),
    case("forecast accuracy for stolen cars citywide?", "accuracy", CITY, TOV),
    # --- lists --------------------------------------------------------------------------------
    case("list the communities in the east sector", "list", R("EAST")),
    case("which communities are part of 17 ave", "list", G("17 ave")),
    case("communities in the NW", "list", R("NORTHWEST")),
    # --- no answer is right: a question back, or a refusal ------------------------------------
    case("tov in bonavista 2023", "clarify"),
    case("b&e in inglewood late 2022", "clarify"),
    case("assaults in ogden last weekend", "refuse"),
    case("drug offences in the beltline 2023", "refuse"),
    case("stolen cars this year vs the 5 yr average", "clarify"),
    case("which ward had the most break-ins in 2023", "clarify"),
    case("tfv in mckenzie 2022", "clarify"),
    case("street robberies Q1 vs Q2 vs Q3 2023", "clarify"),
    case("commercial robbery in the beltline, 2023 vs 2017", "refuse"),
    case("median monthly assaults downtown 2023", "clarify"),
]
