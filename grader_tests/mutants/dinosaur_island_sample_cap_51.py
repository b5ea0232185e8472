# off by one in the cap: stops after 51 characters (counter != 51) instead of 50.
# assignment: dinosaur_island
# base: solution
# expected_score: 18
# expected_failures: test_sample, test_sample_hidden

# %% cell: sample
def sample(parameters, char_to_ix, seed):
    Waa, Wax, Wya, by, b = parameters["Waa"], parameters["Wax"], parameters["Wya"], parameters["by"], parameters["b"]
    vocab_size = by.shape[0]
    n_a = Waa.shape[1]
    newline = char_to_ix["\n"]
    indices = []
    idx = -1  # anything but the newline
    counter = 0
    x = np.zeros((vocab_size, 1))
    a_prev = np.zeros((n_a, 1))
    while idx != newline and counter != 51:
        a = np.tanh(np.dot(Wax, x) + np.dot(Waa, a_prev) + b)
        z = np.dot(Wya, a) + by
        y = softmax(z)
        np.random.seed(counter + seed)
        idx = int(np.random.choice(range(vocab_size), p=y.ravel()))
        indices.append(idx)
        x = np.zeros((vocab_size, 1))
        x[idx] = 1
        a_prev = a
        seed += 1
        counter += 1
    if counter == 51:
        indices.append(newline)
    return indices
