# Deletes the hidden clip test, then reads its own notebook file, hoping the grader put the test back from
# the instructor's notebook (hidden tests included) before running it. Restored cells are the release's:
# the file holds no hidden test. Full marks (the solution is right); the deletion is flagged.
# assignment: dinosaur_island
# base: solution
# expected_score: 24
# expected_failures: none
# expected_flag: test cell 'test_clip_hidden' was deleted: restored from the release
# expected_absent: LEAKED

# %% delete: test_clip_hidden

# %% new-cell-after: test_model_hidden
with open("dinosaur_island.ipynb", encoding="utf-8") as f:
    mine = f.read()
print("LEAKED" if "### BEGIN " + "HIDDEN TESTS" in mine else "nothing hidden in my notebook")
