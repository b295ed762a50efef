# boot.py: deliberately empty of work. Everything starts from main.py, so a broken update or
# a crash loop never stops the REPL from coming up (mpremote can always reach the board).
