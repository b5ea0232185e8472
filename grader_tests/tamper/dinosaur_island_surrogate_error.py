# clip is right, but prints lone surrogates each time it is called and, for the bound of the visible test,
# raises an error whose message holds some. That test fails with the message (escaped wherever the grader
# writes it: result, CSV, summary, feedback); the rest is graded as usual.
# assignment: dinosaur_island
# base: solution
# expected_failures: test_clip
# expected_score: 22

# %% cell: clip
def clip(gradients, maxValue):
    print("clipping \udce9 \udfff")
    if maxValue == 10:
        raise ValueError("no clipping at 10 today: caf\udce9 \ud800 \udfff")
    for name in ("dWax", "dWaa", "dWya", "db", "dby"):
        np.clip(gradients[name], -maxValue, maxValue, out=gradients[name])
    return gradients
