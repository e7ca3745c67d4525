"""Fresh Atlanta phrasings (issue 16, batch of 2026-12-05): written by hand by the held-out
tester, who read only the docs, the data and the oracle, never the parser nor the earlier
batches' phrasings; reported apart as the set "fresh". APD's own words where the data carry them
("entering autos", "aggs", NPUs, zones and beats). Data 2019-01..2019-12 (today 2020-01-20): "Q3"
is Q3 2019, "this summer" summer 2019, "next month" January 2020; 2018 has no data.

``clarify``: a question back is the right answer (docs/questions.md, "Clarify, never broaden");
``refuse``: a question back or a plain refusal is (something the docs say the bot cannot do, or
a place word the city's profile does not have: APD zones and beats are not regions here).

>>> len(CASES) >= 60
True
"""

from __future__ import annotations

from .heldout_terms import AS, CITY, H, M, Q, RNG, SEA, Y, A, G, R, case

LFV, LNV, AUTO = ("LARCENY-FROM VEHICLE",), ("LARCENY-NON VEHICLE",), ("AUTO THEFT",)
BURG_RES, BURG_NON = ("BURGLARY-RESIDENCE",), ("BURGLARY-NONRES",)
AGG, HOM, MANS = ("AGG ASSAULT",), ("HOMICIDE",), ("MANSLAUGHTER",)
ROB_PED, ROB_COM, ROB_RES = ("ROBBERY-PEDESTRIAN",), ("ROBBERY-COMMERCIAL",), ("ROBBERY-RESIDENCE",)
ROB = ROB_PED + ROB_COM + ROB_RES
VIOL = AGG + HOM + MANS + ROB
PROP = LFV + LNV + AUTO + BURG_RES + BURG_NON
BURG = BURG_RES + BURG_NON
YEAR = Y(2019)
NEXT = M(2020, 1)
NEXT3 = RNG("2020-01", "2020-03")

CASES = [
    # --- counts -------------------------------------------------------------------------------
    case("entering autos in midtown Q3", "count", A("MIDTOWN"), LFV, Q(2019, 3)),
    case("# of agg assaults in NPU M in 2019", "count", R("M"), AGG, YEAR),
    case("homicides citywide H1", "count", CITY, HOM, H(2019, 1)),
    case("auto thefts downtown last month", "count", A("DOWNTOWN"), AUTO, M(2019, 12)),
    case(
        "residential burglaries in west end this summer",
        "count",
        A("WEST END"),
        BURG_RES,
        SEA(2019, "summer"),
    ),
    case(
        "shoplifting at lenox since sept",
        "count",
        A("LENOX"),
        LNV,
        RNG("2019-09", "2019-12"),
        alt=[case("", "refuse").spec],
    ),
    case(
        "ped robberies in o4w, jan thru apr",
        "count",
        A("OLD FOURTH WARD"),
        ROB_PED,
        RNG("2019-01", "2019-04"),
    ),
    case("violent crime in buckhead, 2nd quarter", "count", G("buckhead"), VIOL, Q(2019, 2)),
    case("robbery count for the AUC in the fall", "count", G("auc"), ROB, SEA(2019, "fall")),
    case("how many manslaughters were there in 2019", "count", CITY, MANS, YEAR),
    case(
        "larceny non-vehicle total for NPU E ytd",
        "count",
        R("E"),
        LNV,
        YEAR,
    ),
    case(
        "commercial burglaries in castleberry hill, oct-dec",
        "count",
        A("CASTLEBERRY HILL"),
        BURG_NON,
        Q(2019, 4),
    ),
    case(
        "how many cars got broken into in edgewood last 3 months",
        "count",
        A("EDGEWOOD"),
        LFV,
        Q(2019, 4),
    ),
    case(
        "home invasions in NPU Z, 2019",
        "count",
        R("Z"),
        ROB_RES,
        YEAR,
        alt=[case("", "refuse").spec],
    ),
    # --- several places -------------------------------------------------------------------------
    case(
        "auto theft in Grant Park & Ormewood Park 2019",
        "count",
        AS("GRANT PARK", "ORMEWOOD PARK"),
        AUTO,
        YEAR,
    ),
    case(
        "property crime numbers for vine city and english ave, H2",
        "count",
        AS("VINE CITY", "ENGLISH AVENUE"),
        PROP,
        H(2019, 2),
    ),
    case(
        "auto thefts in midtown vs downtown, 2019",
        "count",
        AS("MIDTOWN", "DOWNTOWN"),
        AUTO,
        YEAR,
    ),
    # --- forecasts ------------------------------------------------------------------------------
    case(
        "forecast entering autos in midtown for next month",
        "forecast",
        A("MIDTOWN"),
        LFV,
        NEXT,
    ),
    case(
        "what should we expect for agg assaults in NPU V next month",
        "forecast",
        R("V"),
        AGG,
        NEXT,
    ),
    case("projected homicides citywide next 3 months", "forecast", CITY, HOM, NEXT3),
    case(
        "which 5 neighborhoods will have the most auto thefts next month",
        "forecast",
        CITY,
        AUTO,
        NEXT,
        by="area",
        rank=(5, "top", "forecast"),
    ),
    case(
        "next quarter outlook for burglaries in buckhead",
        "forecast",
        G("buckhead"),
        BURG,
        NEXT3,
    ),
    # --- rates: Atlanta has no population, so never answered as a rate -------------------------
    case("agg assault rate per 1,000 in downtown 2019", "rate", A("DOWNTOWN"), AGG, YEAR),
    case(
        "top 5 NPUs by rate for robbery",
        "rate",
        CITY,
        ROB,
        YEAR,
        by="region",
        rank=(5, "top", "rate"),
    ),
    case("per capita burglaries in west end", "rate", A("WEST END"), BURG, YEAR),
    # --- changes --------------------------------------------------------------------------------
    case("auto theft Q1 vs Q4 citywide", "change", CITY, AUTO, Q(2019, 1), Q(2019, 4)),
    case(
        "did LFV go up in midtown from the first half to the second half",
        "change",
        A("MIDTOWN"),
        LFV,
        H(2019, 1),
        H(2019, 2),
    ),
    case(
        "aggs in NPU Y, december compared with november",
        "change",
        R("Y"),
        AGG,
        M(2019, 11),
        M(2019, 12),
    ),
    case(
        "robberies summer vs spring in downtown",
        "change",
        A("DOWNTOWN"),
        ROB,
        SEA(2019, "spring"),
        SEA(2019, "summer"),
    ),
    case("Jan vs Jul homicides", "change", CITY, HOM, M(2019, 1), M(2019, 7)),
    case("is auto theft up vs last year in buckhead?", "refuse"),
    # --- biggest increase / drop ------------------------------------------------------------------
    case(
        "Which 3 NPUs saw the biggest jump in burglaries from H1 to H2?",
        "change",
        CITY,
        BURG,
        H(2019, 1),
        H(2019, 2),
        by="region",
        rank=(3, "top", "change"),
    ),
    case(
        "largest drop in larceny from vehicle by neighborhood, Q2 vs Q3",
        "change",
        CITY,
        LFV,
        Q(2019, 2),
        Q(2019, 3),
        by="area",
        rank=(5, "bottom", "change"),
    ),
    # --- shares ---------------------------------------------------------------------------------
    case(
        "what % of the city's auto thefts were in NPU M",
        "share",
        R("M"),
        AUTO,
        M(2019, 12),
        alt=[case("", "share", R("M"), AUTO, YEAR).spec],
    ),
    case("downtown's share of ped robberies in 2019", "share", A("DOWNTOWN"), ROB_PED, YEAR),
    case("share of LFV that happened in midtown Q4", "share", A("MIDTOWN"), LFV, Q(2019, 4)),
    # --- averages -------------------------------------------------------------------------------
    case("avg monthly agg assaults in NPU L", "average", R("L"), AGG, YEAR),
    case(
        "average per month of residential burglaries in the west end during H2",
        "average",
        A("WEST END"),
        BURG_RES,
        H(2019, 2),
    ),
    case("mean homicides a month citywide first quarter", "average", CITY, HOM, Q(2019, 1)),
    # --- busiest / quietest month ------------------------------------------------------------------
    case("busiest month for entering autos in midtown", "peak", A("MIDTOWN"), LFV, YEAR),
    case(
        "quietest month for violent crime in NPU T in 2019",
        "trough",
        R("T"),
        VIOL,
        YEAR,
    ),
    case("which month had the most homicides", "peak", CITY, HOM, YEAR),
    case(
        "slowest month for burglaries in buckhead during the summer",
        "trough",
        G("buckhead"),
        BURG,
        SEA(2019, "summer"),
    ),
    # --- rankings of months, categories, NPUs, neighborhoods ----------------------------------------
    case(
        "top 3 months of 2019 for auto theft downtown",
        "count",
        A("DOWNTOWN"),
        AUTO,
        YEAR,
        by="month",
        rank=(3, "top", "count"),
    ),
    case(
        "most common crime type in downtown in 2019",
        "count",
        A("DOWNTOWN"),
        (),
        YEAR,
        by="category",
        rank=(1, "top", "count"),
    ),
    case(
        "top 3 offenses in NPU M last quarter",
        "count",
        R("M"),
        (),
        Q(2019, 4),
        by="category",
        rank=(3, "top", "count"),
    ),
    case(
        "which NPU had the most homicides in 2019",
        "count",
        CITY,
        HOM,
        YEAR,
        by="region",
        rank=(1, "top", "count"),
    ),
    case(
        "top 5 NPUs for entering autos H2",
        "count",
        CITY,
        LFV,
        H(2019, 2),
        by="region",
        rank=(5, "top", "count"),
    ),
    case(
        "bottom 3 NPUs for property crime Q1",
        "count",
        CITY,
        PROP,
        Q(2019, 1),
        by="region",
        rank=(3, "bottom", "count"),
    ),
    case(
        "which four neighborhoods had the most robberies in Q4",
        "count",
        CITY,
        ROB,
        Q(2019, 4),
        by="area",
        rank=(4, "top", "count"),
    ),
    case(
        "top 10 hoods for LFV in 2019",
        "count",
        CITY,
        LFV,
        YEAR,
        by="area",
        rank=(10, "top", "count"),
    ),
    case(
        "3 worst neighborhoods in NPU V for agg assaults in 2019",
        "count",
        R("V"),
        AGG,
        YEAR,
        by="area",
        rank=(3, "top", "count"),
    ),
    case(
        "safest 5 neighborhoods for burglary this year",
        "count",
        CITY,
        BURG,
        YEAR,
        by="area",
        rank=(5, "bottom", "count"),
    ),
    # --- breakdowns -----------------------------------------------------------------------------
    case("agg assaults by NPU for 2019", "count", CITY, AGG, YEAR, by="region"),
    case("midtown crime by category Q3", "count", A("MIDTOWN"), (), Q(2019, 3), by="category"),
    case("monthly homicide counts for 2019", "count", CITY, HOM, YEAR, by="month"),
    # --- accuracy -------------------------------------------------------------------------------
    case("how accurate are you for NPU M?", "accuracy", R("M")),
    case("how good were the forecasts for auto theft", "accuracy", CITY, AUTO),
    case("how'd the model do on entering autos in midtown", "accuracy", A("MIDTOWN"), LFV),
    # --- lists ----------------------------------------------------------------------------------
    case("list the neighborhoods in NPU M", "list", R("M")),
    case("what hoods make up NPU-E?", "list", R("E")),
    case("which hoods count as buckhead", "list", G("buckhead")),
    # --- a question back / a refusal -------------------------------------------------------------
    case("total crime in zone 5 last month", "refuse"),
    case("beat 511 auto thefts in november", "refuse"),
    case("shootings in NPU X in 2019", "refuse"),
    case("rapes citywide 2019", "refuse"),
    case("arsons downtown 2019", "refuse"),
    case("median monthly auto thefts 2019", "clarify"),
    case("burglaries in wildwood in 2019", "clarify"),
    case("robberies in peachtree last month", "clarify"),
    case("entering autos on weekends in midtown", "clarify"),
    case("LFV at georgia tech during the semester", "clarify"),
]
