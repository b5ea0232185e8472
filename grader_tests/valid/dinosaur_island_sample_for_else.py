# sample as a for loop over at most 50 steps with for/else for the cap; the seed is written seed + 2 * t.
# assignment: dinosaur_island
# base: solution
# expected_score: 24
# expected_failures: none

# %% cell: sample
def sample(parameters, char_to_ix, seed):
    Waa, Wax, Wya, by, b = parameters["Waa"], parameters["Wax"], parameters["Wya"], parameters["by"], parameters["b"]
    vocab_size = by.shape[0]
    n_a = Waa.shape[1]
    newline = char_to_ix["\n"]
    indices = []
    idx = -1  # anything but the newline
    x = np.zeros((vocab_size, 1))
    h = np.zeros((n_a, 1))
    for t in range(50):
        h = np.tanh(Wax @ x + Waa @ h + b)
        probs = softmax(Wya @ h + by).ravel()
        np.random.seed(seed + 2 * t)
        idx = int(np.random.choice(len(probs), p=probs))
        indices.append(idx)
        if idx == newline:
            break
        x = np.zeros((vocab_size, 1))
        x[idx] = 1
    else:
        indices.append(newline)
    return indices
