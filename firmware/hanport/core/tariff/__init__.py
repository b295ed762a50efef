# Effekttariff: hour/quarter energy from the registers, the billing of peaks by an operator's
# rule, the rule words and the operators' presets. Pure core: must not import machine, network,
# socket, time or asyncio, nor core/p1, core/binary or core/lan.
