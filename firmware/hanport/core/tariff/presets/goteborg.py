# Göteborg Energi Elnät, houses: from 2021-08-01 the month's single highest hour; from
# 2022-02-01 the mean of the three highest hours on three different days ("fördelat på tre
# olika dygn"). The household price per kW was not on the pages read: set peaks.prices.
OPERATOR = "Göteborg Energi Elnät"
SOURCES = (
    ("https://www.goteborgenergi.se/privat/elnat/elnatsavgift", "2026-12-02"),
    ("https://www.goteborgenergi.se/privat/elnat/elnatsavgiften", "2026-12-02"),
    ("https://www.energinyheter.se/20211125/25320/effektavgiften-elnatet-justeras-av-goteborg-energi", "2026-12-02"),
)
RULES = (
    (
        "2021-08-01",
        "top=1",
        {"period_min": 60, "prices_incl_vat": True, "sets": [{"name": "set1", "top": 1}], "text": "top=1"},
        "your highest hour",
    ),
    (
        "2022-02-01",
        "top=3 days",
        {
            "period_min": 60,
            "prices_incl_vat": True,
            "sets": [{"name": "set1", "top": 3, "distinct_days": True}],
            "text": "top=3 days",
        },
        "the mean of your 3 highest hours on different days",
    ),
)
NOTE = "the 2022-02-01 date is from a trade-press report quoting the operator"
