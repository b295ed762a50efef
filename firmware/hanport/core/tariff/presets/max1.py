# Generic rule, no operator's: the month's single highest hour, at any time. The default until
# the user picks an operator or writes a rule; no price (the fee needs one: peaks.prices).
OPERATOR = None
SOURCES = ()
RULES = (
    (
        "2000-01-01",
        "top=1",
        {"period_min": 60, "prices_incl_vat": True, "sets": [{"name": "set1", "top": 1}], "text": "top=1"},
        "your highest hour",
    ),
)
NOTE = "the simplest common shape; check it against your grid operator's price list"
