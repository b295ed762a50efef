# ESP32 shell: the only package that imports machine and network. Nothing here touches
# hardware at import; esp32.main.run() builds and wires everything at boot.
