# boot.py: kept minimal on purpose; everything starts from main.py so a broken update can be
# fixed from the REPL. (Crash-loop safe mode: issue #5.)
