# What goes on the wire with every telegram: the state message and topic names. Strings in,
# strings out; JSON via core/jsonfmt (sorted keys). Discovery configs: core/discovery.py.
# Pure core: must not import machine, network, socket, time or asyncio.
from hanport.core.jsonfmt import dumps


def topic(prefix, device_id, leaf):
    return "%s/%s/%s" % (prefix, device_id, leaf)


def state_json(reading_dict, age_s=None):
    """The canonical reading as JSON; age_s (seconds since the telegram) when known."""
    if age_s is not None:
        reading_dict = dict(reading_dict)
        reading_dict["age_s"] = age_s
    return dumps(reading_dict)
