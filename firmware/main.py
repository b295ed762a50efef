# main.py: start hanport. The work is in hanport.esp32.main.run(); nothing here but the call,
# so an exception leaves the REPL usable for mpremote.
from hanport.esp32.main import run

run()
