# Telge Nät: the month's highest hourly mean power, counted only in high-load time, on
# non-holiday weekdays 07-20, November-March ("helgfria vardagar kl. 07.00-20.00"); introduced at
# the end of 2022, so its first counted month is November 2022. Price per kW not on the pages read.
OPERATOR = "Telge Nät"
SOURCES = (
    ("https://www.telge.se/elnat/for-kunder/ny-prismodell-elnat/om-hog--och-laglasttid/", "2026-12-02"),
    ("https://www.telge.se/elnat/for-kunder/ny-prismodell-elnat/fragor-och-svar/", "2026-12-02"),
    ("https://www.telge.se/nyheter/sa-fungerar-telge-nats-effektavgift", "2026-12-02"),
)
RULES = (
    (
        "2022-11-01",
        "top=1 weekdays noholidays hours=7-20 months=11-3",
        {
            "period_min": 60,
            "prices_incl_vat": True,
            "sets": [
                {
                    "name": "set1",
                    "top": 1,
                    "weekdays_only": True,
                    "no_holidays": True,
                    "hours": (7, 20),
                    "months": (11, 12, 1, 2, 3),
                }
            ],
            "text": "top=1 weekdays noholidays hours=7-20 months=11-3",
        },
        "your highest hour, weekdays except holidays between 07 and 20, November to March",
    ),
)
NOTE = "the operator says 'the end of 2022'; the fee applies November-March only"
