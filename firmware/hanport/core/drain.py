# The feeding loop both decoders share: bytes into a framer (ASCII or HDLC), each completed
# frame to its owner. A module of its own so that a binary meter's decoder never loads the
# ASCII stack (core/p1/decoder.py and what it imports). Pure core: imports nothing.


def drain(framer, owner, data, start, end):
    """Feed data[start:end] (end=-1: to the end) to a framer (ASCII or HDLC), calling
    owner._deliver() for every frame it completes (the owner, not a bound method: passing
    one would allocate on MicroPython)."""
    if end < 0:
        end = len(data)
    i = start
    while i < end:
        i = framer.feed(data, i, end)
        if framer.ready:
            owner._deliver()
