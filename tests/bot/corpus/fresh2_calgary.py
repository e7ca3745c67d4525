"""Fresh Calgary phrasings, batch two (issue 16, 2026-12-05, engineer "fresh2"): written by hand
by an independent tester who read only README.md, docs/ (questions, bot, corpus, cities, data),
the shared data and its README, and the corpus's oracle, checker, runner and shorthands (the
earlier held-out and fresh files for their format only), never the parser, the templates nor any
phrasing test of the parser. Reported apart as the set "fresh2": the only batch nobody tuned the
parser on. Typed the way an analyst or patrol sergeant writes in team chat before CompStat.

Data through 2023-12 (today 2024-01-20): "this year" / "ytd" is 2023, "last year" 2022, "last
qtr" Q4 2023, "next month" January 2024. ``clarify``: a question back is the right answer
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
ROB = STREET + COMM_ROB
VIOL = ASSAULT + OTHER_VIOL + STREET
VEH = TFV + TOV
PROP = BNE + VEH
NEXT = M(2024, 1)

CASES = [
    # --- counts -------------------------------------------------------------------------------
    case("how many stolen cars out of rundle in Q3 '23", "count", A("RUNDLE"), TOV, Q(2023, 3)),
    case("crescent hts b&e numbers 1st half 2021", "count", A("CRESCENT HEIGHTS"), BNE, H(2021, 1)),
    case(
        "muggings in the east village spring 2022",
        "count",
        G("east village"),
        STREET,
        SEA(2022, "spring"),
    ),
    case(
        "total violent crime in the southeast sector for 2020",
        "count",
        R("SOUTHEAST"),
        VIOL,
        Y(2020),
    ),
    case("tfv in huntington hills last qtr", "count", A("HUNTINGTON HILLS"), TFV, Q(2023, 4)),
    case("home break ins in shawnessy ytd", "count", A("SHAWNESSY"), HOME, Y(2023)),
    case(
        "commercial robberies along international ave in 2022",
        "count",
        G("international avenue"),
        COMM_ROB,
        Y(2022),
    ),
    case(
        "pinerdge vehicle crime since march",
        "count",
        A("PINERIDGE"),
        VEH,
        RNG("2023-03", "2023-12"),
    ),
    case("# of assaults on 17 ave summer 2022", "count", G("17 ave"), ASSAULT, SEA(2022, "summer")),
    case(
        "how many business break-ins were there in the north sector during fall 2021",
        "count",
        R("NORTH"),
        BIZ,
        SEA(2021, "fall"),
    ),
    case("all crime citywide, the past 3 months", "count", CITY, (), RNG("2023-10", "2023-12")),
    case("car prowls kensington nov 2022", "count", G("kensington"), TFV, M(2022, 11)),
    case("B&E other premises in foothills 2019", "count", A("FOOTHILLS"), OTHER_PREM, Y(2019)),
    case(
        "robbery totals for the NW from oct 2022 through feb 2023",
        "count",
        R("NORTHWEST"),
        ROB,
        RNG("2022-10", "2023-02"),
    ),
    case(
        "whats the tally of auto thefts at the u of c for 2023", "count", G("u of c"), TOV, Y(2023)
    ),
    case("thefts in whitehorn last 2 yrs", "count", A("WHITEHORN"), VEH, RNG("2022-01", "2023-12")),
    # --- several places -----------------------------------------------------------------------
    case(
        "TOV for falconridge, martindale and taradale in 2022",
        "count",
        AS("FALCONRIDGE", "MARTINDALE", "TARADALE"),
        TOV,
        Y(2022),
    ),
    case(
        "assaults renfrew & tuxedo park, winter 2023",
        "count",
        AS("RENFREW", "TUXEDO PARK"),
        ASSAULT,
        WIN(2023),
    ),
    case(
        "break-ins in varsity, brentwood, dalhousie H2 2022",
        "count",
        AS("VARSITY", "BRENTWOOD", "DALHOUSIE"),
        BNE,
        H(2022, 2),
    ),
    # --- forecasts ----------------------------------------------------------------------------
    case(
        "what's the model saying for car prowls in crescent heights next month",
        "forecast",
        A("CRESCENT HEIGHTS"),
        TFV,
        NEXT,
    ),
    case(
        "predicted B&Es in the SE sector for next qtr",
        "forecast",
        R("SOUTHEAST"),
        BNE,
        RNG("2024-01", "2024-03"),
    ),
    case("expected stolen vehicle count citywide for jan 2024", "forecast", CITY, TOV, NEXT),
    case(
        "which 5 comms are projected to have the most TFV next month",
        "forecast",
        CITY,
        TFV,
        NEXT,
        by="area",
        rank=(5, "top", "forecast"),
    ),
    case(
        "forecast muggings downtown over the next 2 months",
        "forecast",
        G("downtown"),
        STREET,
        RNG("2024-01", "2024-02"),
    ),
    case(
        "next month's outlook for violence in the centre sector",
        "forecast",
        R("CENTRE"),
        VIOL,
        NEXT,
        alt=[case("", "forecast", R("CENTRE"), OTHER_VIOL, NEXT).spec],
    ),
    # --- rates --------------------------------------------------------------------------------
    case("assault rate per 1000 in rundle, 2022", "rate", A("RUNDLE"), ASSAULT, Y(2022)),
    case(
        "vehicle crime per capita for the southeast sector ytd",
        "rate",
        R("SOUTHEAST"),
        VEH,
        Y(2023),
    ),
    case("B&E rate citywide Q1 2023 per 1k pop", "rate", CITY, BNE, Q(2023, 1)),
    case(
        "top 3 comms by TOV rate in 2022",
        "rate",
        CITY,
        TOV,
        Y(2022),
        by="area",
        rank=(3, "top", "rate"),
    ),
    case(
        "rank sectors by rate of street robbery 2023",
        "rate",
        CITY,
        STREET,
        Y(2023),
        by="region",
        rank=(8, "top", "rate"),
    ),
    case(
        "lowest 4 communities for property crime per capita last year",
        "rate",
        CITY,
        PROP,
        Y(2022),
        by="area",
        rank=(4, "bottom", "rate"),
    ),
    # --- changes ------------------------------------------------------------------------------
    case("TFV martindale 2020 vs 2022", "change", A("MARTINDALE"), TFV, Y(2020), Y(2022)),
    case(
        "are muggings up or down in the centre sector this year compared to last",
        "change",
        R("CENTRE"),
        STREET,
        Y(2022),
        Y(2023),
    ),
    case(
        "home B&E in huntington hills, H1 vs H2 2022",
        "change",
        A("HUNTINGTON HILLS"),
        HOME,
        H(2022, 1),
        H(2022, 2),
    ),
    case(
        "did vehicle crime go down in the NE from spring 2022 to spring 2023",
        "change",
        R("NORTHEAST"),
        VEH,
        SEA(2022, "spring"),
        SEA(2023, "spring"),
    ),
    case(
        "how does oct 2023 stack up vs sept 2023 for B&E citywide",
        "change",
        CITY,
        BNE,
        M(2023, 9),
        M(2023, 10),
    ),
    case(
        "year over year change in commercial robbery for the core, 2023",
        "change",
        G("core"),
        COMM_ROB,
        Y(2023),
    ),
    case(
        "Q4 22 vs Q4 23 assaults in forest heights",
        "change",
        A("FOREST HEIGHTS"),
        ASSAULT,
        Q(2022, 4),
        Q(2023, 4),
    ),
    case(
        "which 3 sectors improved the most on TFV 2022 to 2023",
        "change",
        CITY,
        TFV,
        Y(2022),
        Y(2023),
        by="region",
        rank=(3, "bottom", "change"),
    ),
    case(
        "biggest % jump in B&E by community, 2021 vs 2023, top 5",
        "change",
        CITY,
        BNE,
        Y(2021),
        Y(2023),
        by="area",
        rank=(5, "top", "pct"),
    ),
    case(
        "which 4 communities had the largest increase in stolen cars last year vs the year before",
        "change",
        CITY,
        TOV,
        Y(2021),
        Y(2022),
        by="area",
        rank=(4, "top", "change"),
    ),
    # --- shares -------------------------------------------------------------------------------
    case(
        "what % of all B&Es citywide were in the NE sector in 2022",
        "share",
        R("NORTHEAST"),
        BNE,
        Y(2022),
    ),
    case(
        "kensington's slice of the city's car prowls H1 2023",
        "share",
        G("kensington"),
        TFV,
        H(2023, 1),
    ),
    case(
        "proportion of street robberies in the east village, 2021",
        "share",
        G("east village"),
        STREET,
        Y(2021),
    ),
    # --- averages -----------------------------------------------------------------------------
    case("avg monthly TOV in falconridge in 2021", "average", A("FALCONRIDGE"), TOV, Y(2021)),
    case(
        "how many B&Es per month on average in the west sector over the past year",
        "average",
        R("WEST"),
        BNE,
        Y(2023),
    ),
    case(
        "average robberies a month citywide summer '22", "average", CITY, ROB, SEA(2022, "summer")
    ),
    # --- busiest / quietest month -------------------------------------------------------------
    case("worst month of 2022 for auto theft in the NE", "peak", R("NORTHEAST"), TOV, Y(2022)),
    case(
        "which month was slowest for break-ins in shawnessy in 2021",
        "trough",
        A("SHAWNESSY"),
        BNE,
        Y(2021),
    ),
    case("when did vehicle crime peak citywide last yr", "peak", CITY, VEH, Y(2022)),
    case(
        "busiest month for muggings on 17 ave in the past 2 years",
        "peak",
        G("17 ave"),
        STREET,
        RNG("2022-01", "2023-12"),
    ),
    # --- rankings -----------------------------------------------------------------------------
    case(
        "which 3 comms had the most break-ins in the south sector in 2023",
        "count",
        R("SOUTH"),
        BNE,
        Y(2023),
        by="area",
        rank=(3, "top", "count"),
    ),
    case(
        "top 7 communities for assaults H1 2022",
        "count",
        CITY,
        ASSAULT,
        H(2022, 1),
        by="area",
        rank=(7, "top", "count"),
    ),
    case(
        "least TFV by sector in 2021, bottom 2",
        "count",
        CITY,
        TFV,
        Y(2021),
        by="region",
        rank=(2, "bottom", "count"),
    ),
    case(
        "what were the top 2 crime categories in crescent heights last year",
        "count",
        A("CRESCENT HEIGHTS"),
        (),
        Y(2022),
        by="category",
        rank=(2, "top", "count"),
    ),
    case(
        "worst 3 months for TFV in the centre sector, 2020",
        "count",
        R("CENTRE"),
        TFV,
        Y(2020),
        by="month",
        rank=(3, "top", "count"),
    ),
    case(
        "which sector had the fewest stolen vehicles in 2021",
        "count",
        CITY,
        TOV,
        Y(2021),
        by="region",
        rank=(1, "bottom", "count"),
    ),
    # --- breakdowns ---------------------------------------------------------------------------
    case("commercial B&E by sector 2022", "count", CITY, BIZ, Y(2022), by="region"),
    case(
        "breakdown of crime types for rundle, Q2 2023",
        "count",
        A("RUNDLE"),
        (),
        Q(2023, 2),
        by="category",
    ),
    case(
        "month by month street robberies citywide in 2021",
        "count",
        CITY,
        STREET,
        Y(2021),
        by="month",
    ),
    # --- accuracy -----------------------------------------------------------------------------
    case("how accurate are the TOV forecasts for the NE", "accuracy", R("NORTHEAST"), TOV),
    case(
        "how far off were your predictions for break-ins downtown", "accuracy", G("downtown"), BNE
    ),
    case("model accuracy citywide?", "accuracy"),
    # --- lists --------------------------------------------------------------------------------
    case("list the comms in the southeast sector", "list", R("SOUTHEAST")),
    case(
        "what communities are in the beltline area",
        "list",
        G("beltline area"),
        alt=[case("", "list", A("BELTLINE")).spec],
    ),
    case("which communities does international ave cover", "list", G("international avenue")),
    # --- no answer is right: a question back, or a refusal ------------------------------------
    case("B&Es in rundle over the last 10 days", "refuse"),
    case("car prowls in crescent heights mid 2023", "clarify"),
    case("TFV in the beltline FY2023", "clarify"),
    case("shoplifting in marlborough 2023", "refuse"),
    case("assaults in heights 2022", "clarify"),
    case("stolen cars 2020 vs 2021 vs 2022 citywide", "clarify"),
    case("are stolen vehicles above normal in the NE", "clarify"),
    case("which zone had the most TFV in 2023", "clarify"),
    case(
        "which district had the most assaults last yr",
        "clarify",
        alt=[case("", "count", CITY, ASSAULT, Y(2022), by="region", rank=(1, "top", "count")).spec],
    ),
    case("robbery counts for easter weekend downtown", "clarify"),
]
