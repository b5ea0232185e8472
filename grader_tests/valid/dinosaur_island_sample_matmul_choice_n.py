# sample with the @ operator, np.random.choice(vocab_size, p=y[:, 0]) and np.random.seed(seed + 2 * counter).
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
    counter = 0
    x = np.zeros((vocab_size, 1))
    a_prev = np.zeros((n_a, 1))
    while idx != newline and counter != 50:
        a_prev = np.tanh(Wax @ x + Waa @ a_prev + b)
        y = softmax(Wya @ a_prev + by)
        np.random.seed(seed + 2 * counter)
        idx = np.random.choice(vocab_size, p=y[:, 0])
        indices.append(idx)
        x = np.zeros_like(x)
        x[idx, 0] = 1.0
        counter += 1
    if counter == 50:
        indices.append(newline)
    return indices
