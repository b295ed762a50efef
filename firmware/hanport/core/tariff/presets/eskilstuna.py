# Eskilstuna Energi och Miljö Elnät: "månadsmax", the month's highest hourly mean power, at any
# time; prices per kW and month excluding VAT, higher November-March. The price page names 35 A
# fuses and up ("säkringsabonnemang över 35 Ampere"); smaller ones paid by fuse size then.
OPERATOR = "Eskilstuna Energi och Miljö Elnät"
SOURCES = (("https://www.eem.se/privat/elnat/Priser/Effektpris-2021/", "2026-12-02"),)
RULES = (
    (
        "2021-01-01",
        "top=1 price=4-10:52,11-3:70 vat=excl",
        {
            "period_min": 60,
            "prices_incl_vat": False,
            "sets": [{"name": "set1", "top": 1, "price": (((4, 5, 6, 7, 8, 9, 10), 5200), ((11, 12, 1, 2, 3), 7000))}],
            "text": "top=1 price=4-10:52,11-3:70 vat=excl",
        },
        "your highest hour",
    ),
)
NOTE = "prices in force from 2021-01-01 (35 A and larger); the invoice calls the figure månadsmax"
