# A cell (after optimize's tests) that swallows every interrupt and never ends. The time limit
# interrupts it, the interrupt is ignored, and the judge kills the process after the grace period:
# the tests before keep their points, model's tests get none. It costs one cell's time limit and
# the grace period, never more than the notebook's budget.
# assignment: dinosaur_island
# base: solution
# expected_failures: test_model, test_model_hidden
# expected_score: 16
# expected_flag: did not answer in time

# %% new-cell-after: test_optimize_hidden
import time

while True:
    try:
        time.sleep(1)
    except BaseException:
        pass
