# What the dongle answers on the local network: HTTP request heads, form posts, the admin
# check, the setup portal's rules, captive DNS answers, the HomeWizard API mapping. Pure core:
# must not import machine, network, socket, time or asyncio, nor core/p1, core/binary or core/tariff.
