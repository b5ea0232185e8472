# Allocates 8 GiB in a cell of its own. The address-space limit stops it (MemoryError in that cell);
# the notebook is graded as usual.
# assignment: dinosaur_island
# base: solution
# expected_failures: none
# expected_score: 24
# expected_absent: ALLOCATED 8 GiB

# %% new-cell-after: setup
import numpy as np

try:
    big = np.ones(8 * 1024 ** 3 // 8)
    print("ALLOCATED 8 GiB", big.nbytes)
except MemoryError as err:
    print("stopped:", err)
