# A correct notebook with a scratch cell that never ends (the loop forgets `i += 1`). That cell
# is interrupted at the time limit and the rest of the notebook is graded as usual.
# assignment: dinosaur_island
# base: solution
# expected_failures: none
# expected_score: 24
# expected_flag: ran past the time limit

# %% new-cell-after: clip_demo
total, i = 0, 0
while i < 10:
    total += i
