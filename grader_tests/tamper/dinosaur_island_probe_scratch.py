# Writes 2 GiB into its folder and into /tmp. Both are small private tmpfs folders: the writes stop
# with "No space left on device" (or the file-size limit); the notebook is graded as usual.
# assignment: dinosaur_island
# base: solution
# expected_failures: none
# expected_score: 24
# expected_absent: WROTE 2 GiB

# %% new-cell-after: setup
import os

block = b"x" * (64 * 1024 * 1024)
for where in ("scratch.bin", "/tmp/scratch.bin"):
    written = 0
    try:
        with open(where, "wb") as f:
            for _ in range(32):
                f.write(block)
                written += len(block)
        print("WROTE 2 GiB to", where)
    except OSError as err:
        print(f"{where}: stopped after {written // 2**20} MiB: {err}")
    if os.path.exists(where):
        os.remove(where)
