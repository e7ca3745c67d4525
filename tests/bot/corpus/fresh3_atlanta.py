"""Fresh Atlanta phrasings, batch three (issue 16, 2026-12-05, engineer "fresh3"): written by hand
by an independent tester who read only README.md, docs/ (questions, bot, corpus, cities, data),
the shared data and its README, and the corpus's oracle, checker, runner and terms (the earlier
held-out and fresh files for their format only), never the parser, the templates, the shorthand
files nor any phrasing test of the parser. Reported apart as the set "fresh3". Typed the way an
APD analyst or sergeant writes before CompStat ("entering autos", "LNV", "res burglaries",
"shootings", "ped robberies", NPU letters), over NPUs and neighborhoods the earlier batches
left alone where the data allow (NPUs A, C, D, G, I, J, L, N, O, P, R; Kirkwood, Grove Park,
Candler Park, Reynoldstown, Lakewood Heights, Poncey-Highland...).

Data 2019-01..2019-12 (today 2020-01-20): "this year" / "ytd" / a yearless quarter, half, season
or month is 2019, "last month" 2019-12, "next month" January 2020. Atlanta has no population, so a
rate is never answered as one; 2018 is not in the data, so a comparison with it is refused.
``clarify``: a question back is the right answer; ``refuse``: a question back or a refusal is.

>>> len(CASES) >= 60
True
"""

from __future__ import annotations

from .heldout_terms import AS, CITY, H, M, Q, RNG, SEA, Y, A, G, R, case

LFV, LNV, AUTO = ("LARCENY-FROM VEHICLE",), ("LARCENY-NON VEHICLE",), ("AUTO THEFT",)
BURG_RES, BURG_NONRES = ("BURGLARY-RESIDENCE",), ("BURGLARY-NONRES",)
BURG = BURG_RES + BURG_NONRES
AGG, HOMICIDE = ("AGG ASSAULT",), ("HOMICIDE",)
ROB_PED, ROB_COMM, ROB_RES = (
    ("ROBBERY-PEDESTRIAN",),
    ("ROBBERY-COMMERCIAL",),
    ("ROBBERY-RESIDENCE",),
)
ROB = ROB_PED + ROB_COMM + ROB_RES
VIOL = AGG + HOMICIDE + ("MANSLAUGHTER",) + ROB
PROP = LFV + LNV + AUTO + BURG
YEAR = Y(2019)
NEXT = M(2020, 1)

CASES = [
    # --- counts -------------------------------------------------------------------------------
    case(
        "how many entering autos in lindbergh in Q3",
        "count",
        A("LINDBERGH/MOROSGO"),
        LFV,
        Q(2019, 3),
    ),
    case(
        "agg assaults in grove park during the summer",
        "count",
        A("GROVE PARK"),
        AGG,
        SEA(2019, "summer"),
    ),
    case("LNV in lenox H1 2019", "count", A("LENOX"), LNV, H(2019, 1)),
    case("res burglaries in kirkwood 2019", "count", A("KIRKWOOD"), BURG_RES, YEAR),
    case("homicide total for the whole city in 2019", "count", CITY, HOMICIDE, YEAR),
    case(
        "ped robberies in npu c oct-dec 2019",
        "count",
        R("C"),
        ROB_PED,
        RNG("2019-10", "2019-12"),
    ),
    case("auto thefts in the AUC, fall 19", "count", G("auc"), AUTO, SEA(2019, "fall")),
    case("violent crime in npu g for march", "count", R("G"), VIOL, M(2019, 3)),
    case(
        "nonres burglaries candler park, 2nd half of 2019",
        "count",
        A("CANDLER PARK"),
        BURG_NONRES,
        H(2019, 2),
    ),
    case("carjackings in npu p since june", "count", R("P"), AUTO, RNG("2019-06", "2019-12")),
    case(
        "property crime in reynoldstown last month", "count", A("REYNOLDSTOWN"), PROP, M(2019, 12)
    ),
    case("shootings in lakewood heights 2019", "count", A("LAKEWOOD HEIGHTS"), AGG, YEAR),
    case(
        "total crime in buckhead, last 3 months",
        "count",
        G("buckhead"),
        (),
        RNG("2019-10", "2019-12"),
    ),
    case("home invasions npu r ytd", "count", R("R"), ROB_RES, YEAR),
    case(
        "how many car break ins in poncey-highland from feb to may",
        "count",
        A("PONCEY-HIGHLAND"),
        LFV,
        RNG("2019-02", "2019-05"),
    ),
    case("robberies in peoplestown 2019", "count", A("PEOPLESTOWN"), ROB, YEAR),
    # --- several places -----------------------------------------------------------------------
    case(
        "LFV in kirkwood, candler park and east atlanta for 2019",
        "count",
        AS("KIRKWOOD", "CANDLER PARK", "EAST ATLANTA"),
        LFV,
        YEAR,
    ),
    case(
        "agg assaults: vine city vs english avenue, H2",
        "count",
        AS("VINE CITY", "ENGLISH AVENUE"),
        AGG,
        H(2019, 2),
    ),
    case(
        "burglaries for grove park & center hill Q4",
        "count",
        AS("GROVE PARK", "CENTER HILL"),
        BURG,
        Q(2019, 4),
    ),
    # --- forecasts ----------------------------------------------------------------------------
    case(
        "what's projected for entering autos in midtown next month",
        "forecast",
        A("MIDTOWN"),
        LFV,
        NEXT,
    ),
    case("expected agg assaults in npu j next month", "forecast", R("J"), AGG, NEXT),
    case(
        "forecast violent crime for buckhead next quarter",
        "forecast",
        G("buckhead"),
        VIOL,
        RNG("2020-01", "2020-03"),
    ),
    case(
        "which 4 neighborhoods are forecast to have the most auto thefts next month",
        "forecast",
        CITY,
        AUTO,
        NEXT,
        by="area",
        rank=(4, "top", "forecast"),
    ),
    case("outlook for LNV citywide jan 2020", "forecast", CITY, LNV, NEXT),
    # --- rates (no population: never answered as a rate) -------------------------------------
    case("agg assault rate per 1,000 in npu d 2019", "rate", R("D"), AGG, YEAR),
    case(
        "which npus have the highest robbery rate per capita in 2019",
        "rate",
        CITY,
        ROB,
        YEAR,
        by="region",
        rank=(5, "top", "rate"),
    ),
    # --- changes ------------------------------------------------------------------------------
    case("LFV downtown Q1 vs Q4 2019", "change", A("DOWNTOWN"), LFV, Q(2019, 1), Q(2019, 4)),
    case(
        "did auto theft go up in npu o from h1 to h2",
        "change",
        R("O"),
        AUTO,
        H(2019, 1),
        H(2019, 2),
    ),
    case(
        "sept vs aug agg assaults in sylvan hills",
        "change",
        A("SYLVAN HILLS"),
        AGG,
        M(2019, 8),
        M(2019, 9),
    ),
    case(
        "spring vs summer 2019 res burglary, npu i",
        "change",
        R("I"),
        BURG_RES,
        SEA(2019, "spring"),
        SEA(2019, "summer"),
    ),
    case(
        "top 3 NPUs with the biggest increase in LFV from Q1 to Q4",
        "change",
        CITY,
        LFV,
        Q(2019, 1),
        Q(2019, 4),
        by="region",
        rank=(3, "top", "change"),
    ),
    case(
        "which 5 neighborhoods improved most on agg assaults H1 vs H2 2019",
        "change",
        CITY,
        AGG,
        H(2019, 1),
        H(2019, 2),
        by="area",
        rank=(5, "bottom", "change"),
    ),
    case(
        "biggest % drop in auto theft by npu, march vs october",
        "change",
        CITY,
        AUTO,
        M(2019, 3),
        M(2019, 10),
        by="region",
        rank=(5, "bottom", "pct"),
    ),
    # --- shares -------------------------------------------------------------------------------
    case(
        "what % of the city's auto thefts were in npu n in 2019",
        "share",
        R("N"),
        AUTO,
        YEAR,
    ),
    case("midtown's share of citywide LNV, Q2", "share", A("MIDTOWN"), LNV, Q(2019, 2)),
    case(
        "proportion of all ped robberies that were in old 4th ward 2019",
        "share",
        G("old 4th ward"),
        ROB_PED,
        YEAR,
    ),
    # --- averages -----------------------------------------------------------------------------
    case("avg homicides per month citywide 2019", "average", CITY, HOMICIDE, YEAR),
    case(
        "average monthly LFV in home park, second half of the year",
        "average",
        A("HOME PARK"),
        LFV,
        H(2019, 2),
    ),
    case(
        "on average how many burglaries a month in npu a this year",
        "average",
        R("A"),
        BURG,
        YEAR,
    ),
    # --- busiest / quietest month -------------------------------------------------------------
    case("busiest month for auto theft in npu p in 2019", "peak", R("P"), AUTO, YEAR),
    case("slowest month for LFV in midtown in 2019", "trough", A("MIDTOWN"), LFV, YEAR),
    case("what month were agg assaults highest in the auc ytd", "peak", G("auc"), AGG, YEAR),
    case(
        "quietest month for violent crime in npu j, H1",
        "trough",
        R("J"),
        VIOL,
        H(2019, 1),
    ),
    # --- rankings -----------------------------------------------------------------------------
    case(
        "top 6 neighborhoods for LNV in Q4 2019",
        "count",
        CITY,
        LNV,
        Q(2019, 4),
        by="area",
        rank=(6, "top", "count"),
    ),
    case(
        "which npu saw the most homicides during 2019",
        "count",
        CITY,
        HOMICIDE,
        YEAR,
        by="region",
        rank=(1, "top", "count"),
    ),
    case(
        "bottom 5 npus for property crime 2019",
        "count",
        CITY,
        PROP,
        YEAR,
        by="region",
        rank=(5, "bottom", "count"),
    ),
    case(
        "top 3 offenses in grove park this year",
        "count",
        A("GROVE PARK"),
        (),
        YEAR,
        by="category",
        rank=(3, "top", "count"),
    ),
    case(
        "worst 3 months citywide for robbery 2019",
        "count",
        CITY,
        ROB,
        YEAR,
        by="month",
        rank=(3, "top", "count"),
    ),
    case(
        "which 3 neighborhoods in npu i had the most entering autos in 2019",
        "count",
        R("I"),
        LFV,
        YEAR,
        by="area",
        rank=(3, "top", "count"),
    ),
    case(
        "top 10 hoods for agg assault, summer 2019",
        "count",
        CITY,
        AGG,
        SEA(2019, "summer"),
        by="area",
        rank=(10, "top", "count"),
    ),
    case(
        "the 3 busiest NPUs for LFV last quarter",
        "count",
        CITY,
        LFV,
        Q(2019, 4),
        by="region",
        rank=(3, "top", "count"),
    ),
    # --- breakdowns ---------------------------------------------------------------------------
    case("LFV by npu for 2019", "count", CITY, LFV, YEAR, by="region"),
    case(
        "offense breakdown for lenox in Q1",
        "count",
        A("LENOX"),
        (),
        Q(2019, 1),
        by="category",
    ),
    case("homicides by month 2019", "count", CITY, HOMICIDE, YEAR, by="month"),
    case(
        "auto theft by neighborhood in npu l, 2019",
        "count",
        R("L"),
        AUTO,
        YEAR,
        by="area",
    ),
    # --- accuracy -----------------------------------------------------------------------------
    case("how accurate were the LFV forecasts in midtown", "accuracy", A("MIDTOWN"), LFV),
    case("how close have the predictions been for npu c", "accuracy", R("C")),
    case("accuracy of the agg assault forecasts citywide", "accuracy", CITY, AGG),
    # --- lists --------------------------------------------------------------------------------
    case("which neighborhoods are in npu j", "list", R("J")),
    case("list neighborhoods making up buckhead", "list", G("buckhead")),
    case("neighborhoods under npu d", "list", R("D")),
    # --- no answer is right: a question back, or a refusal ------------------------------------
    case("LFV in highland 2019", "clarify"),
    case("auto theft for beat 511 in zone 5", "refuse"),
    case("drug arrests in midtown 2019", "refuse"),
    case("agg assaults in npu m 2017 vs 2019", "refuse"),
    case("LNV in midtown early 2019", "clarify"),
    case("robberies in capitol 2019", "clarify"),
    case("auto theft citywide Q1 vs Q2 vs Q3", "clarify"),
    case("how did memorial day weekend look for agg assaults downtown", "clarify"),
    case("bike thefts in midtown 2019", "refuse"),
    case("is violent crime in the west end up compared to last year", "refuse"),
    case("ratio of LFV to auto theft in midtown 2019", "clarify"),
]
