# Starts 1,000 processes. The process limit of the sandbox's own uid stops it after a few dozen;
# the notebook is graded as usual.
# assignment: dinosaur_island
# base: solution
# expected_failures: none
# expected_score: 24
# expected_flag: calls `os._exit()`
# expected_absent: STARTED 1000 PROCESSES

# %% new-cell-after: setup
import os
import time

started = []
try:
    for _ in range(1000):
        pid = os.fork()
        if pid == 0:
            time.sleep(30)
            os._exit(0)
        started.append(pid)
    print("STARTED 1000 PROCESSES")
except OSError as err:
    print(f"stopped after {len(started)} processes: {err}")
for pid in started:
    os.kill(pid, 9)
    os.waitpid(pid, 0)
