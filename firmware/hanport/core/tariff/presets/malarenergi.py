# Mälarenergi Elnät: the mean of the three highest hourly values in high-price time (weekdays
# 07-20, November-March) and, separately, in low-price time (all other hours); introduced from
# 2022-04-01, first for some areas. The P1/P2 prices per kW were not on the page read.
OPERATOR = "Mälarenergi Elnät"
SOURCES = (("https://www.malarenergi.se/el/elnat/effekttariffer/", "2026-12-02"),)
RULES = (
    (
        "2022-04-01",
        "high: top=3 weekdays hours=7-20 months=11-3; low: top=3 other=high",
        {
            "period_min": 60,
            "prices_incl_vat": True,
            "sets": [
                {"name": "high", "top": 3, "weekdays_only": True, "hours": (7, 20), "months": (11, 12, 1, 2, 3)},
                {"name": "low", "top": 3, "other": 0},
            ],
            "text": "high: top=3 weekdays hours=7-20 months=11-3; low: top=3 other=high",
        },
        "high: the mean of your 3 highest hours, weekdays between 07 and 20, November to March;"
        " low: the mean of your 3 highest hours, at all times the high set leaves out",
    ),
)
NOTE = "rolled out area by area from 2022-04-01; the page says weekdays, not whether holidays count"
