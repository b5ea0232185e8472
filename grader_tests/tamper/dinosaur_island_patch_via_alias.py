# Patches numpy.random through an alias the static check does not follow; the tamper guard in
# grading.py sees it at run time, the tests fail with GRADING ENVIRONMENT MODIFIED, and the
# autograder zeroes the notebook.
# assignment: dinosaur_island
# base: solution
# expected_failures: all
# expected_score: 0
# expected_flag: GRADING ENVIRONMENT MODIFIED

# %% new-cell-after: clip
import numpy.random as rnd

rnd.choice = lambda a, size=None, replace=True, p=None: 0
