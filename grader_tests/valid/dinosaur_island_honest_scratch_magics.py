# A correct notebook with the scratch cells learners write: versions via sys, reading a helper with
# inspect (the notebook invites it), timing with time and %timeit, copy, globals(), prints. Full
# marks and nothing to flag.
# assignment: dinosaur_island
# base: solution
# expected_failures: none
# expected_score: 24

# %% new-cell-after: setup
import sys
print(sys.version)
print(sys.path[:2])

# %% new-cell-after: data_code
import inspect
print(inspect.getsource(rnn_step_forward))

# %% new-cell-after: clip_demo
import copy
import time

t0 = time.time()
g = copy.deepcopy(clip_case())
clip(g, 10)
print(f"clip took {time.time() - t0:.4f} s")
%timeit clip(copy.deepcopy(g), 10)

# %% new-cell-after: sample_demo
print(sorted(name for name in globals() if not name.startswith("_"))[:20])
print(len(globals()), "globals")
