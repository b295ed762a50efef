# Services: asyncio tasks that receive their ports (serial source, network, clock, storage)
# through their constructors. They must not import machine or network.
