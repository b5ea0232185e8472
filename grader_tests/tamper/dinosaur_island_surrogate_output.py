# Prints, writes to stderr, displays and raises text holding lone surrogates (what an undecodable byte or
# half of a character pair becomes in Python). The class is still written in full: the grader escapes them
# (\udce9) wherever text leaves it; the notebook is graded as usual.
# assignment: dinosaur_island
# base: solution
# expected_failures: none
# expected_score: 24

# %% new-cell-after: setup
import sys

odd = "caf\udce9 \ud800 \udfff"
print("stdout:", odd)
print("stderr:", odd, file=sys.stderr)
{"a value shown": odd}

# %% new-cell-after: test_clip
raise ValueError("an error of the notebook's own: " + "caf\udce9 \ud800")
