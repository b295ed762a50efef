# ASCII telegrams (DSMR P1 style, the Swedish recommendation): framer, line lexer, parser,
# the OBIS tables per meter family, the decoder and a text view for tools. Pure core: must not
# import machine, network, socket, time or asyncio, nor core/binary, core/tariff or core/lan.
