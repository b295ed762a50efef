# Updates over the air: reading a release bundle as it streams in and checking it against this
# device. Loaded only while an update is received. Pure core: must not import machine, network,
# socket, time or asyncio, nor core/p1, core/binary, core/tariff or core/lan.
