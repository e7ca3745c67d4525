"""Fresh Atlanta phrasings, batch two (issue 16, 2026-12-05, engineer "fresh2"): written by hand
by an independent tester who read only README.md, docs/ (questions, bot, corpus, cities, data),
the shared data and its README, and the corpus's oracle, checker, runner and shorthands (the
earlier held-out and fresh files for their format only), never the parser, the templates nor any
phrasing test of the parser. Reported apart as the set "fresh2". Typed the way an APD crime
analyst or zone sergeant writes in team chat before CompStat.

Data 2019-01..2019-12 (today 2020-01-20): a period without a year is in 2019, "this year" / "the
year" is 2019, "last quarter" Q4 2019, "next month" January 2020; Atlanta has no population, so
a rate is never answered as a rate (the oracle's ``no_rate``). "Shootings" are APD's aggravated
assaults (docs/cities.md). ``clarify`` / ``refuse`` as in ``fresh2_calgary``.

>>> len(CASES) >= 60
True
"""

from __future__ import annotations

from .heldout_terms import AS, CITY, H, M, Q, RNG, SEA, Y, A, G, R, case

LFV, LNV, AUTO = ("LARCENY-FROM VEHICLE",), ("LARCENY-NON VEHICLE",), ("AUTO THEFT",)
RES, NONRES = ("BURGLARY-RESIDENCE",), ("BURGLARY-NONRES",)
BURG = RES + NONRES
AGG, HOM = ("AGG ASSAULT",), ("HOMICIDE",)
PED, COM, HOME_ROB = ("ROBBERY-PEDESTRIAN",), ("ROBBERY-COMMERCIAL",), ("ROBBERY-RESIDENCE",)
ROB = PED + COM + HOME_ROB
VIOL = AGG + HOM + ("MANSLAUGHTER",) + ROB
PROP = LFV + LNV + AUTO + RES + NONRES
NEXT = M(2020, 1)

CASES = [
    # --- counts -------------------------------------------------------------------------------
    case("LNV in atlantic station for Q4", "count", A("ATLANTIC STATION"), LNV, Q(2019, 4)),
    case("how many shootings in pittsburgh 3rd qtr", "count", A("PITTSBURGH"), AGG, Q(2019, 3)),
    case("auto thefts NPU B first half", "count", R("B"), AUTO, H(2019, 1)),
    case(
        "res burglaries in sylvan hills spring 2019",
        "count",
        A("SYLVAN HILLS"),
        RES,
        SEA(2019, "spring"),
    ),
    case("nonres burglary total citywide for the year", "count", CITY, NONRES, Y(2019)),
    case(
        "car break-ins in inman park since august",
        "count",
        A("INMAN PARK"),
        LFV,
        RNG("2019-08", "2019-12"),
    ),
    case(
        "violent crime in mechanicsville, jun-aug",
        "count",
        A("MECHANICSVILLE"),
        VIOL,
        RNG("2019-06", "2019-08"),
    ),
    case("homicide count NPU X 2019", "count", R("X"), HOM, Y(2019)),
    case(
        "business burglaries in lindbergh last quarter",
        "count",
        A("LINDBERGH/MOROSGO"),
        NONRES,
        Q(2019, 4),
    ),
    case(
        "property crime in virginia-highland during november",
        "count",
        A("VIRGINIA HIGHLAND"),
        PROP,
        M(2019, 11),
    ),
    case(
        "stolen cars in buckhead over the last 6 months",
        "count",
        G("buckhead"),
        AUTO,
        RNG("2019-07", "2019-12"),
    ),
    case("muggings in the auc YTD", "count", G("auc"), PED, Y(2019)),
    case("all crime in east atlanta, oct 2019", "count", A("EAST ATLANTA"), (), M(2019, 10)),
    case("home invasions in NPU S in the second half", "count", R("S"), HOME_ROB, H(2019, 2)),
    case("total burglaries for perkerson, Q1 '19", "count", A("PERKERSON"), BURG, Q(2019, 1)),
    # --- several places -----------------------------------------------------------------------
    case(
        "entering autos in home park, atlantic station and blandtown, 2019",
        "count",
        AS("HOME PARK", "ATLANTIC STATION", "BLANDTOWN"),
        LFV,
        Y(2019),
    ),
    case(
        "agg assaults: adamsville and oakland city this year",
        "count",
        AS("ADAMSVILLE", "OAKLAND CITY"),
        AGG,
        Y(2019),
    ),
    case("robberies westview & west end Q3", "count", AS("WESTVIEW", "WEST END"), ROB, Q(2019, 3)),
    # --- forecasts ----------------------------------------------------------------------------
    case(
        "how many LNV do we expect in north buckhead next month",
        "forecast",
        A("NORTH BUCKHEAD"),
        LNV,
        NEXT,
    ),
    case(
        "projected burglaries in NPU F over the next quarter",
        "forecast",
        R("F"),
        BURG,
        RNG("2020-01", "2020-03"),
    ),
    case(
        "which 3 hoods are forecast to see the most agg assaults next month",
        "forecast",
        CITY,
        AGG,
        NEXT,
        by="area",
        rank=(3, "top", "forecast"),
    ),
    case("forecast for car break ins citywide for jan 2020", "forecast", CITY, LFV, NEXT),
    case(
        "outlook for homicides in NPU Z next 2 months",
        "forecast",
        R("Z"),
        HOM,
        RNG("2020-01", "2020-02"),
    ),
    # --- rates (no population: never answered as a rate) --------------------------------------
    case("agg assault rate per 1k in pittsburgh 2019", "rate", A("PITTSBURGH"), AGG, Y(2019)),
    case(
        "which 5 NPUs are worst per capita for auto theft in 2019",
        "rate",
        CITY,
        AUTO,
        Y(2019),
        by="region",
        rank=(5, "top", "rate"),
    ),
    case("robbery rate, NPU V, last quarter", "rate", R("V"), ROB, Q(2019, 4)),
    # --- changes ------------------------------------------------------------------------------
    case(
        "LNV in atlantic station, Q3 vs Q4",
        "change",
        A("ATLANTIC STATION"),
        LNV,
        Q(2019, 3),
        Q(2019, 4),
    ),
    case(
        "did res burglaries drop in NPU H from H1 to H2",
        "change",
        R("H"),
        RES,
        H(2019, 1),
        H(2019, 2),
    ),
    case("auto theft jun vs dec citywide", "change", CITY, AUTO, M(2019, 6), M(2019, 12)),
    case(
        "violent crime spring vs fall in mechanicsville",
        "change",
        A("MECHANICSVILLE"),
        VIOL,
        SEA(2019, "spring"),
        SEA(2019, "fall"),
    ),
    case(
        "how did oct compare to sept for entering autos in buckhead",
        "change",
        G("buckhead"),
        LFV,
        M(2019, 9),
        M(2019, 10),
    ),
    case(
        "which 3 NPUs had the biggest rise in LNV Q1 to Q4",
        "change",
        CITY,
        LNV,
        Q(2019, 1),
        Q(2019, 4),
        by="region",
        rank=(3, "top", "change"),
    ),
    case(
        "top 5 neighborhoods by percent increase in auto theft H1 vs H2",
        "change",
        CITY,
        AUTO,
        H(2019, 1),
        H(2019, 2),
        by="area",
        rank=(5, "top", "pct"),
    ),
    case(
        "which 4 hoods saw the largest decline in burglaries from the 1st half to the 2nd half",
        "change",
        CITY,
        BURG,
        H(2019, 1),
        H(2019, 2),
        by="area",
        rank=(4, "bottom", "change"),
    ),
    # --- shares -------------------------------------------------------------------------------
    case(
        "what percentage of citywide homicides happened in NPU X in 2019",
        "share",
        R("X"),
        HOM,
        Y(2019),
    ),
    case("buckhead's portion of the city's LNV in Q2", "share", G("buckhead"), LNV, Q(2019, 2)),
    case("share of auto thefts in pittsburgh, H2", "share", A("PITTSBURGH"), AUTO, H(2019, 2)),
    # --- averages -----------------------------------------------------------------------------
    case("avg agg assaults per month in NPU Z in 2019", "average", R("Z"), AGG, Y(2019)),
    case(
        "how many car break-ins a month on average in inman park over the summer",
        "average",
        A("INMAN PARK"),
        LFV,
        SEA(2019, "summer"),
    ),
    case("mean monthly robberies citywide, second half", "average", CITY, ROB, H(2019, 2)),
    # --- busiest / quietest month -------------------------------------------------------------
    case("busiest month for LNV at atlantic station", "peak", A("ATLANTIC STATION"), LNV, Y(2019)),
    case("what was the worst month for shootings in NPU Z 2019", "peak", R("Z"), AGG, Y(2019)),
    case("quietest month for stolen cars citywide in H1", "trough", CITY, AUTO, H(2019, 1)),
    case("slowest month for burglaries in NPU H this yr", "trough", R("H"), BURG, Y(2019)),
    # --- rankings -----------------------------------------------------------------------------
    case(
        "which 3 NPUs had the most LNV in q3",
        "count",
        CITY,
        LNV,
        Q(2019, 3),
        by="region",
        rank=(3, "top", "count"),
    ),
    case(
        "top 6 neighborhoods for res burglaries this year",
        "count",
        CITY,
        RES,
        Y(2019),
        by="area",
        rank=(6, "top", "count"),
    ),
    case(
        "5 quietest hoods in NPU B for property crime, 2019",
        "count",
        R("B"),
        PROP,
        Y(2019),
        by="area",
        rank=(5, "bottom", "count"),
    ),
    case(
        "which NPU had the fewest agg assaults in 2019",
        "count",
        CITY,
        AGG,
        Y(2019),
        by="region",
        rank=(1, "bottom", "count"),
    ),
    case(
        "top 2 offense types in pittsburgh H2",
        "count",
        A("PITTSBURGH"),
        (),
        H(2019, 2),
        by="category",
        rank=(2, "top", "count"),
    ),
    case(
        "worst 4 months for homicide citywide in 2019",
        "count",
        CITY,
        HOM,
        Y(2019),
        by="month",
        rank=(4, "top", "count"),
    ),
    case(
        "which hood had the most muggings in Q2",
        "count",
        CITY,
        PED,
        Q(2019, 2),
        by="area",
        rank=(1, "top", "count"),
    ),
    case(
        "rank all NPUs by burglary count for 2019",
        "count",
        CITY,
        BURG,
        Y(2019),
        by="region",
        rank=(25, "top", "count"),
    ),
    case(
        "biggest 3 crime categories in NPU K, Q4",
        "count",
        R("K"),
        (),
        Q(2019, 4),
        by="category",
        rank=(3, "top", "count"),
    ),
    # --- breakdowns ---------------------------------------------------------------------------
    case("auto theft by NPU, first quarter", "count", CITY, AUTO, Q(2019, 1), by="region"),
    case(
        "crime mix in old fourth ward for H1, by category",
        "count",
        A("OLD FOURTH WARD"),
        (),
        H(2019, 1),
        by="category",
    ),
    case(
        "monthly LNV counts in buckhead for 2019", "count", G("buckhead"), LNV, Y(2019), by="month"
    ),
    case(
        "breakdown by neighborhood of homicides in NPU Z 2019",
        "count",
        R("Z"),
        HOM,
        Y(2019),
        by="area",
    ),
    # --- accuracy -----------------------------------------------------------------------------
    case("how accurate is the forecast for violent crime in NPU B", "accuracy", R("B"), VIOL),
    case("track record on LNV predictions for buckhead?", "accuracy", G("buckhead"), LNV),
    case("how far off was the model for auto theft citywide", "accuracy", CITY, AUTO),
    # --- lists --------------------------------------------------------------------------------
    case("which neighborhoods are in NPU K", "list", R("K")),
    case("list hoods for NPU Q", "list", R("Q")),
    case("neighborhoods under NPU W?", "list", R("W")),
    # --- no answer is right: a question back, or a refusal ------------------------------------
    case("LFV in zone 2 in Q3", "refuse"),
    case("agg assaults on beat 208 this year", "refuse"),
    case("sex offenses in NPU M 2019", "refuse"),
    case("drug arrests downtown last month", "refuse"),
    case("agg assaults in 2019 vs 2018 citywide", "refuse"),
    case("auto thefts in park last month", "clarify"),
    case("LNV in NPU M late 2019", "clarify"),
    case("robberies in FY19 for NPU T", "clarify"),
    case("agg assaults in Q1, Q2 and Q3 in NPU Y", "clarify"),
    case("are burglaries higher than normal in buckhead", "clarify"),
    case("what's the median monthly count of robberies in NPU S", "clarify"),
    case("homicides over thanksgiving in 2019", "clarify"),
]
