# Binary HAN meters: HDLC framing, DLMS/COSEM lists, GCM decryption, their decoder and the
# frame sniffer used while a meter's format is searched. Pure core: must not import machine,
# network, socket, time or asyncio, nor core/p1, core/tariff or core/lan.
