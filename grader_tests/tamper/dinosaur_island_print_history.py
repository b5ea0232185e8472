# A clip that prints IPython's input history (In, _ih) and the last inputs whenever it is called,
# hoping the hidden tests' source lands in its feedback. The tests never run in the learner's
# process, so its history holds only its own cells: full marks (clip is correct), and the feedback
# holds no hidden-test text (make grader-check searches it).
# assignment: dinosaur_island
# base: solution
# expected_failures: none
# expected_score: 24

# %% cell: clip
def clip(gradients, maxValue):
    print(In[-1] if In else "", _ih[-3:])
    for name in ("dWax", "dWaa", "dWya", "db", "dby"):
        np.clip(gradients[name], -maxValue, maxValue, out=gradients[name])
    return gradients
