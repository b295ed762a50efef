# Sollentuna Energi & Miljö: the mean of the three highest hours on non-holiday weekdays 07-19
# ("helgfri vardag mellan klockan 7-19"; holidays include midsummer, Christmas and New Year's
# eves, as core/calendar.py counts them); prices including VAT, doubled November-March.
OPERATOR = "Sollentuna Energi & Miljö"
SOURCES = (
    ("https://www.seom.se/el/elnat/priser-och-villkor/", "2026-12-02"),
    ("https://www.seom.se/elnat/villkor/effektavgift/", "2026-12-02"),
)
RULES = (
    (
        "2020-01-01",
        "top=3 weekdays noholidays hours=7-19 price=4-10:55.75,11-3:111.50 vat=incl",
        {
            "period_min": 60,
            "prices_incl_vat": True,
            "sets": [
                {
                    "name": "set1",
                    "top": 3,
                    "weekdays_only": True,
                    "no_holidays": True,
                    "hours": (7, 19),
                    "price": (((4, 5, 6, 7, 8, 9, 10), 5575), ((11, 12, 1, 2, 3), 11150)),
                }
            ],
            "text": "top=3 weekdays noholidays hours=7-19 price=4-10:55.75,11-3:111.50 vat=incl",
        },
        "the mean of your 3 highest hours, weekdays except holidays between 07 and 19",
    ),
)
NOTE = "in force at least since 2020 (the rule page shows the 2020 fees); prices as read"
