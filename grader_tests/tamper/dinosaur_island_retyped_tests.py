# A clip that does nothing, with both clip test cells turned into raw cells so that they would not run.
# The intake restores them as code, as nbgrader does: they run and fail (optimize's visible test too,
# since optimize calls clip).
# assignment: dinosaur_island
# base: solution
# expected_failures: test_clip, test_clip_hidden, test_optimize
# expected_score: 17
# expected_note: 2 cells had changed type: restored as released ('test_clip' (code handed in as raw)

# %% cell: clip
def clip(gradients, maxValue):
    return gradients

# %% cell-type: test_clip raw

# %% cell-type: test_clip_hidden raw
