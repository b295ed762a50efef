# The pure core: bytes in, integers out. Modules here must not import machine, network,
# socket, time or asyncio, and must not touch hardware or files at import.
