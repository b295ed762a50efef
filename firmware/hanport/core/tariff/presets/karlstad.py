# Karlstads El- och Stadsnät (Karlstads Energi), 16-63 A: an effect fee on the month's highest
# hour, all year, plus a high-load fee on the highest hour of weekdays 06-18, November-March;
# 2024 prices including VAT. The pages say "vardagar" without a word on holidays.
OPERATOR = "Karlstads El- och Stadsnät"
SOURCES = (
    ("https://karlstadsenergi.se/karlstad-el--och-stadsnat/elnat/priser/elnatsavgift-2024", "2026-12-02"),
    ("https://karlstadsnat.se/Elnat/Kund/Priser-och-tariffer/Vad-ingar-i-avgiften/", "2026-12-02"),
)
RULES = (
    (
        "2024-01-01",
        "month: top=1 price=38.20; high: top=1 weekdays hours=6-18 months=11-3 price=71.29 vat=incl",
        {
            "period_min": 60,
            "prices_incl_vat": True,
            "sets": [
                {"name": "month", "top": 1, "price": (((1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12), 3820),)},
                {
                    "name": "high",
                    "top": 1,
                    "weekdays_only": True,
                    "hours": (6, 18),
                    "months": (11, 12, 1, 2, 3),
                    "price": (((1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12), 7129),),
                },
            ],
            "text": "month: top=1 price=38.20; high: top=1 weekdays hours=6-18 months=11-3 price=71.29 vat=incl",
        },
        "month: your highest hour; high: your highest hour, weekdays between 06 and 18, November to March",
    ),
)
NOTE = "2024 prices, the newest read; the rule itself is older than the price list"
