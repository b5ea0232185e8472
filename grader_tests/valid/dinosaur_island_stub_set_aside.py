# The learner turned the released sample stub into a Markdown cell, to keep its docstring in view, and
# wrote sample in a new cell above it. The stub set aside must never run over the learner's sample:
# full marks, with notes.
# assignment: dinosaur_island
# base: solution
# expected_score: 24
# expected_failures: none
# expected_note: solution cell 'sample' was turned into a cell that is not code
# expected_note: solution cell 'sample' was deleted; the learner's own definitions in other cells are graded

# %% unsolved: sample

# %% cell-type: sample markdown

# %% new-cell-after: sample_fig_md
def sample(parameters, char_to_ix, seed):
    vocab_size = parameters["by"].shape[0]
    x, a, indices = np.zeros((vocab_size, 1)), np.zeros((parameters["Waa"].shape[1], 1)), []
    newline, step = char_to_ix["\n"], 0
    while step < 50:
        a = np.tanh(parameters["Wax"] @ x + parameters["Waa"] @ a + parameters["b"])
        y = softmax(parameters["Wya"] @ a + parameters["by"])
        np.random.seed(seed + 2 * step)
        idx = int(np.random.choice(range(vocab_size), p=y.ravel()))
        indices.append(idx)
        step += 1
        if idx == newline:
            break
        x = np.eye(vocab_size)[:, [idx]]
    else:
        indices.append(newline)
    return indices
